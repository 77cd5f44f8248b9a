using Dapper;
using Orchestra.Admin.Features.Overview;
using Orchestra.Admin.Features.Postgres;
using Orchestra.Admin.Sampling;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Monitoring;

public class StatusTilesServiceTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task Tiles_turn_amber_for_an_invalid_index_and_a_blocked_query_and_say_why()
    {
        var options = TestServices.Options(db);
        var runner = TestServices.QueryRunner(db.DataSource, options);
        var sampler = TestServices.Sampler(db.DataSource, options);
        var service = new StatusTilesService(sampler, new OverviewService(runner), new MaintenanceChecks(runner), new IndexChecks(runner),
            Microsoft.Extensions.Options.Options.Create(options));

        var before = await service.GetAsync();
        Assert.Equal(StatusLevel.Unknown, before.Single(t => t.Title == "Blocked queries").Level); // no sampler round yet
        Assert.Equal(StatusLevel.Ok, before.Single(t => t.Title == "Indexes").Level);

        await using (var setup = await db.OpenOtherConnectionAsync())
        {
            await setup.ExecuteAsync("CREATE TABLE dupes (v int); INSERT INTO dupes VALUES (1), (1);");
            await Assert.ThrowsAnyAsync<Exception>(() => setup.ExecuteAsync("CREATE UNIQUE INDEX CONCURRENTLY dupes_v ON dupes (v)"));
        }
        await sampler.SampleOnceAsync();
        var calm = await service.GetAsync();
        var indexes = calm.Single(t => t.Title == "Indexes");
        Assert.Equal(StatusLevel.Warning, indexes.Level);
        Assert.Contains("1 invalid", indexes.Value);
        Assert.All(calm, t => Assert.NotEqual(StatusLevel.Unknown, t.Level));

        await using var holder = await db.OpenOtherConnectionAsync("holder");
        await holder.ExecuteAsync("BEGIN; LOCK TABLE dupes IN ACCESS EXCLUSIVE MODE;");
        await using var waiter = PsqlClient.Start(db, "waiter", "SELECT count(*) FROM dupes");
        for (var i = 0; i < 100 && (await sampler.SampleOnceAsync()).Values["connections.waiting_on_locks"] < 1; i++) await Task.Delay(50);

        var tiles = await service.GetAsync();
        var blocked = tiles.Single(t => t.Title == "Blocked queries");
        Assert.Equal((StatusLevel.Warning, "1"), (blocked.Level, blocked.Value));
        // The index check needs a lock on the locked table: it gives up at once (lock_timeout) instead of queueing behind
        // the lock, and only its own tile says so.
        var stuck = tiles.Single(t => t.Title == "Indexes");
        Assert.Equal(StatusLevel.Unknown, stuck.Level);
        Assert.StartsWith("Skipped: a table this reads is locked by another session", stuck.Reason);

        await holder.ExecuteAsync("ROLLBACK");
    }

    [Fact]
    public async Task The_login_tile_warns_when_the_dashboard_logs_in_as_a_superuser_and_not_with_the_least_privilege_roles()
    {
        var superuser = await LoginTileAsync(db.DataSource);
        Assert.Equal((StatusLevel.Warning, "postgres"), (superuser.Level, superuser.Value));
        Assert.StartsWith("Logs in with SUPERUSER: whatever the dashboard is made to run has those rights.", superuser.Reason);

        await using var op = await db.ConnectAsRoleAsync("orchestra_admin_operator");
        var operatorLogin = await LoginTileAsync(op);
        Assert.Equal(StatusLevel.Ok, operatorLogin.Level);
        Assert.StartsWith("orchestra_admin_operator_", operatorLogin.Value);
        Assert.Equal("Least privilege: a member of orchestra_admin_operator, orchestra_admin_viewer.", operatorLogin.Reason);

        async Task<StatusTile> LoginTileAsync(Npgsql.NpgsqlDataSource login)
        {
            var options = TestServices.Options(db);
            var runner = TestServices.QueryRunner(login, options);
            var service = new StatusTilesService(TestServices.Sampler(login, options), new OverviewService(runner), new MaintenanceChecks(runner),
                new IndexChecks(runner), Microsoft.Extensions.Options.Options.Create(options));
            return (await service.GetAsync()).Single(t => t.Title == "Dashboard's database login");
        }
    }
}
