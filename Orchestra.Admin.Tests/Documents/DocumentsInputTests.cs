using Npgsql;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Features.Documents;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Documents;

/// <summary>Bad input gets a FilterInputException with the field (and position) before any document is read; hostile input changes nothing.</summary>
public class DocumentsInputTests(DocumentsDatabase db) : IClassFixture<DocumentsDatabase>
{
    private const string Drop = "'; DROP TABLE documents; --";

    private DocumentsService Service => new(TestServices.QueryRunner(db, statementTimeoutSeconds: 2));

    /// <summary>
    /// Runs the request for a page and for its plan while another session holds documents in ACCESS EXCLUSIVE mode:
    /// any statement touching the table would fail on the lock (lock_timeout, SQLSTATE 55P03), so a
    /// FilterInputException proves nothing was run on it.
    /// </summary>
    private async Task<FilterInputException> RejectedAsync(DocumentPageRequest request)
    {
        await using var locked = await DocumentsLock.TakeAsync(db);
        var page = await Assert.ThrowsAsync<FilterInputException>(() => Service.PageAsync(request));
        var explain = await Assert.ThrowsAsync<FilterInputException>(() => Service.ExplainAsync(request));
        Assert.Equal((page.Field, page.Message, page.Position), (explain.Field, explain.Message, explain.Position));
        return page;
    }

    private static DocumentPageRequest Shop(DocumentFilter filter) => new("shop", filter);

    [Theory]
    // A missing comma: the second key is where the parser stopped.
    [InlineData("""{"a": 1 "b": 2}""", 8, "line 1, position 9: ")]
    // Non-ASCII before the error: the position counts characters, not UTF-8 bytes.
    [InlineData("""{"é": 1,, }""", 8, "line 1, position 9: ")]
    [InlineData("{\n  \"status\": actve\n}", 14, "line 2, position 13: ")]
    [InlineData("""{"a": 1,}""", 8, "line 1, position 9: ")]
    [InlineData("""{"a": 1 /* why */}""", 8, "line 1, position 9: ")]
    [InlineData("""{"a": "\u0000"}""", 6, "line 1, position 7: ")]
    [InlineData("""{"a": "\ud800"}""", 6, "line 1, position 7: ")]
    public async Task Invalid_json_is_rejected_with_its_line_and_position(string json, int position, string prefix)
    {
        var e = await RejectedAsync(Shop(new DocumentFilter { DataContains = json }));
        Assert.Equal("dataContains", e.Field);
        Assert.Equal(position, e.Position);
        Assert.StartsWith(prefix, e.Message);
        Assert.DoesNotContain("LineNumber", e.Message);

        var m = await RejectedAsync(Shop(new DocumentFilter { MetadataContains = json }));
        Assert.Equal(("metadataContains", (int?)position), (m.Field, m.Position));
    }

    [Fact]
    public async Task Json_that_only_postgresql_rejects_is_reported_at_the_filter()
    {
        // Valid JSON, but beyond PostgreSQL's numeric range: PostgreSQL says so when the page runs.
        var service = Service;
        var data = await Assert.ThrowsAsync<FilterInputException>(() => service.PageAsync(Shop(new DocumentFilter { DataContains = """{"a": 1e999999}""" })));
        Assert.Equal("dataContains", data.Field);
        Assert.Contains("value overflows numeric format", data.Message);
        var metadata = await Assert.ThrowsAsync<FilterInputException>(() => service.ExplainAsync(Shop(new DocumentFilter { MetadataContains = """{"a": 1e999999}""" })));
        Assert.Equal("metadataContains", metadata.Field);
    }

    [Fact]
    public async Task Unfinished_json_is_rejected_at_its_end()
    {
        var e = await RejectedAsync(Shop(new DocumentFilter { DataContains = """{"a": [1, 2""" }));
        Assert.Equal("dataContains", e.Field);
        Assert.Equal(11, e.Position);
        Assert.StartsWith("line 1, position 12: ", e.Message);
    }

    [Theory]
    [InlineData("[1, 2]", 0, "an array")]
    [InlineData("   \"active\"", 3, "a string")]
    [InlineData("42", 0, "a number")]
    [InlineData("true", 0, "a boolean")]
    [InlineData("null", 0, "null")]
    public async Task Json_that_is_not_an_object_is_rejected(string json, int position, string what)
    {
        var e = await RejectedAsync(Shop(new DocumentFilter { DataContains = json }));
        Assert.Equal(("dataContains", (int?)position), (e.Field, e.Position));
        Assert.Contains("must be a JSON object", e.Message);
        Assert.EndsWith("not " + what, e.Message);
    }

    [Theory]
    [InlineData("$.a ? (@ > 1", 12, "syntax error at end of jsonpath input")]
    [InlineData("$.a == \"x", 9, "unexpected end of quoted string")]
    [InlineData("foo bar", 3, "syntax error at or near \" \" of jsonpath input")]
    // A quote is a character of a key name in jsonpath (the key is "a'"): the parser stops at the ")".
    [InlineData("$.a' ); DROP TABLE documents; --", 5, "syntax error at or near \")\" of jsonpath input")]
    public async Task A_jsonpath_with_a_syntax_error_is_rejected_with_postgresql_s_message_and_position(string path, int position, string message)
    {
        var e = await RejectedAsync(Shop(new DocumentFilter { JsonPath = path }));
        Assert.Equal(("jsonPath", (int?)position), (e.Field, e.Position));
        Assert.Contains(message, e.Message);
        Assert.StartsWith($"line 1, position {position + 1}: PostgreSQL cannot use this JSONPath: ", e.Message);
    }

    [Fact]
    public async Task A_jsonpath_variable_is_rejected_without_a_position()
    {
        var e = await RejectedAsync(Shop(new DocumentFilter { JsonPath = "$.score > $min" }));
        Assert.Equal(("jsonPath", (int?)null), (e.Field, e.Position));
        Assert.Contains("could not find jsonpath variable \"min\"", e.Message);
    }

    [Theory]
    [InlineData("$.a")]
    [InlineData("$.flag")]
    [InlineData("$ ? (@.score > 5)")]
    [InlineData("$.score + 1")]
    public async Task A_path_that_is_not_a_condition_is_rejected_in_predicate_mode(string path)
    {
        var e = await RejectedAsync(Shop(new DocumentFilter { JsonPath = path, JsonPathMode = JsonPathMode.Predicate }));
        Assert.Equal("jsonPath", e.Field);
        Assert.Contains("not a condition", e.Message);
        Assert.Contains("Exists mode (@?)", e.Message);
    }

    [Theory]
    [InlineData("$.score > 5")]
    [InlineData("exists($.tags)")]
    [InlineData("strict $.a == 1")]
    public async Task A_condition_is_rejected_in_exists_mode_where_it_would_match_every_document(string path)
    {
        var e = await RejectedAsync(Shop(new DocumentFilter { JsonPath = path, JsonPathMode = JsonPathMode.Exists }));
        Assert.Equal("jsonPath", e.Field);
        Assert.Contains("all would match", e.Message);
        Assert.Contains("Predicate mode (@@)", e.Message);
    }

    [Theory]
    [InlineData("not-a-uuid")]
    [InlineData("3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a1")]
    [InlineData(Drop)]
    public async Task A_bad_id_is_rejected(string id)
    {
        var e = await RejectedAsync(Shop(new DocumentFilter { Id = id }));
        Assert.Equal("id", e.Field);
        Assert.Contains("UUID", e.Message);
    }

    [Fact]
    public async Task A_range_that_starts_after_it_ends_is_rejected()
    {
        var early = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var late = early.AddSeconds(1);
        Assert.Equal("created", (await RejectedAsync(Shop(new DocumentFilter { CreatedFrom = late, CreatedTo = early }))).Field);
        Assert.Equal("updated", (await RejectedAsync(Shop(new DocumentFilter { UpdatedFrom = late, UpdatedTo = early }))).Field);
    }

    [Fact]
    public async Task A_missing_collection_and_bad_columns_are_rejected()
    {
        Assert.Equal("collection", (await RejectedAsync(new DocumentPageRequest("", new DocumentFilter()))).Field);
        Assert.Equal("columns", (await RejectedAsync(new DocumentPageRequest("shop", new DocumentFilter(), Columns: Enumerable.Range(0, 51).Select(i => "k" + i).ToList()))).Field);
        Assert.Equal("columns", (await RejectedAsync(new DocumentPageRequest("shop", new DocumentFilter(), Columns: ["a", null!]))).Field);
        await Assert.ThrowsAsync<FilterInputException>(() => Service.TopLevelKeysAsync(""));
    }

    [Fact]
    public async Task The_lock_really_blocks_a_page_so_the_rejections_above_prove_nothing_ran()
    {
        await using var locked = await DocumentsLock.TakeAsync(db);
        // A page that reaches the table meets the lock (and gives up at its lock_timeout rather than queueing).
        Assert.Equal(PostgresErrorCodes.LockNotAvailable, (await Assert.ThrowsAsync<PostgresException>(() => Service.PageAsync(Shop(new DocumentFilter())))).SqlState);
        // A valid JSONPath is checked by PostgreSQL (no table read), then the page itself meets the lock.
        Assert.Equal(PostgresErrorCodes.LockNotAvailable,
            (await Assert.ThrowsAsync<PostgresException>(() => Service.PageAsync(Shop(new DocumentFilter { JsonPath = "$.score > 5" })))).SqlState);
    }

    [Fact]
    public async Task Injection_attempts_in_every_input_change_nothing_and_match_literally_or_are_rejected()
    {
        var before = await DocumentsChecksum.OfAsync(db);
        var service = Service;
        async Task<string[]> Names(DocumentPageRequest r) =>
            (await service.PageAsync(r with { Columns = ["name", .. r.Columns ?? []] })).Rows
                .Select(x => System.Text.Json.JsonSerializer.Deserialize<string>(x.Values[0]!)!).ToArray();

        // The collection name: just a name that no collection has.
        Assert.Empty(await Names(new DocumentPageRequest("shop" + Drop, new DocumentFilter())));
        Assert.Empty(await Names(new DocumentPageRequest("shop' OR '1'='1", new DocumentFilter())));
        Assert.Empty(await service.TopLevelKeysAsync("shop" + Drop));
        // JSON filters: values matched literally.
        Assert.Equal(["s6"], await Names(Shop(new DocumentFilter { DataContains = $$"""{"note":"{{Drop}}"}""" })));
        Assert.Empty(await Names(Shop(new DocumentFilter { DataContains = """{"note":"x' OR '1'='1"}""" })));
        Assert.Empty(await Names(Shop(new DocumentFilter { MetadataContains = """{"source":"'); DELETE FROM documents; --"}""" })));
        // JSONPath: a string literal is a value; a quote outside one is a syntax error.
        Assert.Equal(["s6"], await Names(Shop(new DocumentFilter { JsonPath = $"$.note == \"{Drop}\"" })));
        await Assert.ThrowsAsync<FilterInputException>(() => service.PageAsync(Shop(new DocumentFilter { JsonPath = "$.a'); DELETE FROM documents; --" })));
        // Key, text and id.
        Assert.Equal(["s6"], await Names(Shop(new DocumentFilter { KeyExists = Drop })));
        Assert.Empty(await Names(Shop(new DocumentFilter { KeyExists = "name' OR '1'='1" })));
        Assert.Equal(["s6"], await Names(Shop(new DocumentFilter { Text = Drop })));
        Assert.Empty(await Names(Shop(new DocumentFilter { Text = @"%_\'" })));
        Assert.Empty(await Names(Shop(new DocumentFilter { Text = @"' OR 1=1 --" })));
        await Assert.ThrowsAsync<FilterInputException>(() => service.PageAsync(Shop(new DocumentFilter { Id = Drop })));
        // Column names: the value of that key, or null.
        var row = Assert.Single((await service.PageAsync(new DocumentPageRequest("shop", new DocumentFilter { KeyExists = "flag" },
            Columns: [Drop, "name\"); DELETE FROM documents; --", "') || pg_sleep(5) || ('"]))).Rows);
        Assert.Equal(["1", null, null], row.Values);
        // The plan of a hostile request is only a plan.
        var plan = await service.ExplainAsync(Shop(new DocumentFilter { Text = Drop, KeyExists = Drop, DataContains = $$"""{"{{Drop}}":1}""" }) with { Columns = [Drop] });
        Assert.DoesNotContain("DROP", plan.Statement);

        Assert.Equal(before, await DocumentsChecksum.OfAsync(db));
        Assert.Equal(["s6", "s5", "s4", "s3", "s2", "s1"], await Names(Shop(new DocumentFilter())));
    }
}
