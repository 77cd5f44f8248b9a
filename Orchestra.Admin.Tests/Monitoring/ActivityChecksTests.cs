using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orchestra.Admin.Features.Postgres;
using Orchestra.Admin.Hosting;
using Orchestra.Admin.Security;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Monitoring;

public class ActivityChecksTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private ActivityChecks Checks(ICurrentOperator? who = null) => new(
        TestServices.QueryRunner(db),
        new OperatorActions(db.DataSource, new AuditLog(db.DataSource, NullLogger<AuditLog>.Instance)),
        who ?? FakeCurrentOperator.Operator,
        Microsoft.Extensions.Options.Options.Create(TestServices.Options(db)));

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> condition)
    {
        for (var i = 0; ; i++)
        {
            var value = await read();
            if (condition(value) || i == 100) return value;
            await Task.Delay(50);
        }
    }

    /// <summary>Runs a statement in the background; completes with how it ended (null: it finished normally).</summary>
    private static Task<Exception?> RunAsync(NpgsqlConnection conn, string sql) =>
        Task.Run(async () =>
        {
            try
            {
                await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 120 };
                await cmd.ExecuteNonQueryAsync();
                return null;
            }
            catch (NpgsqlException e) { return (Exception?)e; } // cancelled (57014) or terminated (connection gone)
        });

    private async Task<int> PidOf(NpgsqlConnection conn) => await conn.ExecuteScalarAsync<int>("SELECT pg_backend_pid()");

    [Fact]
    public async Task Connections_are_grouped_by_application_user_state_and_address()
    {
        await using var worker = await db.OpenOtherConnectionAsync("billing-worker");
        var groups = await Checks().ConnectionGroupsAsync();
        var group = Assert.Single(groups, g => g.ApplicationName == "billing-worker");
        Assert.Equal(("idle", "127.0.0.1", false, 1L), (group.State, group.ClientAddress, group.IsDashboard, group.Connections));
        Assert.Contains(groups, g => g.IsDashboard && g.ApplicationName == "orchestra-admin");
    }

    [Fact]
    public async Task An_idle_transaction_is_reported_with_its_age()
    {
        await using var idle = await db.OpenOtherConnectionAsync("forgetful-worker");
        await idle.ExecuteAsync("BEGIN; SELECT 1 AS forgotten;");
        var pid = await PidOf(idle);
        await Task.Delay(600);

        var found = Assert.Single(await Checks().IdleInTransactionAsync(), i => i.Pid == pid);
        Assert.Equal("forgetful-worker", found.ApplicationName);
        Assert.True(found.TransactionSeconds >= 0.3, $"transaction age {found.TransactionSeconds}");
        Assert.Contains("SELECT pg_backend_pid()", found.LastQuery);
    }

    [Fact]
    public async Task A_running_query_is_listed_and_an_operator_can_cancel_it()
    {
        // The worker is psql, another real client: Npgsql 10's client hangs after a server-side cancel of its own
        // query (seen here: backend idle in ClientRead, client still reading), which is not what is under test.
        await using var report = PsqlClient.Start(db, "report-job", "SELECT pg_sleep(60) /* long report */");

        var checks = Checks();
        var live = await EventuallyAsync(() => checks.LiveQueriesAsync(), l => l.Any(q => q.ApplicationName == "report-job" && q.Query.Contains("long report")));
        var query = Assert.Single(live, q => q.ApplicationName == "report-job");
        var pid = query.Pid;
        Assert.Equal(("active", "report-job", false), (query.State, query.ApplicationName, query.IsDashboard));
        Assert.Equal(("Timeout", "PgSleep"), (query.WaitEventType, query.WaitEvent));
        Assert.True(query.DurationSeconds >= 0);

        var result = await checks.SignalAsync(query, SignalKind.Cancel);
        Assert.Equal(1, result.RowsAffected);
        var (exitCode, output) = await report.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.NotEqual(0, exitCode);
        Assert.Contains("canceling statement due to user request", output);

        await using var conn = await db.OpenOtherConnectionAsync();
        var audit = await conn.QuerySingleAsync<(string Action, long Rows, string Previous)>(
            "SELECT action, rows_affected, previous::text FROM orchestra_admin.audit_log WHERE id = @id", new { id = result.AuditId });
        Assert.Equal(("postgres.query.cancel", 1L), (audit.Action, audit.Rows));
        Assert.Contains("long report", audit.Previous);
    }

    [Fact]
    public async Task Terminate_ends_the_connection_and_a_stale_target_changes_nothing()
    {
        await using var victim = await db.OpenOtherConnectionAsync("stuck-worker");
        var pid = await PidOf(victim);
        var running = RunAsync(victim, "SELECT pg_sleep(60)");
        var checks = Checks();
        var query = Assert.Single(await EventuallyAsync(() => checks.LiveQueriesAsync(), l => l.Any(q => q.Pid == pid)), q => q.Pid == pid);

        // The same pid but another backend start: a reused pid must not be signalled.
        var stale = await checks.SignalAsync(query with { BackendStart = query.BackendStart.AddSeconds(-5) }, SignalKind.Terminate);
        Assert.Equal(0, stale.RowsAffected);

        Assert.Equal(1, (await checks.SignalAsync(query, SignalKind.Terminate)).RowsAffected);
        await running.WaitAsync(TimeSpan.FromSeconds(10));
        await using var check = await db.OpenOtherConnectionAsync();
        Assert.False(await EventuallyAsync(
            () => check.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = @pid)", new { pid }), gone => !gone));
    }

    [Fact]
    public async Task A_viewer_cannot_signal_and_nobody_can_signal_the_dashboards_own_backends()
    {
        await using var busy = await db.OpenOtherConnectionAsync("nightly-job");
        var pid = await PidOf(busy);
        var running = RunAsync(busy, "SELECT pg_sleep(3)");
        var query = Assert.Single(await EventuallyAsync(() => Checks().LiveQueriesAsync(), l => l.Any(q => q.Pid == pid)), q => q.Pid == pid);

        await Assert.ThrowsAsync<OperatorRequiredException>(() => Checks(FakeCurrentOperator.Viewer).SignalAsync(query, SignalKind.Terminate));
        var e = await Assert.ThrowsAsync<InvalidInputException>(() => Checks().SignalAsync(query with { IsDashboard = true }, SignalKind.Cancel));
        Assert.Contains("dashboard's own", e.Message);

        // Even when the flag is lied about, the SQL guard refuses a backend named orchestra-admin.
        await using var own = new NpgsqlConnection(db.ConnectionString + ";Pooling=false");
        await own.OpenAsync();
        var ownPid = await PidOf(own);
        var ownQuery = query with { Pid = ownPid, BackendStart = await own.ExecuteScalarAsync<DateTime>("SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()"), QueryStart = null };
        Assert.Equal(0, (await Checks().SignalAsync(ownQuery, SignalKind.Terminate)).RowsAffected);
        Assert.Equal(1, await own.ExecuteScalarAsync<int>("SELECT 1"));

        await running; // the viewer's refusal left the query running to its end
    }

    [Fact]
    public async Task A_blocked_query_is_shown_under_the_one_that_blocks_it()
    {
        await using var setup = await db.OpenOtherConnectionAsync();
        await setup.ExecuteAsync("CREATE TABLE ledger (id int)");
        await using var holder = await db.OpenOtherConnectionAsync("migration");
        await using var waiter = await db.OpenOtherConnectionAsync("api");
        await using var second = await db.OpenOtherConnectionAsync("reporting");
        await holder.ExecuteAsync("BEGIN; LOCK TABLE ledger IN ACCESS EXCLUSIVE MODE;");
        var (holderPid, waiterPid, secondPid) = (await PidOf(holder), await PidOf(waiter), await PidOf(second));
        var waiting = RunAsync(waiter, "SELECT count(*) FROM ledger");
        var waiting2 = RunAsync(second, "INSERT INTO ledger VALUES (1)");

        var tree = await EventuallyAsync(() => Checks().BlockingTreeAsync(), t => t.Count == 1 && t[0].Waiters.Count == 2);
        var root = Assert.Single(tree);
        Assert.Equal(holderPid, root.Backend.Pid);
        Assert.Equal("migration", root.Backend.ApplicationName);
        Assert.Equal("idle in transaction", root.Backend.State);
        Assert.Equal([waiterPid, secondPid], root.Waiters.Select(w => w.Backend.Pid).Order());
        Assert.All(root.Waiters, w => Assert.Equal("Lock", w.Backend.WaitEventType));

        await holder.ExecuteAsync("ROLLBACK");
        await Task.WhenAll(waiting, waiting2);
        Assert.Empty(await Checks().BlockingTreeAsync());
    }

    [Fact]
    public void The_tree_keeps_chains_and_survives_a_cycle()
    {
        BlockingBackend B(int pid, params int[] blockedBy) => new() { Pid = pid, BlockedBy = blockedBy };
        var chain = ActivityChecks.BuildTree([B(1), B(2, 1), B(3, 2)]);
        Assert.Equal(1, Assert.Single(chain).Backend.Pid);
        Assert.Equal(3, chain[0].Waiters[0].Waiters[0].Backend.Pid);

        var cycle = ActivityChecks.BuildTree([B(1, 2), B(2, 1)]);
        Assert.Equal(2, cycle.Count); // no root in a cycle: each shows, once with the other under it
        Assert.All(cycle, n => Assert.Single(n.Waiters));
    }
}

public class CacheChecksTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task Table_and_index_ratios_overall_and_per_table()
    {
        var checks = new CacheChecks(TestServices.QueryRunner(db));
        Assert.Null((await checks.HitRatiosAsync()).IndexHitRatio);

        await using (var worker = await db.OpenOtherConnectionAsync())
        {
            await worker.ExecuteAsync("""
                CREATE TABLE readings (id int PRIMARY KEY, v text);
                INSERT INTO readings SELECT g, md5(g::text) FROM generate_series(1, 5000) AS g;
                SET enable_seqscan = off;
                """);
            for (var i = 1; i <= 50; i++) await worker.ExecuteScalarAsync<string>("SELECT v FROM readings WHERE id = @i", new { i = i * 97 });
            await worker.ExecuteAsync("SELECT pg_stat_force_next_flush()");
        }

        var overall = await checks.HitRatiosAsync();
        Assert.InRange(overall.TableHitRatio!.Value, 0.0, 1.0);
        Assert.InRange(overall.IndexHitRatio!.Value, 0.0, 1.0);
        var readings = Assert.Single(await checks.HitRatiosByTableAsync(10), t => t.TableName == "public.readings");
        Assert.NotNull(readings.IndexHitRatio);
        Assert.True(readings.HeapBlocksHit + readings.HeapBlocksRead > 0);
    }
}
