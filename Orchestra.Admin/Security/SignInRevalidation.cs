using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.Options;
using Orchestra.Admin.Hosting;

namespace Orchestra.Admin.Security;

/// <summary>
/// A page's circuit keeps the sign-in it started with: the cookie is not read again over its WebSocket. Every
/// <c>OrchestraAdmin:Auth:RevalidateSeconds</c> this asks whether that sign-in still holds (<see cref="SignIns.IsCurrentAsync"/>:
/// signed out in another tab or instance, expired, the account removed or its role changed). When it does not, the
/// circuit's user becomes anonymous: every service refuses (<see cref="ICurrentOperator"/>) and the page reloads,
/// which sends the browser to the sign-in page (Routes.razor, <c>RedirectToLogin</c>).
/// </summary>
public sealed class SignInRevalidation(ILoggerFactory loggerFactory, SignIns signIns, CircuitSignIn circuit, IOptions<OrchestraAdminOptions> options)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromSeconds(options.Value.Auth.RevalidateSeconds);

    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState state, CancellationToken ct) =>
        signIns.IsCurrentAsync(state.User, circuit.ExpiresUtc, ct);
}

/// <summary>When the cookie the circuit was opened with expires (set by <see cref="CircuitConnectionHandler"/>).</summary>
public sealed class CircuitSignIn
{
    public DateTimeOffset? ExpiresUtc { get; set; }
}
