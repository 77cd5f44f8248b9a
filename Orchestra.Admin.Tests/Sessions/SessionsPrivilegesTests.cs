using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Features.Sessions;
using Orchestra.Admin.Security;
using Orchestra.Admin.Tests.Infrastructure;
using MsOptions = Microsoft.Extensions.Options.Options;
using static Orchestra.Admin.Tests.Sessions.SessionsTestData;

namespace Orchestra.Admin.Tests.Sessions;

/// <summary>The sessions pages and actions with exactly the grants of sql/roles.sql: the viewer reads, the operator acts.</summary>
public class SessionsPrivilegesTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private Task<NpgsqlDataSource> ConnectAsAsync(string group) => db.ConnectAsRoleAsync(group);

    [Fact]
    public async Task The_viewer_role_reads_everything_and_the_operator_role_revokes_extends_reveals_and_cleans_up()
    {
        var id = await InsertAsync(db, new("alice", Data: """{"auth": {"access_token": "t"}}"""));
        await InsertAsync(db, new("alice"));
        await InsertAsync(db, new("old", ExpiresIn: TimeSpan.FromDays(-30)));

        await using var viewer = await ConnectAsAsync("orchestra_admin_viewer");
        var options = TestServices.Options(db);
        var reader = new SessionsService(TestServices.QueryRunner(viewer, options), MsOptions.Create(options));
        Assert.Equal(new SessionCounts(2, 1, 0), await reader.CountsAsync());
        Assert.Equal(2, (await reader.BreakdownsAsync()).Users.Single(u => u.Value == "alice").Sessions);
        Assert.Equal(3, (await reader.PageAsync(new SessionPageRequest(new SessionFilter { Network = "10.0.0.0/8" }))).Rows.Count);
        Assert.Equal(["$.auth"], (await reader.GetAsync(id))!.MaskedPaths);
        // The viewer role may not change the table, whatever the app's check says.
        await using (var conn = await viewer.OpenConnectionAsync())
            await Assert.ThrowsAsync<PostgresException>(() => conn.ExecuteAsync("UPDATE sessions.sessions SET deleted_at = now()"));

        await using var op = await ConnectAsAsync("orchestra_admin_operator");
        var actions = new SessionActions(new OperatorActions(op, new AuditLog(op, NullLogger<AuditLog>.Instance)), FakeCurrentOperator.Operator,
            TestServices.QueryRunner(op, options), MsOptions.Create(options), TimeProvider.System);
        Assert.Contains("\"t\"", await actions.RevealAsync(id));
        var seen = (await reader.GetAsync(id))!.Session.ExpiresAt;
        Assert.Equal(1, (await actions.ExtendAsync(id, TimeSpan.FromHours(1), seen)).Changed);
        Assert.Equal(1, (await actions.RevokeAsync(id)).Changed);
        Assert.Equal(1, (await actions.RevokeUserAsync("alice")).Changed);
        var plan = await actions.PlanCleanupAsync(7);
        Assert.Equal(1, plan.Total);
        Assert.Equal(1, (await actions.CleanupAsync(plan)).Deleted);
    }
}
