using System.Security.Claims;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orchestra.Admin.Hosting;
using Orchestra.Admin.Security;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Security;

/// <summary>What "the sign-in is gone" means for an open page (<see cref="SignIns.IsCurrentAsync"/>), against a real PostgreSQL.</summary>
public class SignInsTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private static readonly DateTimeOffset Later = DateTimeOffset.UtcNow.AddHours(1);

    private static OrchestraAdminOptions Settings(params AdminAccount[] accounts) =>
        new() { Accounts = accounts, Auth = new AuthOptions { SessionMinutes = 60 } };

    private static readonly AdminAccount Olga = new("olga", AdminRoles.Operator, "hash");

    private static SignIns For(NpgsqlDataSource dataSource, OrchestraAdminOptions settings) =>
        new(TestServices.QueryRunner(dataSource, settings), Options.Create(settings), TimeProvider.System, NullLogger<SignIns>.Instance);

    private static ClaimsPrincipal SignedIn(string name = "olga", string role = AdminRoles.Operator, string method = "password", bool withId = true)
    {
        List<Claim> claims = [new(ClaimTypes.Name, name), new(ClaimTypes.Role, role), new(AuthSetup.AuthMethodClaim, method)];
        if (withId) claims.Add(SignIns.NewIdClaim());
        return new ClaimsPrincipal(new ClaimsIdentity(claims, "Cookies", ClaimTypes.Name, ClaimTypes.Role));
    }

    [Fact]
    public async Task Signing_out_ends_that_sign_in_and_no_other()
    {
        await using var viewerRole = await db.ConnectAsRoleAsync("orchestra_admin_viewer"); // what the least-privileged dashboard may do
        var signIns = For(viewerRole, Settings(Olga));
        var tab = SignedIn();
        var otherBrowser = SignedIn();
        Assert.True(await signIns.IsCurrentAsync(tab, Later));

        await signIns.RecordSignOutAsync(tab);
        await signIns.RecordSignOutAsync(tab); // signing out twice (two tabs) is one sign-out

        Assert.False(await signIns.IsCurrentAsync(tab, Later));
        Assert.True(await signIns.IsCurrentAsync(otherBrowser, Later));
        await using var conn = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(1, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM orchestra_admin.sign_outs WHERE sign_in_id = @id",
            new { id = Guid.Parse(tab.FindFirstValue(SignIns.IdClaim)!) }));
    }

    [Fact]
    public async Task Sign_outs_older_than_the_longest_sign_in_are_deleted_on_the_way()
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        var old = Guid.NewGuid();
        await conn.ExecuteAsync("INSERT INTO orchestra_admin.sign_outs (sign_in_id, actor, signed_out_at) VALUES (@old, 'olga', now() - interval '61 minutes')", new { old });

        await For(db.DataSource, Settings(Olga)).RecordSignOutAsync(SignedIn());

        Assert.Equal(0, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM orchestra_admin.sign_outs WHERE sign_in_id = @old", new { old }));
    }

    [Fact]
    public async Task An_expired_cookie_ends_the_sign_in()
    {
        var signIns = For(db.DataSource, Settings(Olga));
        Assert.False(await signIns.IsCurrentAsync(SignedIn(), DateTimeOffset.UtcNow.AddSeconds(-1)));
        Assert.True(await signIns.IsCurrentAsync(SignedIn(), null)); // not known: the other checks decide
    }

    [Fact]
    public async Task An_account_removed_or_given_another_role_ends_its_sign_ins()
    {
        Assert.False(await For(db.DataSource, Settings()).IsCurrentAsync(SignedIn(), Later));
        Assert.False(await For(db.DataSource, Settings(Olga with { Role = AdminRoles.Viewer })).IsCurrentAsync(SignedIn(), Later));
        Assert.True(await For(db.DataSource, Settings(Olga with { Name = "OLGA" })).IsCurrentAsync(SignedIn(), Later));
    }

    [Fact]
    public void A_sign_in_without_an_id_or_by_a_way_in_no_longer_configured_is_not_allowed()
    {
        var signIns = For(db.DataSource, Settings(Olga));
        Assert.False(signIns.IsAllowed(SignedIn(withId: false)));
        Assert.False(signIns.IsAllowed(SignedIn(method: "oidc"))); // single sign-on is not configured here
        Assert.False(signIns.IsAllowed(SignedIn(method: "api-token")));
        Assert.True(signIns.IsAllowed(SignedIn()));
    }

    [Fact]
    public async Task When_PostgreSQL_cannot_answer_the_sign_in_holds()
    {
        // Nothing listens on port 1: an outage, when operators need the dashboard most.
        await using var down = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Username=x;Password=x;Database=x;Timeout=2");
        var signIns = For(down, Settings(Olga));
        var user = SignedIn();
        await signIns.RecordSignOutAsync(user); // logged, not thrown
        Assert.True(await signIns.IsCurrentAsync(user, Later));
    }
}
