using System.Diagnostics;
using Dapper;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Features.Documents;
using Orchestra.Admin.Features.Postgres;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Documents;

/// <summary>120,000 documents: past the exact-count threshold, large enough for the planner to prefer the GIN index.</summary>
public class DocumentsLargeTableTests(LargeDocumentsDatabase db) : IClassFixture<LargeDocumentsDatabase>
{
    private DocumentsService Service(int timeoutSeconds = 5) => new(TestServices.QueryRunner(db, timeoutSeconds));

    [Fact]
    public async Task Collections_of_a_large_table_are_estimated_and_marked_small_ones_counted_exactly()
    {
        var collections = (await Service().CollectionsAsync()).ToDictionary(c => c.Name);

        await using var conn = await db.OpenOtherConnectionAsync();
        var truth = (await conn.QueryAsync<(string Name, long Count, DateTime Last, double Avg, DateTime Median)>("""
            SELECT collection, count(*), max(updated_at), avg(pg_column_size(data))::float8,
                   percentile_disc(0.5) WITHIN GROUP (ORDER BY updated_at)
            FROM documents GROUP BY collection
            """)).ToDictionary(t => t.Name);
        Assert.Equal(truth.Keys.Order(StringComparer.Ordinal), collections.Keys.Order(StringComparer.Ordinal));

        // Over the cap of 1,000: estimated. "events" from the most-common-values list, "orders" as the planner
        // estimates a value outside it (the rest of the rows, less the collections counted exactly).
        foreach (var name in new[] { "events", "orders" })
        {
            var c = collections[name];
            Assert.True(c.CountIsEstimate, name);
            Assert.InRange(c.Count, truth[name].Count * 0.85, truth[name].Count * 1.15);
            // The latest update seen in the sample: a lower bound. How far below depends on which blocks the random
            // sample took (here the last rows' updates spread over 16 h), so the test only asks that it beat the
            // median: a sample with no block in the newer half has a chance of about one in a million.
            Assert.NotNull(c.LastUpdatedAt);
            Assert.True(c.LastUpdatedAt!.Value.UtcDateTime <= truth[name].Last, name);
            Assert.True(c.LastUpdatedAt.Value.UtcDateTime >= truth[name].Median, $"{name}: {c.LastUpdatedAt} vs median {truth[name].Median}");
            Assert.InRange(c.AverageBytes!.Value, truth[name].Avg * 0.9, truth[name].Avg * 1.1);
        }
        // Under the cap: exact, from their own rows.
        foreach (var name in new[] { "audit", "users" })
        {
            var c = collections[name];
            Assert.False(c.CountIsEstimate, name);
            Assert.Equal(LargeDocumentsDatabase.Counts[name], c.Count);
            Assert.Equal(truth[name].Last, c.LastUpdatedAt!.Value.UtcDateTime);
            Assert.Equal(truth[name].Avg, c.AverageBytes!.Value, 6);
        }
    }

    [Fact]
    public async Task The_large_table_collection_list_reads_a_small_share_of_the_table()
    {
        var size = await Service().TableSizeAsync(CancellationToken.None);
        Assert.InRange(size.EstimatedRows, 110_000, 130_000);
        var names = new[] { "audit", "events", "orders", "users" };
        var percent = DocumentsService.SamplePercent(size);

        await using var conn = await db.OpenOtherConnectionAsync();
        var read = new Dictionary<string, double>
        {
            ["names"] = await RowsReadAsync(conn, SqlCatalog.Get("documents/collection_names"), null),
            ["heads"] = await RowsReadAsync(conn, DocumentsService.HeadsSql(names.Length), DocumentsService.HeadsParameters(names)),
            ["estimate"] = await RowsReadAsync(conn, SqlCatalog.Get("documents/collections_estimate"), new { sample_percent = percent }),
        };
        // One index descent per collection; at most 1,001 rows per collection; a sample of about 10,000 rows.
        Assert.True(read["names"] <= 10, $"names read {read["names"]} rows");
        Assert.True(read["heads"] <= 4 * 1_001, $"heads read {read["heads"]} rows");
        Assert.InRange(read["estimate"], 2_000, 25_000);
    }

    /// <summary>
    /// Rows the statement's scans of documents produced or threw away (EXPLAIN ANALYZE, run in a transaction rolled
    /// back, with the SET LOCALs the statement carries).
    /// </summary>
    private static async Task<double> RowsReadAsync(Npgsql.NpgsqlConnection conn, string sql, object? parameters)
    {
        await using var tx = await conn.BeginTransactionAsync();
        var code = string.Join('\n', sql.Split('\n').Where(l => !l.TrimStart().StartsWith("--", StringComparison.Ordinal)));
        var statements = code.Split(";\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var set in statements.SkipLast(1)) await conn.ExecuteAsync(set, transaction: tx);
        var json = await conn.ExecuteScalarAsync<string>("EXPLAIN (ANALYZE, FORMAT JSON) " + statements[^1], parameters, tx);
        await tx.RollbackAsync();
        var plan = ExplainPlan.Parse(json!);
        return plan.Root.DepthFirst()
            .Where(n => n.RelationName == "documents" || (n.IndexName?.StartsWith("idx_documents", StringComparison.Ordinal) ?? false) || n.IndexName == "documents_pkey")
            .Where(n => n.NodeType is not "Bitmap Heap Scan") // its rows came from the Bitmap Index Scan below, counted there
            .Sum(n => (n.ActualRows ?? 0) * (n.ActualLoops ?? 1) + Removed(n) * (n.ActualLoops ?? 1));
    }

    private static double Removed(PlanNode n) =>
        n.Details.Where(d => d.StartsWith("Rows Removed by Filter: ", StringComparison.Ordinal))
            .Sum(d => double.Parse(d["Rows Removed by Filter: ".Length..], System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task The_containment_filter_uses_the_gin_index_and_explain_shows_the_page_query()
    {
        var request = new DocumentPageRequest("events", new DocumentFilter { DataContains = """{"n": 12345}""" }, Columns: ["n"]);

        var plan = await Service().ExplainAsync(request);

        var scan = Assert.Single(plan.Nodes, n => n.NodeType == "Bitmap Index Scan" && n.IndexName == "idx_documents_data");
        Assert.Contains(scan.Details, d => d.StartsWith("Index Cond: ", StringComparison.Ordinal) && d.Contains("@>") && d.Contains("12345"));
        Assert.DoesNotContain(plan.Nodes, n => n.NodeType == "Seq Scan");
        Assert.False(plan.Analyzed);
        Assert.Null(plan.ExecutionMs);
        Assert.StartsWith("SELECT", plan.Statement);
        Assert.Contains("d.data @> @data_contains::jsonb", plan.Statement);
        Assert.Contains("ORDER BY COALESCE(d.created_at, '-infinity'::timestamptz) DESC, d.id DESC", plan.Statement);
        Assert.Contains("\"Node Type\"", plan.PlanJson);

        // And the page itself finds the one document.
        var page = await Service().PageAsync(request);
        Assert.Equal("12345", Assert.Single(page.Rows).Values[0]);

        // Without a filter the same collection is read whole (no index serves the sort): the plan says so.
        var unfiltered = await Service().ExplainAsync(request with { Filter = new DocumentFilter() });
        Assert.DoesNotContain(unfiltered.Nodes, n => n.IndexName == "idx_documents_data");
    }

    [Fact]
    public async Task Key_exists_and_jsonpath_use_the_gin_index_too()
    {
        var exists = await Service().ExplainAsync(new DocumentPageRequest("events", new DocumentFilter { JsonPath = "$.n == 777", JsonPathMode = JsonPathMode.Predicate }));
        Assert.Contains(exists.Nodes, n => n.NodeType == "Bitmap Index Scan" && n.IndexName == "idx_documents_data");
        var page = await Service().PageAsync(new DocumentPageRequest("events", new DocumentFilter { JsonPath = "$.n == 777" }, Columns: ["n"]));
        Assert.Equal("777", Assert.Single(page.Rows).Values[0]);
    }

    [Fact]
    public async Task A_page_past_the_statement_timeout_throws_QueryTimeoutException()
    {
        await using var locked = await DocumentsLock.TakeAsync(db);
        var started = Stopwatch.GetTimestamp();
        // Waiting on the lock stands in for a slow page: with a lock_timeout longer than the statement_timeout, the
        // statement timeout is what ends it (by default a read gives up on a lock after 200 ms: see SqlScriptsTests).
        var options = TestServices.Options(db, statementTimeoutSeconds: 1);
        options.Postgres.LockTimeoutMilliseconds = 60_000;
        DocumentsService SlowService() => new(TestServices.QueryRunner(db.DataSource, options));

        var e = await Assert.ThrowsAsync<QueryTimeoutException>(() =>
            SlowService().PageAsync(new DocumentPageRequest("events", new DocumentFilter { Text = "needle" })));

        Assert.Equal(TimeSpan.FromSeconds(1), e.Timeout);
        Assert.Equal("timed out after 1 s", e.Message);
        Assert.Equal("documents/page", e.QueryName);
        Assert.InRange(Stopwatch.GetElapsedTime(started).TotalSeconds, 0.9, 4);
        await Assert.ThrowsAsync<QueryTimeoutException>(() => SlowService().CollectionsAsync());
    }

    [Fact]
    public async Task Top_level_keys_come_from_a_sample_of_the_large_table()
    {
        // Every document has the same three keys: equal counts, alphabetical.
        Assert.Equal(["kind", "n", "payload"], await Service().TopLevelKeysAsync("events"));
        // A collection too small to show up in the sample: its first 1,000 documents instead.
        Assert.Equal(["kind", "n", "payload"], await Service().TopLevelKeysAsync("users"));
    }
}
