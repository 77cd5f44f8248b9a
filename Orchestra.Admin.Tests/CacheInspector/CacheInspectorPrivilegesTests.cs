using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Features.Cache;
using Orchestra.Admin.Security;
using Orchestra.Admin.Tests.Infrastructure;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace Orchestra.Admin.Tests.CacheInspector;

/// <summary>The cache actions work with exactly the grants of sql/roles.sql (the operator role), and not with the viewer's.</summary>
public class CacheInspectorPrivilegesTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    /// <summary>A second cache table (the grants must cover cache tables outside the cache schema too) and known rows.</summary>
    private const string CacheTables = """
        CREATE TABLE IF NOT EXISTS public.orchestra_roles_cache (LIKE cache.default_cache INCLUDING ALL);
        TRUNCATE cache.default_cache, public.orchestra_roles_cache;
        INSERT INTO public.orchestra_roles_cache (key, value, expires_at)
        SELECT 'r:' || g, '{}', CASE WHEN g <= 5 THEN now() - interval '1 minute' ELSE now() + interval '1 hour' END FROM generate_series(1, 8) AS g;
        INSERT INTO cache.default_cache (key, value, expires_at) VALUES ('t:1', '{}', now() + interval '1 hour'), ('m:1', '{}', now()), ('m:2', '{}', now());
        """;

    private Task<NpgsqlDataSource> ConnectAsAsync(string group) => db.ConnectAsRoleAsync(group, CacheTables);

    private static CacheEditor Editor(NpgsqlDataSource dataSource)
    {
        var options = new Orchestra.Admin.Hosting.OrchestraAdminOptions();
        var runner = TestServices.QueryRunner(dataSource, options);
        return new CacheEditor(new CacheService(runner), new OperatorActions(dataSource, new AuditLog(dataSource, NullLogger<AuditLog>.Instance)),
            FakeCurrentOperator.Operator, runner, MsOptions.Create(options));
    }

    [Fact]
    public async Task The_operator_role_can_purge_set_a_TTL_and_delete_by_pattern()
    {
        await using var op = await ConnectAsAsync("orchestra_admin_operator");
        var editor = Editor(op);
        var service = new CacheService(TestServices.QueryRunner(op, new Orchestra.Admin.Hosting.OrchestraAdminOptions()));

        Assert.Equal(5, (await editor.PurgeExpiredAsync("public.orchestra_roles_cache")).RowsAffected);
        var entry = (await service.GetAsync("cache.default_cache", "t:1"))!;
        Assert.Equal(CacheActionStatus.Done, (await editor.SetTtlAsync("cache.default_cache", "t:1", TimeSpan.FromHours(2), entry.ExpiresAt)).Status);
        Assert.Equal(2, (await editor.DeleteMatchingAsync("cache.default_cache", "m:*")).RowsAffected);
        Assert.Null(await new DatabasePrivileges(op).MissingAsync("public.orchestra_roles_cache", "DELETE"));
        // Set TTL needs only the column grant roles.sql gives; the operator may not touch the cached value.
        Assert.Null(await new DatabasePrivileges(op).MissingAsync("cache.default_cache", "UPDATE (expires_at)"));
        Assert.EndsWith(" may not UPDATE (value) cache.default_cache (see sql/roles.sql)",
            await new DatabasePrivileges(op).MissingAsync("cache.default_cache", "UPDATE (value)"));
        Assert.NotNull(await new DatabasePrivileges(op).MissingAsync("cache.default_cache", "UPDATE"));
    }

    [Fact]
    public async Task The_viewer_role_can_browse_but_not_change_the_cache()
    {
        await using var viewer = await ConnectAsAsync("orchestra_admin_viewer");
        var service = new CacheService(TestServices.QueryRunner(viewer, new Orchestra.Admin.Hosting.OrchestraAdminOptions()));
        Assert.Contains(await service.SummariesAsync(), s => s.Table.Display == "public.orchestra_roles_cache" && s.Error == null);

        var e = await Assert.ThrowsAsync<PostgresException>(() => Editor(viewer).DeleteKeyAsync("cache.default_cache", "t:1"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, e.SqlState);
        Assert.NotNull(await new DatabasePrivileges(viewer).MissingAsync("cache.default_cache", "DELETE"));
        Assert.NotNull(await new DatabasePrivileges(viewer).MissingAsync("cache.default_cache", "UPDATE (expires_at)"));
    }
}
