using Dapper;
using Orchestra.Admin.Features.Documents;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Documents;

/// <summary>Each filter kind against a real PostgreSQL: exactly the right documents of the seeded "shop" collection.</summary>
public class DocumentsFilterTests(DocumentsDatabase db) : IClassFixture<DocumentsDatabase>
{
    private DocumentsService Service => new(TestServices.QueryRunner(db));

    /// <summary>The names of the documents the filter returns on one page, in page order (newest first).</summary>
    private async Task<string[]> NamesAsync(DocumentFilter filter, string collection = "shop")
    {
        var page = await Service.PageAsync(new DocumentPageRequest(collection, filter, PageSize: 100, Columns: ["name"]));
        Assert.Null(page.Next);
        Assert.Null(page.Previous);
        return page.Rows.Select(r => System.Text.Json.JsonSerializer.Deserialize<string>(r.Values[0]!)!).ToArray();
    }

    [Fact]
    public async Task No_filter_returns_the_whole_collection_newest_first_and_nothing_of_another()
    {
        Assert.Equal(["s6", "s5", "s4", "s3", "s2", "s1"], await NamesAsync(new DocumentFilter()));
        Assert.Empty(await NamesAsync(new DocumentFilter(), "no such collection"));
    }

    [Theory]
    [InlineData("""{"status":"active"}""", new[] { "s4", "s2", "s1" })]
    [InlineData("""{"status":"active","tags":["x"]}""", new[] { "s1" })]
    [InlineData("""{"tags":["y"]}""", new[] { "s2", "s1" })]
    [InlineData("""{"nested":{"k":1}}""", new[] { "s1" })]
    [InlineData("""{"score":5.5}""", new[] { "s4" })]
    [InlineData("""{"flag":true}""", new[] { "s6" })]
    [InlineData("""  { }  """, new[] { "s6", "s5", "s4", "s3", "s2", "s1" })]
    [InlineData("""{"status":"gone"}""", new string[0])]
    public async Task Data_containment_returns_exactly_the_containing_documents(string json, string[] expected) =>
        Assert.Equal(expected, await NamesAsync(new DocumentFilter { DataContains = json }));

    [Fact]
    public async Task Metadata_containment_filters_on_metadata_and_a_NULL_metadata_never_matches()
    {
        Assert.Equal(["s4", "s1"], await NamesAsync(new DocumentFilter { MetadataContains = """{"source":"import"}""" }));
        Assert.Equal(["s2"], await NamesAsync(new DocumentFilter { MetadataContains = """{"source":"api"}""" }));
        // s6's metadata is NULL: not even {} contains it.
        Assert.Equal(["s5", "s4", "s3", "s2", "s1"], await NamesAsync(new DocumentFilter { MetadataContains = "{}" }));
    }

    [Theory]
    [InlineData("$.score > 5", JsonPathMode.Predicate, new[] { "s4", "s3", "s1" })]
    [InlineData("$.score > 5 && $.status == \"active\"", JsonPathMode.Predicate, new[] { "s4", "s1" })]
    [InlineData("$.flag == true", JsonPathMode.Predicate, new[] { "s6" })]
    [InlineData("$.note like_regex \"^50\"", JsonPathMode.Predicate, new[] { "s3" })]
    [InlineData("strict $.score > 5", JsonPathMode.Predicate, new[] { "s4", "s3", "s1" })]
    [InlineData("$.tags[*] ? (@ == \"x\")", JsonPathMode.Exists, new[] { "s3", "s1" })]
    [InlineData("$.note", JsonPathMode.Exists, new[] { "s6", "s5", "s4", "s3" })]
    [InlineData("$ ? (@.score < 5)", JsonPathMode.Exists, new[] { "s2" })]
    public async Task JsonPath_filters_with_at_at_and_at_question(string path, JsonPathMode mode, string[] expected) =>
        Assert.Equal(expected, await NamesAsync(new DocumentFilter { JsonPath = path, JsonPathMode = mode }));

    [Fact]
    public async Task Key_exists_matches_top_level_keys_only()
    {
        Assert.Equal(["s3", "s2", "s1"], await NamesAsync(new DocumentFilter { KeyExists = "tags" }));
        Assert.Empty(await NamesAsync(new DocumentFilter { KeyExists = "k" })); // nested under "nested": not top level
        Assert.Empty(await NamesAsync(new DocumentFilter { KeyExists = "TAGS" }));
    }

    [Fact]
    public async Task Id_lookup_finds_the_document_in_its_collection_only()
    {
        var s3 = await db.IdOfAsync("s3");
        Assert.Equal(["s3"], await NamesAsync(new DocumentFilter { Id = s3.ToString() }));
        Assert.Equal(["s3"], await NamesAsync(new DocumentFilter { Id = "  " + s3.ToString("B").ToUpperInvariant() + " " }));
        Assert.Empty(await NamesAsync(new DocumentFilter { Id = (await db.IdOfAsync("o1")).ToString() }));
        Assert.Empty(await NamesAsync(new DocumentFilter { Id = Guid.NewGuid().ToString() }));
    }

    [Fact]
    public async Task Created_and_updated_ranges_are_inclusive_and_combine()
    {
        var feb = new DateTimeOffset(2024, 2, 1, 0, 0, 0, TimeSpan.Zero);
        var apr = new DateTimeOffset(2024, 4, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(["s4", "s3", "s2"], await NamesAsync(new DocumentFilter { CreatedFrom = feb, CreatedTo = apr }));
        Assert.Equal(["s2", "s1"], await NamesAsync(new DocumentFilter { CreatedTo = feb }));
        // Another offset, the same instant: 2024-04-01T02:00+02:00 is April 1st, 00:00 UTC.
        Assert.Equal(["s6", "s5", "s4"], await NamesAsync(new DocumentFilter { CreatedFrom = new DateTimeOffset(2024, 4, 1, 2, 0, 0, TimeSpan.FromHours(2)) }));
        Assert.Equal(["s4"], await NamesAsync(new DocumentFilter { UpdatedFrom = new DateTimeOffset(2024, 5, 20, 0, 0, 0, TimeSpan.Zero) }));
        Assert.Equal(["s4"], await NamesAsync(new DocumentFilter { CreatedTo = apr, UpdatedFrom = new DateTimeOffset(2024, 5, 20, 0, 0, 0, TimeSpan.Zero) }));
        Assert.Equal(["s1"], await NamesAsync(new DocumentFilter { CreatedFrom = feb.AddMonths(-1), CreatedTo = feb.AddMonths(-1) }));
    }

    [Theory]
    [InlineData("50%", new[] { "s5", "s3" })]
    [InlineData("%_", new[] { "s3" })]
    [InlineData("_", new[] { "s3" })]
    [InlineData("%", new[] { "s5", "s3" })]
    [InlineData(@"\", new[] { "s4" })]
    [InlineData("o'brien", new[] { "s5" })]
    [InlineData("ACTIVE", new[] { "s4", "s2", "s1" })]
    [InlineData("'; drop table documents; --", new[] { "s6" })]
    [InlineData("x%y", new string[0])]
    public async Task Text_search_is_case_insensitive_and_matches_wildcards_literally(string text, string[] expected) =>
        Assert.Equal(expected, await NamesAsync(new DocumentFilter { Text = text }));

    [Fact]
    public async Task All_filters_combine_with_and()
    {
        var filter = new DocumentFilter
        {
            DataContains = """{"status":"active"}""",
            MetadataContains = """{"source":"import"}""",
            JsonPath = "$.score > 5",
            KeyExists = "note",
            Text = "temp",
            CreatedFrom = new DateTimeOffset(2024, 3, 15, 0, 0, 0, TimeSpan.Zero),
            UpdatedTo = new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero),
            Id = (await db.IdOfAsync("s4")).ToString(),
        };
        Assert.Equal(["s4"], await NamesAsync(filter));
        Assert.Empty(await NamesAsync(filter with { Text = "50%" }));
        Assert.Empty(await NamesAsync(filter with { Id = (await db.IdOfAsync("s1")).ToString() }));
    }

    [Fact]
    public async Task Columns_return_the_json_text_of_each_key_cut_to_200_characters_and_null_when_absent()
    {
        var page = await Service.PageAsync(new DocumentPageRequest("shop", new DocumentFilter { Text = "O'Brien" },
            Columns: ["name", "long", "missing", "status", "name"]));
        var row = Assert.Single(page.Rows);
        Assert.Equal("\"s5\"", row.Values[0]);
        Assert.Equal(DocumentRow.ValueCut, row.Values[1]!.Length);
        Assert.Equal("\"" + new string('x', DocumentRow.ValueCut - 1), row.Values[1]);
        Assert.Null(row.Values[2]);
        Assert.Equal("\"draft\"", row.Values[3]);
        Assert.Equal("\"s5\"", row.Values[4]);

        var s1 = Assert.Single((await Service.PageAsync(new DocumentPageRequest("shop", new DocumentFilter { DataContains = """{"name":"s1"}""" },
            Columns: ["tags", "nested", "score"]))).Rows);
        Assert.Equal(["[\"x\", \"y\"]", "{\"k\": 1}", "7"], s1.Values);

        // No columns asked: no values.
        Assert.All((await Service.PageAsync(new DocumentPageRequest("shop", new DocumentFilter()))).Rows, r => Assert.Empty(r.Values));
    }

    [Fact]
    public async Task Rows_carry_id_timestamps_and_the_stored_size()
    {
        var s4 = await db.IdOfAsync("s4");
        var row = Assert.Single((await Service.PageAsync(new DocumentPageRequest("shop", new DocumentFilter { Id = s4.ToString() }))).Rows);
        await using var conn = await db.OpenOtherConnectionAsync();
        var size = await conn.ExecuteScalarAsync<int>("SELECT pg_column_size(data) FROM documents WHERE id = @s4", new { s4 });
        Assert.Equal((s4, size), (row.Id, row.SizeBytes));
        Assert.Equal(new DateTimeOffset(2024, 4, 1, 0, 0, 0, TimeSpan.Zero), row.CreatedAt);
        Assert.Equal(new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero), row.UpdatedAt);
        Assert.Equal(TimeSpan.Zero, row.CreatedAt.Offset);
    }

    [Fact]
    public async Task Get_returns_the_document_text_metadata_and_size_and_null_for_an_unknown_id()
    {
        var s1 = await db.IdOfAsync("s1");
        var doc = await Service.GetAsync(s1);
        Assert.NotNull(doc);
        Assert.Equal((s1, "shop"), (doc.Id, doc.Collection));
        Assert.Equal("""{"name": "s1", "tags": ["x", "y"], "score": 7, "nested": {"k": 1}, "status": "active"}""", doc.Data);
        Assert.Equal("""{"source": "import"}""", doc.Metadata);
        Assert.Equal(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), doc.CreatedAt);
        await using var conn = await db.OpenOtherConnectionAsync();
        Assert.Equal(await conn.ExecuteScalarAsync<int>("SELECT pg_column_size(data) FROM documents WHERE id = @s1", new { s1 }), doc.SizeBytes);

        var s6 = await Service.GetAsync(await db.IdOfAsync("s6"));
        Assert.Equal("null", s6!.Metadata);
        Assert.Null(await Service.GetAsync(Guid.NewGuid()));
    }

    [Fact]
    public async Task Top_level_keys_are_counted_over_the_collection_most_frequent_first()
    {
        // shop: name 6, status 5, note 4, score 4, tags 3, then once each (alphabetical among equals).
        Assert.Equal(["name", "status", "note", "score", "tags", "'; DROP TABLE documents; --", "flag", "long", "nested"],
            await Service.TopLevelKeysAsync("shop"));
        // A document that is not an object has no keys.
        Assert.Equal(["name", "note", "score", "status", "tags"], await Service.TopLevelKeysAsync("other"));
        Assert.Empty(await Service.TopLevelKeysAsync("no such collection"));
    }

    [Fact]
    public async Task Collections_of_a_small_table_are_counted_exactly_with_last_update_and_average_size()
    {
        var collections = await Service.CollectionsAsync();

        await using var conn = await db.OpenOtherConnectionAsync();
        var truth = (await conn.QueryAsync<(string Name, long Count, DateTime? Last, double Avg)>(
            "SELECT collection, count(*), max(updated_at), avg(pg_column_size(data))::float8 FROM documents GROUP BY collection ORDER BY collection")).ToList();
        Assert.Equal(truth.Select(t => t.Name), collections.Select(c => c.Name));
        Assert.Equal(["nulls", "other", "paged", "shop"], collections.Select(c => c.Name).Order(StringComparer.Ordinal));
        foreach (var (c, t) in collections.Zip(truth))
        {
            Assert.False(c.CountIsEstimate);
            Assert.Equal(t.Count, c.Count);
            Assert.Equal(t.Last, c.LastUpdatedAt?.UtcDateTime);
            Assert.Equal(t.Avg, c.AverageBytes!.Value, 6);
        }
        Assert.Equal(6, collections.Single(c => c.Name == "shop").Count);
        Assert.Equal(new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero), collections.Single(c => c.Name == "shop").LastUpdatedAt);
    }
}
