using Bunit;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Features.Postgres;
using Orchestra.Admin.Features.Postgres.Tabs;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Monitoring;

/// <summary>Each check against a real PostgreSQL: the test creates the condition and asserts it is reported (and a non-case is not).</summary>
public class IndexChecksTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private IndexChecks Checks => new(TestServices.QueryRunner(db));

    [Fact]
    public async Task An_index_never_scanned_is_unused_and_one_used_by_a_query_is_not()
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        await conn.ExecuteAsync("""
            CREATE TABLE unused_t (id int PRIMARY KEY, a int, b int, c int);
            INSERT INTO unused_t SELECT g, g % 100, g % 7, g FROM generate_series(1, 2000) AS g;
            CREATE INDEX unused_t_a ON unused_t (a);
            CREATE INDEX unused_t_b ON unused_t (b);
            CREATE UNIQUE INDEX unused_t_c ON unused_t (c);
            ANALYZE unused_t;
            """);
        await conn.ExecuteAsync("SET enable_seqscan = off; SET enable_bitmapscan = off;");
        Assert.Equal(20, await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM unused_t WHERE a = 5"));
        await conn.ExecuteAsync("SELECT pg_stat_force_next_flush()");

        var unused = await Checks.UnusedIndexesAsync();

        var b = Assert.Single(unused.Indexes, i => i.IndexName == "public.unused_t_b");
        Assert.Equal("public.unused_t", b.TableName);
        Assert.Equal("btree", b.AccessMethod);
        Assert.Equal(0, b.IndexScans);
        Assert.Equal(await conn.ExecuteScalarAsync<long>("SELECT pg_relation_size('unused_t_b'::regclass)"), b.IndexBytes);
        Assert.True(b.IndexBytes > 0);
        Assert.Equal("CREATE INDEX unused_t_b ON public.unused_t USING btree (b)", b.Definition);
        Assert.Equal("DROP INDEX CONCURRENTLY public.unused_t_b;", b.DropStatement);

        Assert.DoesNotContain(unused.Indexes, i => i.IndexName == "public.unused_t_a");     // scanned once
        Assert.DoesNotContain(unused.Indexes, i => i.IndexName == "public.unused_t_c");     // unique: enforces something
        Assert.DoesNotContain(unused.Indexes, i => i.IndexName == "public.unused_t_pkey");  // primary key
        // The stack's JSONB GIN indexes are included (nothing queried them in this database).
        Assert.Contains(unused.Indexes, i => i.IndexName == "public.idx_documents_data" && i.AccessMethod == "gin");
        // The dashboard's own schema is not the operator's to prune.
        Assert.DoesNotContain(unused.Indexes, i => i.IndexName.StartsWith("orchestra_admin.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Exact_duplicates_and_leading_prefixes_are_redundant_but_unique_and_different_indexes_are_not()
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        await conn.ExecuteAsync("""
            CREATE TABLE dup_exact (a int, b int);
            CREATE INDEX dup_exact_1 ON dup_exact (a, b);
            CREATE INDEX dup_exact_2 ON dup_exact (a, b);

            CREATE TABLE dup_prefix (a int, b int, c int);
            CREATE INDEX dup_prefix_a ON dup_prefix (a);
            CREATE INDEX dup_prefix_ab ON dup_prefix (a, b);
            CREATE INDEX dup_prefix_b_where ON dup_prefix (b) WHERE c > 0;   -- a predicate: not covered by (b, c)
            CREATE INDEX dup_prefix_bc ON dup_prefix (b, c);
            CREATE INDEX dup_prefix_c_hash ON dup_prefix USING hash (c);     -- another access method
            CREATE INDEX dup_prefix_ca ON dup_prefix (c, a);

            CREATE TABLE dup_unique (a int, b int, t text);
            CREATE UNIQUE INDEX dup_unique_a ON dup_unique (a);              -- unique: never redundant to a non-unique one
            CREATE INDEX dup_unique_ab ON dup_unique (a, b);
            CREATE INDEX dup_unique_a_plain ON dup_unique (a);               -- the same column, not unique: redundant to the unique one
            CREATE INDEX dup_unique_t_pattern ON dup_unique (t text_pattern_ops); -- another operator class
            CREATE INDEX dup_unique_t ON dup_unique (t);
            CREATE INDEX dup_unique_lower_1 ON dup_unique (lower(t));
            CREATE INDEX dup_unique_lower_2 ON dup_unique (lower(t));

            CREATE TABLE dup_pk (id int PRIMARY KEY, x int);
            CREATE INDEX dup_pk_id ON dup_pk (id);

            CREATE TABLE dup_gin (doc jsonb);
            CREATE INDEX dup_gin_1 ON dup_gin USING gin (doc);
            CREATE INDEX dup_gin_2 ON dup_gin USING gin (doc);
            """);

        var found = await Checks.DuplicateIndexesAsync();
        var mine = found.Where(d => d.TableName.StartsWith("public.dup_", StringComparison.Ordinal)).ToDictionary(d => d.IndexName);

        var exact = mine["public.dup_exact_2"];
        Assert.Equal(("public.dup_exact_1", true), (exact.CoveringIndexName, exact.IsExactDuplicate));
        Assert.Equal("DROP INDEX CONCURRENTLY public.dup_exact_2;", exact.DropStatement);
        Assert.Equal("CREATE INDEX dup_exact_1 ON public.dup_exact USING btree (a, b)", exact.CoveringDefinition);
        Assert.False(mine.ContainsKey("public.dup_exact_1")); // a pair is reported once: the older one is kept

        var prefix = mine["public.dup_prefix_a"];
        Assert.Equal(("public.dup_prefix_ab", false), (prefix.CoveringIndexName, prefix.IsExactDuplicate));
        Assert.Equal("public.dup_prefix", prefix.TableName);
        Assert.True(prefix.IndexBytes > 0);

        Assert.Equal("public.dup_unique_a", mine["public.dup_unique_a_plain"].CoveringIndexName);
        Assert.Equal("public.dup_unique_lower_1", mine["public.dup_unique_lower_2"].CoveringIndexName);
        Assert.Equal("public.dup_pk_pkey", mine["public.dup_pk_id"].CoveringIndexName);
        Assert.Equal("public.dup_gin_1", mine["public.dup_gin_2"].CoveringIndexName);

        Assert.Equal(
            ["public.dup_exact_2", "public.dup_gin_2", "public.dup_pk_id", "public.dup_prefix_a", "public.dup_unique_a_plain", "public.dup_unique_lower_2"],
            mine.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_failed_concurrent_unique_index_build_leaves_an_invalid_index_that_is_reported()
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        await conn.ExecuteAsync("""
            CREATE TABLE invalid_t (id int, email text);
            INSERT INTO invalid_t SELECT g, 'same@example.com' FROM generate_series(1, 50) AS g;
            CREATE INDEX invalid_t_id ON invalid_t (id);
            """);
        // CREATE INDEX CONCURRENTLY cannot run in a transaction: one statement on its own, autocommit.
        var e = await Assert.ThrowsAsync<PostgresException>(() =>
            conn.ExecuteAsync("CREATE UNIQUE INDEX CONCURRENTLY invalid_t_email ON invalid_t (email)"));
        Assert.Equal(PostgresErrorCodes.UniqueViolation, e.SqlState);

        var invalid = await Checks.InvalidIndexesAsync();

        var index = Assert.Single(invalid);
        Assert.Equal(("public.invalid_t", "public.invalid_t_email", "btree"), (index.TableName, index.IndexName, index.AccessMethod));
        Assert.False(index.BeingBuilt);
        Assert.Equal("CREATE UNIQUE INDEX invalid_t_email ON public.invalid_t USING btree (email)", index.Definition);
        Assert.Equal("DROP INDEX CONCURRENTLY public.invalid_t_email;", index.DropStatement);

        // Invalid indexes are reported here only, not as unused or redundant ones.
        Assert.DoesNotContain((await Checks.UnusedIndexesAsync()).Indexes, i => i.IndexName == "public.invalid_t_email");
        Assert.DoesNotContain(await Checks.DuplicateIndexesAsync(), i => i.IndexName == "public.invalid_t_email" || i.CoveringIndexName == "public.invalid_t_email");

        // The fix shown works, and then nothing is reported.
        await conn.ExecuteAsync(index.DropStatement);
        Assert.Empty(await Checks.InvalidIndexesAsync());
    }

    [Fact]
    public async Task A_large_table_read_by_sequential_scans_is_a_missing_index_hint_but_small_or_indexed_tables_are_not()
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        await conn.ExecuteAsync("""
            CREATE TABLE seq_heavy (id int, category int);
            INSERT INTO seq_heavy SELECT g, g % 50 FROM generate_series(1, 20000) AS g;
            CREATE TABLE seq_small (id int, category int);
            INSERT INTO seq_small SELECT g, g % 5 FROM generate_series(1, 100) AS g;
            CREATE TABLE seq_indexed (id int PRIMARY KEY, category int);
            INSERT INTO seq_indexed SELECT g, g % 50 FROM generate_series(1, 20000) AS g;
            ANALYZE seq_heavy, seq_small, seq_indexed;
            """);
        for (var i = 0; i < 5; i++)
        {
            await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM seq_heavy WHERE category = @i", new { i });
            await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM seq_small WHERE category = @i", new { i });
        }
        for (var i = 1; i <= 200; i++)
            await conn.ExecuteScalarAsync<int?>("SELECT category FROM seq_indexed WHERE id = @i", new { i });
        await conn.ExecuteAsync("SELECT pg_stat_force_next_flush()");

        var tables = await Checks.SeqScanHeavyTablesAsync();

        var heavy = Assert.Single(tables, t => t.TableName == "public.seq_heavy");
        Assert.Equal(5, heavy.SeqScans);
        Assert.Equal(100_000, heavy.SeqRowsRead);
        Assert.Equal(20_000, heavy.RowsPerSeqScan);
        Assert.Equal(0, heavy.IndexScans);
        Assert.Equal(0, heavy.IndexScanPercent);
        Assert.Equal(20_000, heavy.LiveRows);
        Assert.True(heavy.TableBytes > 0);
        Assert.DoesNotContain(tables, t => t.TableName == "public.seq_small");   // below 10,000 rows
        Assert.DoesNotContain(tables, t => t.TableName == "public.seq_indexed"); // read by its index

        // The size floor is a parameter: with it lowered, the small table shows too.
        Assert.Contains(await Checks.SeqScanHeavyTablesAsync(minRows: 50), t => t.TableName == "public.seq_small");
    }

    [Fact]
    public async Task The_largest_indexes_come_first_with_their_size_and_scans_including_the_stacks_gin_indexes()
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        await conn.ExecuteAsync("""
            CREATE TABLE largest_t (id int, body text);
            INSERT INTO largest_t SELECT g, md5(g::text) FROM generate_series(1, 20000) AS g;
            CREATE INDEX largest_t_body ON largest_t (body);
            INSERT INTO documents (collection, data)
            SELECT 'c', jsonb_build_object('n', g, 'tag', 't' || (g % 10)) FROM generate_series(1, 500) AS g;
            """);

        var indexes = await Checks.LargestIndexesAsync(100);

        Assert.Equal(indexes.OrderByDescending(i => i.IndexBytes).Select(i => i.IndexBytes), indexes.Select(i => i.IndexBytes));
        var body = indexes[0];
        Assert.Equal(("public.largest_t_body", "public.largest_t", "btree"), (body.IndexName, body.TableName, body.AccessMethod));
        Assert.Equal(await conn.ExecuteScalarAsync<long>("SELECT pg_relation_size('largest_t_body'::regclass)"), body.IndexBytes);
        var gin = Assert.Single(indexes, i => i.IndexName == "public.idx_documents_data");
        Assert.Equal("gin", gin.AccessMethod);
        Assert.True(gin.IndexBytes > 0);
        Assert.Contains(indexes, i => i.IndexName == "public.documents_pkey" && i.IsPrimary && i.IsUnique);
        Assert.Single(await Checks.LargestIndexesAsync(1));
    }
}

/// <summary>Resetting statistics changes what every other check sees: a database of its own.</summary>
public class IndexStatisticsResetTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private IndexChecks Checks => new(TestServices.QueryRunner(db));

    [Fact]
    public async Task The_statistics_reset_time_is_reported_with_the_unused_indexes()
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        var before = await conn.ExecuteScalarAsync<DateTime>("SELECT now()");
        await conn.ExecuteAsync("SELECT pg_stat_reset()");
        var unused = await Checks.UnusedIndexesAsync();
        Assert.NotNull(unused.StatisticsResetAt);
        Assert.Equal(DateTimeKind.Utc, unused.StatisticsResetAt!.Value.Kind);
        Assert.InRange(unused.StatisticsResetAt.Value, before.AddSeconds(-1), DateTime.UtcNow.AddMinutes(1));
    }
}

/// <summary>The Indexes tab with fake checks.</summary>
public class IndexesTabTests : BunitSetup
{
    private sealed class FakeIndexChecks : IIndexChecks
    {
        public Func<Task<UnusedIndexes>> Unused { get; set; } = () => Task.FromResult(new UnusedIndexes(null, [
            new UnusedIndex
            {
                TableName = "public.documents", IndexName = "public.idx_documents_metadata", AccessMethod = "gin",
                IndexBytes = 3 * 1024 * 1024, Definition = "CREATE INDEX idx_documents_metadata ON public.documents USING gin (metadata)",
                DropStatement = "DROP INDEX CONCURRENTLY public.idx_documents_metadata;",
            }]));
        public Func<Task<IReadOnlyList<RedundantIndex>>> Duplicates { get; set; } = () => Task.FromResult<IReadOnlyList<RedundantIndex>>([
            new RedundantIndex
            {
                TableName = "public.task_queue", IndexName = "public.task_queue_status", CoveringIndexName = "public.task_queue_status_priority",
                Definition = "CREATE INDEX task_queue_status ON public.task_queue USING btree (status)",
                CoveringDefinition = "CREATE INDEX task_queue_status_priority ON public.task_queue USING btree (status, priority)",
                IndexBytes = 16384, DropStatement = "DROP INDEX CONCURRENTLY public.task_queue_status;",
            }]);
        public Func<Task<IReadOnlyList<InvalidIndex>>> Invalid { get; set; } = () => Task.FromResult<IReadOnlyList<InvalidIndex>>([]);
        public Func<Task<IReadOnlyList<SeqScanHeavyTable>>> SeqScans { get; set; } = () => Task.FromResult<IReadOnlyList<SeqScanHeavyTable>>([]);
        public Func<Task<IReadOnlyList<IndexSize>>> Largest { get; set; } = () => Task.FromResult<IReadOnlyList<IndexSize>>([
            new IndexSize { TableName = "public.documents", IndexName = "public.idx_documents_data", AccessMethod = "gin", IndexBytes = 52_428_800, IndexScans = 1234 }]);

        public Task<UnusedIndexes> UnusedIndexesAsync(CancellationToken ct = default) => Unused();
        public Task<IReadOnlyList<RedundantIndex>> DuplicateIndexesAsync(CancellationToken ct = default) => Duplicates();
        public Task<IReadOnlyList<InvalidIndex>> InvalidIndexesAsync(CancellationToken ct = default) => Invalid();
        public Task<IReadOnlyList<SeqScanHeavyTable>> SeqScanHeavyTablesAsync(long minRows = IndexChecks.DefaultMinRows, int limit = 50, CancellationToken ct = default) => SeqScans();
        public Task<IReadOnlyList<IndexSize>> LargestIndexesAsync(int limit, CancellationToken ct = default) => Largest();
    }

    private readonly FakeIndexChecks checks = new();

    public IndexesTabTests() => Services.AddSingleton<IIndexChecks>(checks);

    [Fact]
    public void Shows_every_check_as_a_titled_panel_with_findings_and_the_sql_to_fix_them()
    {
        var tab = Render<IndexesTab>();

        Assert.Equal(["Unused indexes", "Duplicate and redundant indexes", "Invalid indexes", "Tables read by sequential scans", "Largest indexes"],
            tab.FindAll("section h2").Select(h => h.TextContent));
        var fixes = tab.FindAll("code.fix-sql").Select(c => c.TextContent).ToList();
        Assert.Equal(["DROP INDEX CONCURRENTLY public.idx_documents_metadata;", "DROP INDEX CONCURRENTLY public.task_queue_status;"], fixes);
        Assert.Contains("3.0 MB", tab.Markup);
        Assert.Contains("leading prefix", tab.Markup);
        Assert.Contains("50 MB", tab.Markup);
        Assert.Contains("No invalid indexes", tab.Markup);
        Assert.Contains("read mostly by sequential scans", tab.Markup);
    }

    [Fact]
    public void No_unused_indexes_says_since_when_the_statistics_count()
    {
        var reset = new DateTime(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc);
        checks.Unused = () => Task.FromResult(new UnusedIndexes(reset, []));
        var tab = Render<IndexesTab>();

        var empty = tab.Find("[data-testid=unused-empty]");
        Assert.Contains("No unused indexes: every index has been scanned since the statistics were reset on", empty.TextContent);
        Assert.Contains("2025-03-01 12:00:00", empty.TextContent);
    }

    [Fact]
    public void A_failing_check_shows_its_error_and_the_other_panels_still_render()
    {
        checks.Duplicates = () => Task.FromException<IReadOnlyList<RedundantIndex>>(
            new QueryTimeoutException("monitoring/indexes/duplicates", TimeSpan.FromSeconds(5), new Exception()));
        var tab = Render<IndexesTab>();

        var alert = Assert.Single(tab.FindAll("[role=alert]"));
        Assert.Contains("timed out after 5 s", alert.TextContent);
        Assert.Contains("public.idx_documents_metadata", tab.Markup);
        Assert.Contains("public.idx_documents_data", tab.Markup);
    }
}
