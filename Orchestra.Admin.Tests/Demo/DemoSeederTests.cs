using System.Globalization;
using Dapper;
using Npgsql;
using Orchestra.Admin.Features.Demo;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Demo;

/// <summary>A fresh database, seeded once with the small demo, shared by the tests of one class.</summary>
public sealed class SmallDemoDatabase : IAsyncLifetime
{
    /// <summary>2 % of the full demo: 1,000 documents, 400 tasks, 100 sessions, 200 + 20 cache entries.</summary>
    public static DemoSeedSize Size { get; } = DemoSeedSize.Full.Scale(0.02);

    public PostgresDatabase Database { get; } = new();
    public DemoSeedReport FirstRun { get; private set; } = null!;
    public List<string> Progress { get; } = [];

    /// <summary>The seeder's "now". Short-lived cache entries expire within seconds of it, so tests compare with this, not now().</summary>
    public DateTime SeededAt { get; } = DateTime.UtcNow;

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        FirstRun = await new DemoSeeder(Database.DataSource, Size, new FixedTime(SeededAt), Progress.Add).SeedAsync();
    }

    public Task DisposeAsync() => Database.DisposeAsync();

    private sealed class FixedTime(DateTime utcNow) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(utcNow);
    }
}

public sealed class DemoSeederTests(SmallDemoDatabase demo) : IClassFixture<SmallDemoDatabase>
{
    private static readonly DemoSeedSize Size = SmallDemoDatabase.Size;

    private static readonly string[] AllTables =
        [DemoSeeder.Documents, DemoSeeder.Tasks, DemoSeeder.Sessions, DemoSeeder.Cache, DemoSeeder.EmbeddingsCache];

    [Fact]
    public async Task First_run_fills_every_table_with_the_requested_number_of_rows()
    {
        var expected = new Dictionary<string, int>
        {
            [DemoSeeder.Documents] = Size.Documents,
            [DemoSeeder.Tasks] = Size.Tasks,
            [DemoSeeder.Sessions] = Size.Sessions,
            [DemoSeeder.Cache] = Size.CacheEntries,
            [DemoSeeder.EmbeddingsCache] = Size.EmbeddingCacheEntries,
        };
        Assert.Equal(AllTables, demo.FirstRun.Tables.Select(t => t.Table));
        foreach (var (table, rows) in expected)
        {
            Assert.False(demo.FirstRun[table].LeftAlone, table);
            Assert.Equal(rows, demo.FirstRun[table].RowsInserted);
            Assert.Equal(rows, await ScalarAsync<long>($"SELECT count(*) FROM {table}"));
            Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"{table}: {rows:N0} rows inserted"), string.Join('\n', demo.Progress));
        }
        Assert.Equal(expected.Values.Sum(), demo.FirstRun.RowsInserted);
    }

    [Fact]
    public async Task Documents_span_every_collection_with_nested_json_and_metadata()
    {
        var collections = (await QueryAsync<string>("SELECT DISTINCT collection FROM documents ORDER BY 1")).ToArray();
        Assert.Equal(DocumentGenerator.Collections.Order(), collections);

        Assert.Equal(0, await ScalarAsync<long>("""
            SELECT count(*) FROM documents
            WHERE jsonb_typeof(data) <> 'object' OR jsonb_typeof(metadata) <> 'object' OR NOT metadata ? 'source'
               OR created_at > updated_at OR updated_at > now()
            """));
        // Users: booleans, numbers, a tags array and an address object with a nested geo object.
        Assert.Equal(0, await ScalarAsync<long>("""
            SELECT count(*) FROM documents WHERE collection = 'users' AND NOT (
                jsonb_typeof(data->'active') = 'boolean' AND jsonb_typeof(data->'age') = 'number'
                AND jsonb_typeof(data->'tags') = 'array' AND jsonb_typeof(data->'address') = 'object'
                AND data->'address'->>'city' <> '' AND jsonb_typeof(data->'address'->'geo'->'lat') = 'number')
            """));
        // Orders: a non-empty items array of objects with numeric prices.
        Assert.Equal(0, await ScalarAsync<long>("""
            SELECT count(*) FROM documents WHERE collection = 'orders' AND NOT (
                jsonb_typeof(data->'items') = 'array' AND jsonb_array_length(data->'items') >= 1
                AND jsonb_typeof(data->'items'->0->'unit_price') = 'number'
                AND jsonb_typeof(data->'shipping'->'address') = 'object')
            """));
        Assert.True(await ScalarAsync<long>("SELECT count(*) FROM documents WHERE jsonb_array_length(data->'tags') > 0") > 0);
    }

    [Fact]
    public async Task Tasks_have_every_status_three_percent_failed_and_consistent_times()
    {
        var byStatus = (await QueryAsync<(string Status, long Count)>("SELECT status, count(*) FROM task_queue GROUP BY status"))
            .ToDictionary(r => r.Status, r => r.Count);
        Assert.Equal(["completed", "failed", "pending", "running"], byStatus.Keys.Order());
        Assert.All(byStatus.Values, count => Assert.True(count > 0));
        Assert.Equal(Math.Round(Size.Tasks * 0.03), byStatus["failed"]);
        Assert.True(byStatus["completed"] > Size.Tasks / 2, "most tasks are completed");

        Assert.True(await ScalarAsync<long>("SELECT count(DISTINCT task_type) FROM task_queue") >= 5);
        Assert.True(await ScalarAsync<long>("SELECT count(DISTINCT priority) FROM task_queue") >= 3);
        Assert.Equal(0, await ScalarAsync<long>("SELECT count(*) FROM task_queue WHERE jsonb_typeof(payload) <> 'object' OR payload = '{}'"));

        // Only failed tasks carry an error, and the errors differ from one another.
        Assert.Equal(0, await ScalarAsync<long>("SELECT count(*) FROM task_queue WHERE (status = 'failed') <> (error IS NOT NULL AND error <> '')"));
        Assert.True(await ScalarAsync<long>("SELECT count(DISTINCT error) FROM task_queue") >= byStatus["failed"] * 0.8);

        Assert.Equal(0, await ScalarAsync<long>("""
            SELECT count(*) FROM task_queue WHERE NOT CASE status
                WHEN 'pending' THEN started_at IS NULL AND completed_at IS NULL AND created_at <= now()
                WHEN 'running' THEN created_at <= started_at AND started_at <= now() AND completed_at IS NULL
                ELSE created_at <= started_at AND started_at <= completed_at AND completed_at <= now()
            END
            """));
        // Spread over the last days, not all at one moment.
        Assert.True(await ScalarAsync<double>("SELECT extract(epoch FROM max(created_at) - min(created_at)) / 86400 FROM task_queue") > 3);
    }

    [Fact]
    public async Task Sessions_are_active_expired_and_soft_deleted_with_real_looking_clients()
    {
        var states = (await QueryAsync<(string State, long Count)>("""
            SELECT CASE WHEN deleted_at IS NOT NULL THEN 'deleted' WHEN expires_at > @SeededAt THEN 'active' ELSE 'expired' END, count(*)
            FROM sessions.sessions GROUP BY 1
            """, new { demo.SeededAt })).ToDictionary(r => r.State, r => r.Count);
        var expired = (long)Math.Round(Size.Sessions * 0.30);
        var deleted = (long)Math.Round(Size.Sessions * 0.10);
        Assert.Equal(expired, states["expired"]);
        Assert.Equal(deleted, states["deleted"]);
        Assert.Equal(Size.Sessions - expired - deleted, states["active"]);

        Assert.True(await ScalarAsync<long>("SELECT count(*) FROM sessions.sessions WHERE family(ip_address) = 4") > Size.Sessions / 2);
        Assert.True(await ScalarAsync<long>("SELECT count(*) FROM sessions.sessions WHERE family(ip_address) = 6") > 0);
        Assert.Equal(0, await ScalarAsync<long>("SELECT count(*) FROM sessions.sessions WHERE ip_address << '127.0.0.0/8' OR ip_address << '10.0.0.0/8'"));

        var agents = (await QueryAsync<string>("SELECT user_agent FROM sessions.sessions WHERE user_agent IS NOT NULL")).ToArray();
        Assert.True(agents.Distinct().Count() > 20, "user agents vary");
        Assert.Contains(agents, a => a.Contains("Chrome/") && a.Contains("Windows NT"));
        Assert.Contains(agents, a => a.Contains("iPhone") && a.Contains("Safari/"));
        Assert.Contains(agents, a => a.Contains("Android"));

        Assert.Equal(0, await ScalarAsync<long>("SELECT count(*) FROM sessions.sessions WHERE NOT data ? 'csrf_token' OR created_at > updated_at"));
        Assert.True(await ScalarAsync<long>("SELECT count(*) FROM sessions.sessions WHERE data->'auth' ? 'access_token'") > 0);
        Assert.True(await ScalarAsync<long>("SELECT count(*) FROM sessions.sessions WHERE jsonb_typeof(data->'cart'->'items') = 'array'") > 0);
        Assert.True(await ScalarAsync<long>("SELECT count(DISTINCT user_id) FROM sessions.sessions") < Size.Sessions, "users have several sessions");
    }

    [Fact]
    public async Task Cache_tables_hold_live_and_expired_entries_with_json_values()
    {
        Assert.Equal((long)Math.Round(Size.CacheEntries * CacheEntryGenerator.ExpiredShare),
            await ScalarAsync<long>("SELECT count(*) FROM cache.default_cache WHERE expires_at <= @SeededAt", new { demo.SeededAt }));
        Assert.True(await ScalarAsync<long>("SELECT count(DISTINCT access_count) FROM cache.default_cache") > 10);
        Assert.True(await ScalarAsync<long>("SELECT count(DISTINCT split_part(key, ':', 1)) FROM cache.default_cache") >= 5);
        Assert.Equal(0, await ScalarAsync<long>("""
            SELECT count(*) FROM cache.default_cache
            WHERE jsonb_typeof(value) <> 'object' OR created_at > accessed_at OR created_at >= expires_at OR access_count < 1
            """));

        Assert.Equal(0, await ScalarAsync<long>(
            $"SELECT count(*) FROM {DemoSeeder.EmbeddingsCache} WHERE jsonb_array_length(value->'vector') <> {EmbeddingCacheGenerator.Dimensions}"));
        Assert.Equal((long)Math.Round(Size.EmbeddingCacheEntries * 0.05),
            await ScalarAsync<long>($"SELECT count(*) FROM {DemoSeeder.EmbeddingsCache} WHERE expires_at <= @SeededAt", new { demo.SeededAt }));
        // The same shape as the default cache (a dashboard lists both the same way).
        Assert.Equal(
            await QueryAsync<string>("SELECT column_name || ' ' || data_type FROM information_schema.columns WHERE table_schema = 'cache' AND table_name = 'default_cache' ORDER BY ordinal_position"),
            await QueryAsync<string>("SELECT column_name || ' ' || data_type FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'orchestra_embeddings_cache' ORDER BY ordinal_position"));
    }

    [Fact]
    public async Task Seeded_tables_are_analyzed_so_the_estimates_are_right()
    {
        foreach (var table in AllTables)
        {
            var actual = await ScalarAsync<long>($"SELECT count(*) FROM {table}");
            Assert.Equal(actual, await ScalarAsync<double>($"SELECT reltuples FROM pg_class WHERE oid = '{table}'::regclass"));
        }
    }

    [Fact]
    public async Task Seeding_again_changes_nothing()
    {
        var before = await FingerprintsAsync();

        var lines = new List<string>();
        var second = await new DemoSeeder(demo.Database.DataSource, Size, progress: lines.Add).SeedAsync();

        Assert.All(second.Tables, t => Assert.True(t.LeftAlone && t.RowsInserted == 0, t.ToString()));
        Assert.Equal(0, second.RowsInserted);
        Assert.Equal(AllTables.Select(t => $"{t}: already has rows, left alone"), lines.Where(l => l.Contains("left alone")));
        Assert.Equal(before, await FingerprintsAsync());
    }

    private async Task<List<string>> FingerprintsAsync()
    {
        var result = new List<string>();
        foreach (var table in AllTables)
            result.Add(await ScalarAsync<string>($"SELECT count(*) || ' ' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t"));
        return result;
    }

    private async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var conn = await demo.Database.DataSource.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<T>(sql, parameters) ?? throw new InvalidOperationException($"no value from: {sql}");
    }

    private async Task<IEnumerable<T>> QueryAsync<T>(string sql, object? parameters = null)
    {
        await using var conn = await demo.Database.DataSource.OpenConnectionAsync();
        return (await conn.QueryAsync<T>(sql, parameters)).AsList();
    }
}

/// <summary>A database whose task queue already has a (real) task: the seeder must leave that table alone.</summary>
public sealed class DemoSeederExistingDataTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task A_table_that_already_has_a_row_is_left_alone_and_the_others_are_filled()
    {
        var realTask = Guid.NewGuid();
        await using (var conn = await db.DataSource.OpenConnectionAsync())
            await conn.ExecuteAsync("INSERT INTO task_queue (id, task_type, payload) VALUES (@realTask, 'nightly_backup', '{\"target\": \"s3\"}')", new { realTask });

        var size = DemoSeedSize.Full.Scale(0.004);
        var lines = new List<string>();
        var report = await new DemoSeeder(db.DataSource, size, progress: lines.Add).SeedAsync();

        Assert.True(report[DemoSeeder.Tasks].LeftAlone);
        Assert.Equal(0, report[DemoSeeder.Tasks].RowsInserted);
        Assert.Contains("task_queue: already has rows, left alone", lines);
        await using (var conn = await db.DataSource.OpenConnectionAsync())
        {
            Assert.Equal([realTask], await conn.QueryAsync<Guid>("SELECT id FROM task_queue"));
            Assert.Equal(size.Documents, await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM documents"));
            Assert.Equal(size.Sessions, await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM sessions.sessions"));
        }
        Assert.Equal(size.Documents, report[DemoSeeder.Documents].RowsInserted);
        Assert.False(report[DemoSeeder.Cache].LeftAlone);
    }
}
