using Dapper;
using Npgsql;
using Orchestra.Admin.Features.Overview;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Monitoring;

public class CacheHitRatioOnEmptyDatabaseTests(EmptyPostgresDatabase db) : IClassFixture<EmptyPostgresDatabase>
{
    [Fact]
    public async Task A_fresh_database_reports_no_ratio_instead_of_dividing_by_zero()
    {
        var ratio = await new OverviewService(TestServices.QueryRunner(db)).GetCacheHitRatioAsync();
        Assert.Null(ratio.HitRatio);
        Assert.Equal(0, ratio.HeapBlocksHit);
        Assert.Equal(0, ratio.HeapBlocksRead);
    }
}

public class CacheHitRatioTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task Reads_of_the_stack_tables_give_a_ratio_and_the_dashboards_own_tables_do_not_count()
    {
        var service = new OverviewService(TestServices.QueryRunner(db));
        // The fixture created the stack's tables and migrated orchestra_admin (reading schema_versions):
        // nothing of the stack has been read yet.
        Assert.Null((await service.GetCacheHitRatioAsync()).HitRatio);

        await using (var worker = await db.OpenOtherConnectionAsync())
        {
            await worker.ExecuteAsync("""
                INSERT INTO documents (collection, data)
                SELECT 'c', jsonb_build_object('n', g) FROM generate_series(1, 2000) AS g
                """);
            for (var i = 0; i < 3; i++)
                await worker.ExecuteScalarAsync<long>("SELECT count(*) FROM documents WHERE data->>'n' <> ''");
            // Statistics are flushed to shared memory at most once a second; force it.
            await worker.ExecuteAsync("SELECT pg_stat_force_next_flush()");
        }

        var ratio = await service.GetCacheHitRatioAsync();
        Assert.NotNull(ratio.HitRatio);
        Assert.True(ratio.HeapBlocksHit > 0);
        Assert.InRange(ratio.HitRatio!.Value, 0.0, 1.0);
        Assert.Equal((double)ratio.HeapBlocksHit / (ratio.HeapBlocksHit + ratio.HeapBlocksRead), ratio.HitRatio!.Value, 9);
    }
}

public class ConnectionSummaryTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task Counts_active_and_idle_in_transaction_clients_but_not_the_dashboards_own()
    {
        var service = new OverviewService(TestServices.QueryRunner(db));
        var before = await service.GetConnectionSummaryAsync();

        await using var busyWorker = await db.OpenOtherConnectionAsync("worker-busy");
        await using var idleInTx = await db.OpenOtherConnectionAsync("worker-idle-in-tx");
        await using var dashboardOwn = new NpgsqlConnection(db.ConnectionString + ";Pooling=false"); // application name orchestra-admin
        await dashboardOwn.OpenAsync();

        using var stop = new CancellationTokenSource();
        var busy = RunUntilCancelled(busyWorker, stop.Token);
        var ownBusy = RunUntilCancelled(dashboardOwn, stop.Token);
        await idleInTx.ExecuteAsync("BEGIN; SELECT 1;");

        try
        {
            var summary = await Eventually(service, s => s.Active >= 1 && s.IdleInTransaction >= 1);
            Assert.Equal(1, summary.Active);            // the busy worker; the dashboard's own sleeper is left out
            Assert.Equal(1, summary.IdleInTransaction);
            Assert.Equal(before.TotalInDatabase + 2, summary.TotalInDatabase);
            // Server-wide use counts every client backend, the dashboard's own included (they take slots).
            Assert.True(summary.UsedOnServer >= summary.TotalInDatabase + 1);

            await using var check = await db.OpenOtherConnectionAsync();
            Assert.Equal(int.Parse(await check.ExecuteScalarAsync<string>("SHOW max_connections") ?? ""), summary.MaxConnections);
            Assert.Equal(int.Parse(await check.ExecuteScalarAsync<string>("SHOW superuser_reserved_connections") ?? ""), summary.ReservedConnections);
        }
        finally
        {
            stop.Cancel();
            await Task.WhenAll(busy, ownBusy);
        }
    }

    private static async Task RunUntilCancelled(NpgsqlConnection conn, CancellationToken ct)
    {
        try { await conn.ExecuteAsync(new CommandDefinition("SELECT pg_sleep(60)", cancellationToken: ct)); }
        catch (Exception) when (ct.IsCancellationRequested) { }
    }

    private static async Task<ConnectionSummary> Eventually(OverviewService service, Func<ConnectionSummary, bool> condition)
    {
        for (var i = 0; ; i++)
        {
            var s = await service.GetConnectionSummaryAsync();
            if (condition(s) || i == 100) return s;
            await Task.Delay(50);
        }
    }
}

public class TableSizesTests(EmptyPostgresDatabase db) : IClassFixture<EmptyPostgresDatabase>
{
    [Fact]
    public async Task Mixed_case_names_spaces_and_quotes_are_measured_and_quoted()
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        await conn.ExecuteAsync("""
            CREATE SCHEMA "My Schema";
            CREATE TABLE "My Schema"."Mixed Case" (id int PRIMARY KEY, body text);
            INSERT INTO "My Schema"."Mixed Case" SELECT g, repeat(md5(g::text), 20) FROM generate_series(1, 3000) AS g;
            CREATE TABLE public."we""ird name" (id int, body text);
            INSERT INTO public."we""ird name" SELECT g, 'x' FROM generate_series(1, 10) AS g;
            CREATE TABLE public.toasted (body text);
            INSERT INTO public.toasted SELECT string_agg(md5(g::text), '') FROM generate_series(1, 20000) AS g;
            ANALYZE "My Schema"."Mixed Case";
            """);

        // The migration guide's version builds names by concatenation, which fails on such names:
        var defect = await Assert.ThrowsAsync<PostgresException>(() =>
            conn.ExecuteScalarAsync<long>("SELECT pg_total_relation_size('My Schema' || '.' || 'Mixed Case')"));
        Assert.Equal(PostgresErrorCodes.InvalidName, defect.SqlState);

        var sizes = await new OverviewService(TestServices.QueryRunner(db)).GetTableSizesAsync(50);

        var mixed = Assert.Single(sizes, t => t.RelationName == "Mixed Case");
        Assert.Equal("\"My Schema\".\"Mixed Case\"", mixed.TableName);
        Assert.Equal("My Schema", mixed.SchemaName);
        Assert.Equal(await conn.ExecuteScalarAsync<long>("SELECT pg_total_relation_size('\"My Schema\".\"Mixed Case\"'::regclass)"), mixed.TotalBytes);
        Assert.True(mixed.IndexBytes > 0);
        Assert.Equal(mixed.TotalBytes, mixed.TableBytes + mixed.IndexBytes + mixed.ToastBytes + await FreeSpaceAndVisibilityMaps(conn, "\"My Schema\".\"Mixed Case\""));
        Assert.Equal(3000, mixed.EstimatedRows);

        var weird = Assert.Single(sizes, t => t.RelationName == "we\"ird name");
        Assert.Equal("public.\"we\"\"ird name\"", weird.TableName);
        Assert.Null(weird.EstimatedRows); // never analyzed: no estimate rather than PostgreSQL's -1

        var toasted = Assert.Single(sizes, t => t.TableName == "public.toasted");
        Assert.True(toasted.ToastBytes > 0, "a 640 kB value is stored in TOAST");

        Assert.Equal(sizes.OrderByDescending(t => t.TotalBytes).Select(t => t.TotalBytes), sizes.Select(t => t.TotalBytes));
        Assert.Single(await new OverviewService(TestServices.QueryRunner(db)).GetTableSizesAsync(1));
    }

    private static Task<long> FreeSpaceAndVisibilityMaps(NpgsqlConnection conn, string table) =>
        conn.ExecuteScalarAsync<long>($"SELECT pg_relation_size('{table}'::regclass, 'fsm') + pg_relation_size('{table}'::regclass, 'vm')");
}
