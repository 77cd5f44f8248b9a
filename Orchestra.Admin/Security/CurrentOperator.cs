using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace Orchestra.Admin.Security;

/// <summary>Who is acting: their name, role and the address they act from.</summary>
public sealed record OperatorIdentity(string Name, string Role, IPAddress? ClientIp)
{
    public bool IsOperator => Role == AdminRoles.Operator;
}

/// <summary>The signed-in user of the current circuit or request; services ask it, whatever the UI shows.</summary>
public interface ICurrentOperator
{
    Task<OperatorIdentity> GetAsync();
}

public sealed class CurrentOperator(AuthenticationStateProvider authentication, ClientAddress client) : ICurrentOperator
{
    public async Task<OperatorIdentity> GetAsync()
    {
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        if (user.Identity?.IsAuthenticated != true || user.Identity.Name is not { } name)
            throw new UnauthorizedAccessException("Not signed in.");
        return new OperatorIdentity(name, user.FindFirstValue(ClaimTypes.Role) ?? AdminRoles.Viewer, client.Address);
    }
}

/// <summary>The browser's IP address for this circuit, taken from the connection that opened it.</summary>
public sealed class ClientAddress
{
    public IPAddress? Address { get; set; }
}

/// <summary>What a circuit keeps of the connection that opened it: the browser's address and when its sign-in cookie expires.</summary>
public sealed class CircuitConnectionHandler(ClientAddress client, CircuitSignIn signIn, IHttpContextAccessor http) : CircuitHandler
{
    // Runs while the hub connection's request is current, so the remote address is the browser's (or the one a
    // trusted proxy forwarded) and the authentication result is that of the browser's cookie.
    public override Task OnConnectionUpAsync(Circuit circuit, CancellationToken ct)
    {
        if (http.HttpContext is not { } context) return Task.CompletedTask;
        if (context.Connection.RemoteIpAddress is { } ip) client.Address = ip;
        if (context.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult?.Properties?.ExpiresUtc is { } expires)
            signIn.ExpiresUtc = expires;
        return Task.CompletedTask;
    }
}
