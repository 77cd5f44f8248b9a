using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
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

public sealed class ClientAddressCircuitHandler(ClientAddress client, IHttpContextAccessor http) : CircuitHandler
{
    // Runs while the hub connection's request is current, so the remote address is the browser's.
    public override Task OnConnectionUpAsync(Circuit circuit, CancellationToken ct)
    {
        if (http.HttpContext?.Connection.RemoteIpAddress is { } ip) client.Address = ip;
        return Task.CompletedTask;
    }
}
