using Dapper;
using Npgsql;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Features.Overview;
using Orchestra.Admin.Security;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Security;

/// <summary>setup-database, as docker-compose.yml runs it: the dashboard gets a login of its own instead of the owner's.</summary>
public class SetupDatabaseCommandTests(EmptyPostgresDatabase db) : IClassFixture<EmptyPostgresDatabase>
{
    private async Task<NpgsqlDataSource> SetUpAsync(string login, string password, string group)
    {
        await using (var owner = NpgsqlDataSource.Create(db.ConnectionString))
        {
            await SqlScripts.ApplyStackSchemaAsync(owner); // the stack's tables exist before the dashboard is set up
            await SetupDatabaseCommand.SetUpAsync(owner, login, password, group);
        }
        return NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(db.ConnectionString) { Username = login, Password = password, Pooling = false }.ConnectionString);
    }

    [Fact]
    public async Task The_dashboard_gets_a_least_privilege_login_that_runs_it_and_a_second_run_moves_it_to_the_other_group()
    {
        var login = "admin_app_" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            await using (var app = await SetUpAsync(login, "first-password", "operator"))
            {
                // The dashboard starts on it: its schema is there, EXPLAIN ANALYZE is contained, the login tile is green.
                Assert.Empty(await SqlScripts.MigrateAdminSchemaAsync(app));
                var runner = TestServices.QueryRunner(app, TestServices.Options(db));
                var tile = StatusRules.DashboardLogin(await new OverviewService(runner).GetDashboardLoginAsync());
                Assert.Equal((StatusLevel.Ok, login), (tile.Level, tile.Value));
                Assert.Equal("Least privilege: a member of orchestra_admin_operator, orchestra_admin_viewer.", tile.Reason);
                Assert.Null(await TestServices.Explain(app, app, TestServices.Options(db), FakeCurrentOperator.Operator).AnalyzeUnavailableAsync());
            }

            // Again, as a viewer: no longer in the operator group, so no longer allowed to act or to explain-analyze.
            await using (var app = await SetUpAsync(login, "second-password", "viewer"))
            {
                var groups = (await new OverviewService(TestServices.QueryRunner(app, TestServices.Options(db))).GetDashboardLoginAsync()).AdminGroups;
                Assert.Equal("orchestra_admin_viewer", groups);
                await using var conn = await app.OpenConnectionAsync();
                Assert.False(await conn.ExecuteScalarAsync<bool>("SELECT has_table_privilege('task_queue', 'UPDATE')"));
            }
        }
        finally
        {
            await using var owner = await db.OpenOtherConnectionAsync();
            await owner.ExecuteAsync($"DROP OWNED BY {login}; DROP ROLE IF EXISTS {login}");
        }
    }

    [Theory]
    [InlineData(null, "operator", "pw", "--login <name> is required")]
    [InlineData("Admin", "operator", "pw", "--login must be 1 to 63 lowercase letters")]
    [InlineData("x; DROP ROLE postgres", "operator", "pw", "--login must be 1 to 63 lowercase letters")]
    [InlineData("pg_admin", "operator", "pw", "--login may not start with pg_")]
    [InlineData("admin_app", "superuser", "pw", "--group must be operator or viewer")]
    [InlineData("admin_app", "operator", "", "set the login's password in ORCHESTRA_ADMIN_DB_PASSWORD")]
    public async Task Bad_arguments_are_refused_before_anything_connects(string? login, string group, string password, string expected)
    {
        var error = new StringWriter();
        string[] args = login is null ? ["--group", group] : ["--login", login, "--group", group];

        Assert.Equal(2, await SetupDatabaseCommand.RunAsync(args, password, TextWriter.Null, error));
        Assert.Contains(expected, error.ToString());
    }
}
