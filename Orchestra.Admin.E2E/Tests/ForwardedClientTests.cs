using System.Net;
using System.Net.Http.Headers;
using Dapper;
using Orchestra.Admin.Features.Tasks;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.E2E.Tests;

/// <summary>A sign-in app with tight per-address limits (sign-in attempts, unknown API tokens) and an API token.</summary>
public abstract class ClientAddressApp : SignInApp
{
    public const int Limit = 4;
    public const int ApiTokenLimit = 3;

    protected override int AttemptsPerIp => Limit;

    protected override void AddEnvironment(Dictionary<string, string?> environment)
    {
        environment["OrchestraAdmin__Auth__ApiTokenFailuresPerIp"] = ApiTokenLimit.ToString();
        environment[ApiTokens.TokensKey] = $"ci:{PasswordHashing.Hash("ci-token-0123456789abcdef")}";
    }

    /// <summary>Who signed in or tried to, from which address, as the audit log has it.</summary>
    public async Task<string[]> AuditedAddressesAsync(string actor)
    {
        await using var conn = Database.DataSource.CreateConnection();
        return (await conn.QueryAsync<string>(
            "SELECT host(client_ip) FROM orchestra_admin.audit_log WHERE actor = @actor AND action IN ('sign-in', 'sign-out') ORDER BY id",
            new { actor })).ToArray();
    }
}

/// <summary>The app behind a reverse proxy it trusts (OrchestraAdmin:TrustedProxies = the loopback address the tests connect from).</summary>
public sealed class TrustedProxyApp : ClientAddressApp
{
    protected override void AddEnvironment(Dictionary<string, string?> environment)
    {
        base.AddEnvironment(environment);
        environment["OrchestraAdmin__TrustedProxies__0"] = "127.0.0.1";
    }
}

/// <summary>The app reached directly: no trusted proxy is configured, so loopback is just another client.</summary>
public sealed class UntrustedPeerApp : ClientAddressApp;

internal static class ClientAddressChecks
{
    /// <summary>One sign-in attempt (a user name no other test uses, a wrong password): true when the per-address limit refused it.</summary>
    public static async Task<bool> SignInThrottledAsync(Uri app, string? forwardedFor)
    {
        using var client = new BrowserlikeClient(app, forwardedFor);
        using var response = await client.SignInAsync("nobody-" + Guid.NewGuid().ToString("N")[..8], "wrong");
        return response.StatusCode == HttpStatusCode.SeeOther && response.Headers.Location!.ToString() == "/login?error=throttled";
    }

    /// <summary>One call of the operator API with an unknown token: true when the per-address limit refused it (429).</summary>
    public static async Task<bool> ApiTokenThrottledAsync(Uri app, string? forwardedFor)
    {
        using var http = new HttpClient { BaseAddress = app };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token-" + Guid.NewGuid().ToString("N"));
        if (forwardedFor != null) http.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        using var response = await http.GetAsync("/api/tasks/stats");
        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests });
        return response.StatusCode == HttpStatusCode.TooManyRequests;
    }
}

/// <summary>
/// Behind a trusted reverse proxy every browser comes from the proxy's address: the per-address limits and the audit log
/// must use the client's address the proxy forwards (X-Forwarded-For), or one busy user throttles everyone.
/// </summary>
public class TrustedProxyTests(TrustedProxyApp fixture) : IClassFixture<TrustedProxyApp>
{
    [Fact]
    public async Task Two_clients_behind_the_proxy_have_a_sign_in_limit_each()
    {
        const string busy = "198.51.100.10", other = "198.51.100.11";
        for (var i = 0; i < ClientAddressApp.Limit; i++)
            Assert.False(await ClientAddressChecks.SignInThrottledAsync(fixture.App.BaseUrl, busy), $"attempt {i + 1} was refused");
        Assert.True(await ClientAddressChecks.SignInThrottledAsync(fixture.App.BaseUrl, busy));

        Assert.False(await ClientAddressChecks.SignInThrottledAsync(fixture.App.BaseUrl, other));
    }

    [Fact]
    public async Task Two_clients_behind_the_proxy_have_an_api_token_limit_each()
    {
        const string busy = "198.51.100.20", other = "198.51.100.21";
        for (var i = 0; i < ClientAddressApp.ApiTokenLimit; i++)
            Assert.False(await ClientAddressChecks.ApiTokenThrottledAsync(fixture.App.BaseUrl, busy), $"call {i + 1} was refused");
        Assert.True(await ClientAddressChecks.ApiTokenThrottledAsync(fixture.App.BaseUrl, busy));

        Assert.False(await ClientAddressChecks.ApiTokenThrottledAsync(fixture.App.BaseUrl, other));
    }

    [Fact]
    public async Task The_audit_log_records_the_address_the_proxy_forwarded()
    {
        using var client = new BrowserlikeClient(fixture.App.BaseUrl, "192.0.2.77");
        Assert.Equal(HttpStatusCode.Redirect, (await client.SignInAsync(SignInApp.ViewerName, SignInApp.ViewerPassword)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.SignOutAsync()).StatusCode);

        Assert.Equal(["192.0.2.77", "192.0.2.77"], await fixture.AuditedAddressesAsync(SignInApp.ViewerName));
    }
}

/// <summary>
/// Reached directly, X-Forwarded-For is whatever the caller wrote: a new value on every attempt must not give a new
/// allowance, and the audit log keeps the connection's own address.
/// </summary>
public class ForgedForwardedForTests(UntrustedPeerApp fixture) : IClassFixture<UntrustedPeerApp>
{
    private static string Forged(int i) => $"203.0.113.{i + 1}";

    [Fact]
    public async Task A_forged_X_Forwarded_For_does_not_escape_the_sign_in_limit_nor_reach_the_audit_log()
    {
        // One limit for the whole test: every attempt here comes from 127.0.0.1, whatever the header says.
        using (var client = new BrowserlikeClient(fixture.App.BaseUrl, "203.0.113.99"))
            Assert.Equal(HttpStatusCode.Redirect, (await client.SignInAsync(SignInApp.OperatorName, SignInApp.OperatorPassword)).StatusCode);
        Assert.Equal(["127.0.0.1"], await fixture.AuditedAddressesAsync(SignInApp.OperatorName));

        for (var i = 1; i < ClientAddressApp.Limit; i++)
            Assert.False(await ClientAddressChecks.SignInThrottledAsync(fixture.App.BaseUrl, Forged(i)), $"attempt {i + 1} was refused");
        Assert.True(await ClientAddressChecks.SignInThrottledAsync(fixture.App.BaseUrl, Forged(ClientAddressApp.Limit)));
        Assert.True(await ClientAddressChecks.SignInThrottledAsync(fixture.App.BaseUrl, null));
    }

    [Fact]
    public async Task A_forged_X_Forwarded_For_does_not_escape_the_api_token_limit()
    {
        for (var i = 0; i < ClientAddressApp.ApiTokenLimit; i++)
            Assert.False(await ClientAddressChecks.ApiTokenThrottledAsync(fixture.App.BaseUrl, Forged(i)), $"call {i + 1} was refused");
        Assert.True(await ClientAddressChecks.ApiTokenThrottledAsync(fixture.App.BaseUrl, Forged(ClientAddressApp.ApiTokenLimit)));
        Assert.True(await ClientAddressChecks.ApiTokenThrottledAsync(fixture.App.BaseUrl, null));
    }
}
