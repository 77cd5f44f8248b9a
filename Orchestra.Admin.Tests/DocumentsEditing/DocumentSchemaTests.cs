using Dapper;
using Orchestra.Admin.Features.Documents;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.DocumentsEditing;

/// <summary>Collections with known shapes (see each test for what they hold).</summary>
public sealed class SchemaDatabase : PostgresDatabase
{
    public const int DeepLevels = 12;

    protected override async Task SeedAsync()
    {
        await using var conn = await OpenOtherConnectionAsync();
        // No ANALYZE behind the tests' backs: one test reads the statistics before and after its own ANALYZE.
        await conn.ExecuteAsync("ALTER TABLE documents SET (autovacuum_enabled = false)");
        // people: 100 documents; score drifts (even: number, odd: string); zip is null in every fourth;
        // only the first 50 have tags; every one has two items, only the first with a qty.
        await conn.ExecuteAsync("""
            INSERT INTO documents (collection, data)
            SELECT 'people',
                   jsonb_build_object(
                       'name', 'p' || i,
                       'score', CASE WHEN i % 2 = 0 THEN to_jsonb(i) ELSE to_jsonb(i::text) END,
                       'address', jsonb_build_object('city', 'c' || i, 'zip', CASE WHEN i % 4 = 0 THEN 'null'::jsonb ELSE to_jsonb('z' || i) END),
                       'items', jsonb_build_array(jsonb_build_object('sku', 's1', 'qty', i), jsonb_build_object('sku', 's2')))
                   || CASE WHEN i <= 50 THEN jsonb_build_object('tags', jsonb_build_array('a', 'b')) ELSE '{}'::jsonb END
            FROM generate_series(1, 100) AS i
            """);
        // big: 5,000 documents, more than one sample.
        await conn.ExecuteAsync("""
            INSERT INTO documents (collection, data)
            SELECT 'big', jsonb_build_object('n', i, 'score', CASE WHEN i % 2 = 0 THEN to_jsonb(i) ELSE to_jsonb(i::text) END, 'pad', repeat('x', 50))
            FROM generate_series(1, 5000) AS i
            """);
        // deep: one document nested 12 levels (l1.l2...l12 = 1). deep8: exactly 8 levels, a scalar and an empty object at the bottom.
        var deep = "1";
        for (var level = DeepLevels; level >= 1; level--) deep = $"{{\"l{level}\": {deep}}}";
        await conn.ExecuteAsync("INSERT INTO documents (collection, data) VALUES ('deep', @deep::jsonb)", new { deep });
        await conn.ExecuteAsync("""
            INSERT INTO documents (collection, data) VALUES
                ('deep8', '{"l1":{"l2":{"l3":{"l4":{"l5":{"l6":{"l7":{"l8":1}}}}}}}}'),
                ('deep8', '{"l1":{"l2":{"l3":{"l4":{"l5":{"l6":{"l7":{"l8":{}}}}}}}}}')
            """);
        // wide: one document with 600 keys k000..k599, another with k000..k099 only.
        await conn.ExecuteAsync("""
            INSERT INTO documents (collection, data)
            SELECT 'wide', (SELECT jsonb_object_agg('k' || lpad(k::text, 3, '0'), k) FROM generate_series(0, n - 1) AS k)
            FROM (VALUES (600), (100)) AS v(n)
            """);
        // odd: keys that need quoting, nested arrays, a top-level array.
        await conn.ExecuteAsync("""
            INSERT INTO documents (collection, data) VALUES
                ('odd', '{"a.b": 1, "": true, "q\"x": "s", "arr": [[1, 2], []]}'),
                ('odd', '[{"k": 1}, 2]')
            """);
    }
}

public class DocumentSchemaTests(SchemaDatabase db) : IClassFixture<SchemaDatabase>
{
    private DocumentSchemaService Service(SchemaSampling? limits = null) =>
        new(TestServices.QueryRunner(db), limits ?? new SchemaSampling());

    private static string Types(SchemaPath p) => string.Join(",", p.Types.Select(t => $"{t.Type}:{t.Values}/{t.Documents}"));

    [Fact]
    public async Task A_small_collection_is_read_whole_with_exact_paths_frequencies_and_drifting_types()
    {
        var schema = await Service().SampleAsync("people");

        Assert.Equal(100, schema.SampleSize);
        Assert.Equal(SchemaSampleMethod.IndexLimit, schema.Method);
        Assert.True(schema.IsWholeCollection);
        Assert.Null(schema.SamplePercent);
        Assert.False(schema.PathsCapped);
        Assert.False(schema.DepthCapped);
        Assert.Contains(schema.Notes, n => n.Contains("all of them were read"));
        // path | depth | documents | types (values/documents), in path order.
        Assert.Equal(new[]
        {
            "address|1|100|object:100/100",
            "address.city|2|100|string:100/100",
            "address.zip|2|100|string:75/75,null:25/25",
            "items|1|100|array:100/100",
            "items[]|2|100|object:200/100",
            "items[].qty|3|100|number:100/100",
            "items[].sku|3|100|string:200/100",
            "name|1|100|string:100/100",
            "score|1|100|string:50/50,number:50/50",
            "tags|1|50|array:50/50",
            "tags[]|2|50|string:100/50",
        }, schema.Paths.Select(p => $"{p.Path}|{p.Depth}|{p.Documents}|{Types(p)}"));
        Assert.Equal(11, schema.TotalPaths);
        Assert.Equal(0.5, schema.Paths.Single(p => p.Path == "tags").Frequency);
        Assert.Equal(1.0, schema.Paths.Single(p => p.Path == "score").Frequency);
        Assert.True(schema.Paths.Single(p => p.Path == "score").HasMixedTypes);
        Assert.False(schema.Paths.Single(p => p.Path == "name").HasMixedTypes);
    }

    [Fact]
    public async Task A_collection_larger_than_the_sample_is_sampled_with_tablesample_and_says_so()
    {
        var schema = await Service().SampleAsync("big");

        Assert.Equal(SchemaSampleMethod.TableSample, schema.Method);
        Assert.Equal(1000, schema.SampleSize);
        Assert.False(schema.IsWholeCollection);
        // 3 x 1,000 of 5,000 documents: 60 % of the pages, not the whole table.
        Assert.Equal(60, schema.SamplePercent!.Value, 3);
        Assert.Contains(schema.Notes, n => n.Contains("random sample of 1,000 of the collection's 5,000 documents"));
        Assert.Equal(["n", "pad", "score"], schema.Paths.Select(p => p.Path));
        Assert.All(schema.Paths, p => Assert.Equal(1000, p.Documents));
        var score = schema.Paths.Single(p => p.Path == "score");
        Assert.Equal(["string", "number"], score.Types.Select(t => t.Type)); // about half each: a drift the sample shows
        Assert.Equal(1000, score.Types.Sum(t => t.Documents));
        Assert.All(score.Types, t => Assert.InRange(t.Documents, 350, 650));
    }

    [Fact]
    public async Task A_short_tablesample_falls_back_to_the_collection_index_and_says_it_is_not_random()
    {
        // A tiny percentage draws (almost) no pages: the sample is short.
        var schema = await Service(new SchemaSampling { Overshoot = 0.001 }).SampleAsync("big");

        Assert.Equal(SchemaSampleMethod.IndexLimit, schema.Method);
        Assert.Equal(1000, schema.SampleSize);
        Assert.False(schema.IsWholeCollection);
        Assert.NotNull(schema.SamplePercent);
        Assert.Contains(schema.Notes, n => n.Contains("held only") && n.Contains("not a random sample"));
        Assert.Equal(["n", "pad", "score"], schema.Paths.Select(p => p.Path));
    }

    [Fact]
    public async Task A_tablesample_over_the_page_budget_is_not_taken()
    {
        var schema = await Service(new SchemaSampling { PageBudget = 1 }).SampleAsync("big");

        Assert.Equal(SchemaSampleMethod.IndexLimit, schema.Method);
        Assert.Equal(1000, schema.SampleSize);
        Assert.Null(schema.SamplePercent);
        Assert.Contains(schema.Notes, n => n.Contains("small share of a large table"));
    }

    [Fact]
    public async Task Above_the_count_probe_the_collection_size_comes_from_the_statistics()
    {
        var limits = new SchemaSampling { CountProbe = 100 };
        // Never analyzed: only "at least 100" is known, so the sample is sized for 100 documents (capped at 100 %).
        await using (var conn = await db.OpenOtherConnectionAsync())
            Assert.Equal(0L, await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM pg_stats WHERE tablename = 'documents' AND attname = 'collection'"));
        var unknown = await Service(limits).SampleAsync("big");
        Assert.Equal(100, unknown.SamplePercent);
        Assert.Equal(SchemaSampleMethod.TableSample, unknown.Method);
        Assert.Contains(unknown.Notes, n => n.Contains("more than 100; no statistics yet"));

        await using (var conn = await db.OpenOtherConnectionAsync())
            await conn.ExecuteAsync("ANALYZE documents");
        var analyzed = await Service(limits).SampleAsync("big");
        Assert.Equal(SchemaSampleMethod.TableSample, analyzed.Method);
        Assert.Equal(60, analyzed.SamplePercent!.Value, 0.5); // ANALYZE's frequency x rows = 5,000
        Assert.Equal(1000, analyzed.SampleSize);
    }

    [Fact]
    public async Task Paths_stop_at_the_depth_cap_and_say_so()
    {
        var deep = await Service().SampleAsync("deep");
        Assert.Equal(8, deep.Paths.Count);
        Assert.Equal("l1.l2.l3.l4.l5.l6.l7.l8", deep.Paths[^1].Path);
        Assert.Equal("object:1/1", Types(deep.Paths[^1]));
        Assert.True(deep.DepthCapped);
        Assert.Contains(deep.Notes, n => n.Contains("8 levels deep"));

        // At the cap but nothing below it (a scalar, an empty object): nothing was left out.
        var deep8 = await Service().SampleAsync("deep8");
        Assert.Equal("l1.l2.l3.l4.l5.l6.l7.l8", deep8.Paths[^1].Path);
        Assert.Equal("object:1/1,number:1/1", Types(deep8.Paths[^1]));
        Assert.False(deep8.DepthCapped);

        var shallow = await Service(new SchemaSampling { MaxDepth = 3 }).SampleAsync("deep");
        Assert.Equal(["l1", "l1.l2", "l1.l2.l3"], shallow.Paths.Select(p => p.Path));
        Assert.True(shallow.DepthCapped);
    }

    [Fact]
    public async Task Paths_stop_at_the_path_cap_keeping_the_most_frequent()
    {
        var schema = await Service().SampleAsync("wide");

        Assert.Equal(500, schema.Paths.Count);
        Assert.Equal(600, schema.TotalPaths);
        Assert.True(schema.PathsCapped);
        Assert.Contains(schema.Notes, n => n.Contains("Only the 500 most frequent of 600 paths"));
        // k000..k099 are in both documents: all kept; then by name.
        Assert.Equal(100, schema.Paths.Count(p => p.Documents == 2));
        Assert.Equal(Enumerable.Range(0, 500).Select(k => $"k{k:000}"), schema.Paths.Select(p => p.Path));
    }

    [Fact]
    public async Task Keys_that_would_be_ambiguous_are_quoted_and_arrays_nest()
    {
        var schema = await Service().SampleAsync("odd");

        Assert.Equal(new[]
        {
            "\"\"|boolean:1/1",
            "\"a.b\"|number:1/1",
            "\"q\\\"x\"|string:1/1",
            "[]|object:1/1,number:1/1",
            "[].k|number:1/1",
            "arr|array:1/1",
            "arr[]|array:2/1",
            "arr[][]|number:2/1",
        }, schema.Paths.Select(p => $"{p.Path}|{Types(p)}"));
        Assert.Equal(0.5, schema.Paths.Single(p => p.Path == "arr").Frequency);
    }

    [Fact]
    public async Task An_unknown_collection_has_no_documents_and_hostile_names_are_only_values()
    {
        var schema = await Service().SampleAsync("nobody'; DELETE FROM documents; --");
        Assert.Equal(0, schema.SampleSize);
        Assert.Empty(schema.Paths);
        Assert.Contains(schema.Notes, n => n.Contains("no documents"));
        await using var conn = await db.OpenOtherConnectionAsync();
        Assert.Equal(100L, await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM documents WHERE collection = 'people'"));
    }
}
