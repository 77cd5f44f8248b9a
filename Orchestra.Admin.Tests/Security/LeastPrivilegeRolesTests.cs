using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Features.Overview;
using Orchestra.Admin.Security;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Security;

/// <summary>sql/roles.sql applied as the owner; the dashboard then connects as a login role in one of its groups.</summary>
public class LeastPrivilegeRolesTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private Task<NpgsqlDataSource> ConnectAsAsync(string group) => db.ConnectAsRoleAsync(group, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");

    [Fact]
    public async Task The_read_only_role_can_view_and_record_but_not_act()
    {
        await using var viewer = await ConnectAsAsync("orchestra_admin_viewer");

        // The dashboard starts: its schema is up to date, so the migrator changes nothing and needs no CREATE.
        Assert.Empty(await SqlScripts.MigrateAdminSchemaAsync(viewer));
        var overview = new OverviewService(TestServices.QueryRunner(viewer, new Orchestra.Admin.Hosting.OrchestraAdminOptions()));
        await overview.GetCacheHitRatioAsync();
        await overview.GetConnectionSummaryAsync();
        Assert.Contains(await overview.GetTableSizesAsync(20), t => t.TableName == "public.task_queue");

        // The sampler stores its rounds and applies its retention with the read-only role too.
        var sampler = TestServices.Sampler(viewer, new Orchestra.Admin.Hosting.OrchestraAdminOptions());
        Assert.NotEmpty((await sampler.SampleOnceAsync()).Values);

        var privileges = new DatabasePrivileges(viewer);
        Assert.Matches("^the database role orchestra_admin_viewer_\\w+ may not UPDATE task_queue", await privileges.MissingAsync("task_queue", "UPDATE"));
        Assert.Null(await privileges.MissingAsync("task_queue", "SELECT"));

        await using var conn = await viewer.OpenConnectionAsync();
        Assert.False(await conn.ExecuteScalarAsync<bool>("SELECT has_function_privilege('pg_stat_statements_reset(oid, oid, bigint)', 'EXECUTE')"));
        var denied = await Assert.ThrowsAsync<PostgresException>(() => conn.ExecuteAsync("UPDATE task_queue SET priority = 1"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, denied.SqlState);

        Assert.NotNull(await new AuditLog(viewer, NullLogger<AuditLog>.Instance).TryWriteAsync(new AuditEntry("sign-in", "vera", "Viewer", null, true)));
        var update = await Assert.ThrowsAsync<PostgresException>(() => conn.ExecuteAsync("UPDATE orchestra_admin.audit_log SET actor = 'x'"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, update.SqlState);
    }

    [Fact]
    public async Task The_operator_role_has_only_the_write_grants_the_actions_need()
    {
        await using var op = await ConnectAsAsync("orchestra_admin_operator");
        await using var conn = await op.OpenConnectionAsync();

        await conn.ExecuteAsync("UPDATE task_queue SET priority = priority WHERE false");
        await conn.ExecuteAsync("DELETE FROM task_queue WHERE false"); // delete tasks (issue 9)
        await conn.ExecuteAsync("INSERT INTO orchestra_admin.task_attempts (task_id, operation_id, action, requeued_by) SELECT gen_random_uuid(), gen_random_uuid(), 'x', 'y' WHERE false");
        await conn.ExecuteAsync("UPDATE sessions.sessions SET deleted_at = now() WHERE false");
        await conn.ExecuteAsync("DELETE FROM cache.default_cache WHERE false");
        await conn.ExecuteAsync("UPDATE cache.default_cache SET expires_at = expires_at WHERE false"); // cache TTL; the purge's FOR UPDATE
        Assert.Null(await new DatabasePrivileges(op).MissingAsync("documents", "DELETE"));
        Assert.True(await conn.ExecuteScalarAsync<bool>("SELECT has_function_privilege('pg_stat_statements_reset(oid, oid, bigint)', 'EXECUTE')"));

        // Nothing the actions do not need: no inserting tasks, no changing the cache, no schema changes, no audit edits.
        foreach (var sql in new[]
                 {
                     "INSERT INTO task_queue (task_type, payload) VALUES ('x', '{}')",
                     "UPDATE cache.default_cache SET access_count = 0 WHERE false",
                     "INSERT INTO documents (collection, data) VALUES ('x', '{}')",
                     "CREATE TABLE public.sneaky (id int)",
                     "DELETE FROM orchestra_admin.audit_log WHERE false",
                 })
        {
            var e = await Assert.ThrowsAsync<PostgresException>(() => conn.ExecuteAsync(sql));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, e.SqlState);
        }
    }
}
