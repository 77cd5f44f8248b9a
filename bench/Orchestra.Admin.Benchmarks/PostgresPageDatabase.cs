using Orchestra.Admin.Benchmarks.Shared;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Features.Demo;
using Orchestra.Admin.Hosting;
using Orchestra.Admin.Sampling;

namespace Orchestra.Admin.Benchmarks;

/// <summary>What the benchmark's database holds, read from the catalog once it is built.</summary>
public sealed record DatasetFigures(long Tables, long Indexes, long Sequences, long EstimatedRows, long DatabaseBytes, long LargestTableRows, long LargestTableBytes)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Tables:N0} tables, {Indexes:N0} indexes, {Sequences:N0} sequences, ≈ {EstimatedRows:N0} rows (sum of pg_class.reltuples), " +
        $"{DatabaseBytes / 1024d / 1024:N0} MB on disk; largest table ≈ {LargestTableRows:N0} rows, {LargestTableBytes / 1024d / 1024:N0} MB with its indexes");
}

/// <summary>
/// The database the benchmark reads: a fresh database on the tests' throwaway cluster (or on the server
/// <c>BENCH_POSTGRES_DSN</c> names), with the stack's schema, the dashboard's schema, the demo seed, 1,200 more
/// tables and one 5-million-row table, analyzed, with statement statistics and a week of sampler history.
/// Built once per run and dropped at the end.
/// </summary>
public sealed class PostgresPageDatabase : BenchDatabase
{
    public const int ExtraTables = 1_200;
    public const int BigTableRows = 5_000_000;
    private const string BigTable = "app.ledger_entries";

    private PostgresPageDatabase() : base("orchestra_bench_", setupPoolSize: 10) { }

    public static Task<PostgresPageDatabase> CreateAsync(Action<string> log) => CreateAsync(new PostgresPageDatabase(), log);

    protected override async Task LoadAsync(NpgsqlDataSource setup, Action<string> done)
    {
        await using (var conn = await setup.OpenConnectionAsync())
            await conn.ExecuteAsync("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        done("stack schema, dashboard schema, pg_stat_statements");

        var seed = await new DemoSeeder(setup, DemoSeedSize.Full).SeedAsync();
        done(string.Create(CultureInfo.InvariantCulture, $"demo seed at scale 1: {seed.RowsInserted:N0} rows"));

        await using (var conn = await setup.OpenConnectionAsync())
            await conn.ExecuteAsync("CREATE SCHEMA app");
        // Two connections: the machine the numbers are for has two cores.
        const int batch = 100;
        var batches = Enumerable.Range(0, ExtraTables / batch).Select(b => (From: b * batch + 1, To: (b + 1) * batch)).ToList();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (range, ct) =>
        {
            await using var conn = await setup.OpenConnectionAsync(ct);
            await conn.ExecuteAsync(new CommandDefinition(ExtraTablesSql(range.From, range.To), cancellationToken: ct));
        });
        done(string.Create(CultureInfo.InvariantCulture, $"{ExtraTables:N0} more tables in schema app (primary key, a secondary index, every third with a JSONB column and its GIN index, 1–20 rows each)"));

        await using (var conn = await setup.OpenConnectionAsync())
            await conn.ExecuteAsync($"""
                CREATE TABLE {BigTable} (
                    id          bigint NOT NULL,
                    account_id  int NOT NULL,
                    kind        text NOT NULL,
                    amount      numeric(12, 2) NOT NULL,
                    created_at  timestamptz NOT NULL
                )
                """);
        const int half = BigTableRows / 2;
        await Task.WhenAll(FillBigTableAsync(setup, 1, half), FillBigTableAsync(setup, half + 1, BigTableRows));
        await using (var conn = await setup.OpenConnectionAsync())
        {
            await conn.ExecuteAsync($"ALTER TABLE {BigTable} ADD PRIMARY KEY (id)");
            await conn.ExecuteAsync($"CREATE INDEX ledger_entries_account_idx ON {BigTable} (account_id, created_at)");
        }
        done(string.Create(CultureInfo.InvariantCulture, $"{BigTable}: {BigTableRows:N0} rows, primary key and a secondary index"));

        await using (var conn = await setup.OpenConnectionAsync())
            await conn.ExecuteAsync("VACUUM (ANALYZE)"); // as autovacuum would have by now; also keeps it from starting mid-measurement
        done("VACUUM (ANALYZE) of the whole database");

        await RunWorkloadAsync(setup);
        done("a workload for the statistics: point reads on 300 tables, index reads and sequential scans of the big table, a few updates");

        await FillSamplerHistoryAsync(setup);
        done("a week of sampler history (every 15 s) in orchestra_admin.metric_samples");

        // Write out what the build dirtied now, not in a spread checkpoint during the measurements.
        await using (var conn = await setup.OpenConnectionAsync())
            await BenchServer.CheckpointAsync(conn);
        Figures = (await ReadFiguresAsync(setup)).ToString();
    }

    private static string ExtraTablesSql(int from, int to) => string.Create(CultureInfo.InvariantCulture, $$"""
        DO $$
        DECLARE
            kinds text[] := ARRAY['orders', 'invoices', 'customers', 'events', 'products', 'shipments', 'payments', 'audit_trail', 'carts', 'reviews'];
            t text;
        BEGIN
            FOR i IN {{from}}..{{to}} LOOP
                t := format('%s_%s', kinds[1 + i % 10], lpad(i::text, 4, '0'));
                IF i % 3 = 0 THEN
                    EXECUTE format('CREATE TABLE app.%I (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, account_id int NOT NULL, name text NOT NULL, attrs jsonb NOT NULL DEFAULT ''{}'', created_at timestamptz NOT NULL DEFAULT now())', t);
                    EXECUTE format('INSERT INTO app.%I (account_id, name, attrs) SELECT g %% 7, ''item '' || g, jsonb_build_object(''tier'', g %% 3, ''tags'', jsonb_build_array(''new'', ''eu'')) FROM generate_series(1, %s) AS g', t, 1 + i % 20);
                    EXECUTE format('CREATE INDEX %I ON app.%I USING gin (attrs)', t || '_attrs_idx', t);
                ELSE
                    EXECUTE format('CREATE TABLE app.%I (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, account_id int NOT NULL, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())', t);
                    EXECUTE format('INSERT INTO app.%I (account_id, name) SELECT g %% 7, ''item '' || g FROM generate_series(1, %s) AS g', t, 1 + i % 20);
                END IF;
                EXECUTE format('CREATE INDEX %I ON app.%I (account_id, created_at)', t || '_account_idx', t);
            END LOOP;
        END $$;
        """);

    private static async Task FillBigTableAsync(NpgsqlDataSource setup, long from, long to)
    {
        await using var conn = await setup.OpenConnectionAsync();
        await conn.ExecuteAsync($"""
            INSERT INTO {BigTable} (id, account_id, kind, amount, created_at)
            SELECT g,
                   (g * 7919) % 50000,
                   (ARRAY['debit', 'credit', 'refund', 'fee'])[1 + g % 4],
                   ((g * 31) % 100000) / 100.0,
                   now() - make_interval(secs => g)
            FROM generate_series(@from, @to) AS g
            """, new { from, to });
    }

    /// <summary>Reads and writes of a running stack, so pg_stat_statements, the scan counters and the dead-row counts have something to show.</summary>
    private static async Task RunWorkloadAsync(NpgsqlDataSource setup)
    {
        await using var conn = await setup.OpenConnectionAsync();
        var tables = (await conn.QueryAsync<string>(
            "SELECT format('%I.%I', schemaname, relname) FROM pg_stat_user_tables WHERE schemaname = 'app' AND relname <> 'ledger_entries' ORDER BY relname LIMIT 300")).ToList();
        foreach (var table in tables)
        {
            for (var id = 1; id <= 3; id++)
                await conn.QueryAsync($"SELECT * FROM {table} WHERE id = @id", new { id });
            await conn.QueryAsync($"SELECT * FROM {table} WHERE account_id = @account ORDER BY created_at DESC LIMIT 10", new { account = 3 });
        }
        foreach (var table in tables.Take(60))
            await conn.ExecuteAsync($"UPDATE {table} SET name = name || ' (edited)' WHERE id % 2 = 0");
        for (var account = 0; account < 200; account++)
            await conn.QueryAsync($"SELECT kind, sum(amount) FROM {BigTable} WHERE account_id = @account GROUP BY kind", new { account });
        for (var i = 0; i < 2; i++)
            await conn.QueryAsync($"SELECT kind, count(*), sum(amount) FROM {BigTable} GROUP BY kind"); // sequential scans
        await conn.QueryAsync("SELECT collection, count(*) FROM documents GROUP BY collection");
    }

    /// <summary>A week of sampler rounds every 15 s (its default interval and retention), shaped from one real round.</summary>
    private static async Task FillSamplerHistoryAsync(NpgsqlDataSource setup)
    {
        var options = Options.Create(new OrchestraAdminOptions());
        var runner = new PostgresQueryRunner(setup, options, NullLogger<PostgresQueryRunner>.Instance);
        var sampler = new MetricSampler(runner, setup, options, TimeProvider.System, NullLogger<MetricSampler>.Instance);
        var round = await sampler.SampleOnceAsync();
        await using var conn = await setup.OpenConnectionAsync();
        await conn.ExecuteAsync("""
            INSERT INTO orchestra_admin.metric_samples (metric, sampled_at, value)
            SELECT m.metric, ts,
                   CASE WHEN m.metric LIKE 'xact.%'
                        THEN greatest(0, m.value - EXTRACT(EPOCH FROM @now - ts) / 15 * 40)
                        ELSE m.value * (0.9 + 0.1 * sin(EXTRACT(EPOCH FROM ts) / 3600)) END
            FROM unnest(@metrics, @values) AS m(metric, value)
            CROSS JOIN generate_series(@now - interval '7 days', @now - interval '15 seconds', interval '15 seconds') AS ts
            ON CONFLICT (metric, sampled_at) DO NOTHING
            """, new { now = round.SampledAt.UtcDateTime, metrics = round.Values.Keys.ToArray(), values = round.Values.Values.ToArray() });
        await conn.ExecuteAsync("VACUUM (ANALYZE) orchestra_admin.metric_samples"); // or autovacuum would, mid-measurement
    }

    private static async Task<DatasetFigures> ReadFiguresAsync(NpgsqlDataSource setup)
    {
        await using var conn = await setup.OpenConnectionAsync();
        return await conn.QuerySingleAsync<DatasetFigures>($"""
            SELECT
                count(*) FILTER (WHERE c.relkind IN ('r', 'p')) AS tables,
                count(*) FILTER (WHERE c.relkind = 'i') AS indexes,
                count(*) FILTER (WHERE c.relkind = 'S') AS sequences,
                COALESCE(sum(c.reltuples) FILTER (WHERE c.relkind IN ('r', 'p') AND c.reltuples > 0), 0)::bigint AS estimatedrows,
                pg_database_size(current_database()) AS databasebytes,
                (SELECT reltuples::bigint FROM pg_class WHERE oid = '{BigTable}'::regclass) AS largesttablerows,
                pg_total_relation_size('{BigTable}'::regclass) AS largesttablebytes
            FROM pg_class AS c
            JOIN pg_namespace AS n ON n.oid = c.relnamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND n.nspname NOT LIKE 'pg_toast%'
            """);
    }
}
