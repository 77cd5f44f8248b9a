using System.Collections.Concurrent;
using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Orchestra.Admin.Hosting;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.Features.Tasks;

/// <summary>
/// The operator API's Bearer tokens. <c>ORCHESTRA_ADMIN_API_TOKENS</c> = <c>name:hash;name:hash</c>, each hash made by
/// <c>hash-password</c> from the token (ASP.NET Core Identity's PBKDF2 format, as for the accounts: no plain token is
/// configured). With the development login (<c>ORCHESTRA_ADMIN_DEV_LOGIN=true</c>, loopback only), the plain
/// <c>ORCHESTRA_ADMIN_DEV_API_TOKEN</c> is accepted from loopback addresses, as the Operator <see cref="DevTokenName"/>.
/// Every token is an Operator's; its name is the actor in the audit log.
/// </summary>
public sealed class ApiTokens
{
    public const string TokensKey = "ORCHESTRA_ADMIN_API_TOKENS";
    public const string DevTokenKey = "ORCHESTRA_ADMIN_DEV_API_TOKEN";
    public const string DevTokenName = "dev-api-token";
    internal const int MinDevTokenLength = 16;

    private readonly IReadOnlyList<(string Name, string Hash)> tokens;
    private readonly byte[]? devToken;
    private readonly FailedAttempts failuresPerAddress;
    // PBKDF2 is slow on purpose (≈ 0.1 s): a token that verified once is remembered by its SHA-256, for this process.
    private readonly ConcurrentDictionary<string, string> verified = new(StringComparer.Ordinal);

    private ApiTokens(IReadOnlyList<(string, string)> tokens, string? devToken, FailedAttempts failuresPerAddress)
    {
        this.tokens = tokens;
        this.failuresPerAddress = failuresPerAddress;
        this.devToken = devToken is null ? null : Encoding.UTF8.GetBytes(devToken);
    }

    public bool IsConfigured => tokens.Count > 0 || devToken != null;

    public static ApiTokens Load(IConfiguration configuration, FailedAttempts failuresPerAddress)
    {
        var list = new List<(string, string)>();
        var configured = configuration[TokensKey];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var entries = configured.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            for (var i = 0; i < entries.Length; i++)
            {
                var parts = entries[i].Split(':');
                if (parts.Length != 2 || string.IsNullOrWhiteSpace(parts[0]))
                    throw new SettingsException($"{TokensKey} entry {i + 1} is not name:hash (entries are separated by ';'; make a hash of the token with: dotnet run --project Orchestra.Admin -- hash-password)");
                var name = parts[0].Trim();
                if (!PasswordHashing.LooksLikeHash(parts[1]))
                    throw new SettingsException($"{TokensKey} entry {i + 1} ({name}): the token is not an ASP.NET Core password hash (never put plain tokens in configuration); make one with: dotnet run --project Orchestra.Admin -- hash-password");
                if (list.Any(t => string.Equals(t.Item1, name, StringComparison.OrdinalIgnoreCase)))
                    throw new SettingsException($"{TokensKey}: the token name '{name}' is configured more than once");
                list.Add((name, parts[1].Trim()));
            }
        }

        var dev = configuration[DevTokenKey];
        if (!string.IsNullOrEmpty(dev))
        {
            // The dev login itself is refused unless the dashboard listens on loopback only (AccountsLoader).
            var devLogin = configuration[AccountsLoader.DevLoginKey];
            if (!(bool.TryParse(devLogin, out var on) && on || devLogin == "1"))
                throw new SettingsException($"{DevTokenKey} is only for development, with {AccountsLoader.DevLoginKey}=true on a loopback-only dashboard: configure {TokensKey} (name:hash) instead");
            if (dev.Length < MinDevTokenLength)
                throw new SettingsException($"{DevTokenKey} must be at least {MinDevTokenLength} characters long");
        }
        return new ApiTokens(list, string.IsNullOrEmpty(dev) ? null : dev, failuresPerAddress);
    }

    /// <summary>
    /// The name of the token, or null when it is not one (the dev token counts only from a loopback address).
    /// <see cref="ApiTokenCheck.Refused"/> once the address has sent too many unknown tokens in the window: a token this
    /// process has already verified still passes (that costs no PBKDF2), any other is not checked.
    /// </summary>
    public ApiTokenCheck Check(string token, IPAddress? remote)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 1024) return ApiTokenCheck.Unknown;
        var bytes = Encoding.UTF8.GetBytes(token);
        if (devToken != null && remote != null && IPAddress.IsLoopback(remote) && CryptographicOperations.FixedTimeEquals(bytes, devToken))
            return new ApiTokenCheck(DevTokenName);
        var key = Convert.ToHexString(SHA256.HashData(bytes));
        if (verified.TryGetValue(key, out var known)) return new ApiTokenCheck(known);
        var address = remote?.ToString() ?? "unknown";
        if (failuresPerAddress.IsBlocked(address)) return ApiTokenCheck.Refused(failuresPerAddress.Window);
        foreach (var (name, hash) in tokens)
        {
            if (!PasswordHashing.Verify(hash, token)) continue;
            verified[key] = name;
            return new ApiTokenCheck(name);
        }
        failuresPerAddress.Record(address);
        return ApiTokenCheck.Unknown;
    }
}

/// <param name="Name">The token's name when it is one.</param>
/// <param name="RetryAfter">Set when the address is refused for now: too many unknown tokens.</param>
public sealed record ApiTokenCheck(string? Name, TimeSpan? RetryAfter = null)
{
    public static readonly ApiTokenCheck Unknown = new((string?)null);
    public static ApiTokenCheck Refused(TimeSpan retryAfter) => new(null, retryAfter);
}

/// <summary>Authenticates <c>Authorization: Bearer &lt;token&gt;</c> against <see cref="ApiTokens"/>; only the API endpoints use this scheme.</summary>
public sealed class ApiTokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiTokens tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";
    private const string RetryAfterItem = "ApiToken.RetryAfter";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header)) return Task.FromResult(AuthenticateResult.NoResult());
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return Task.FromResult(AuthenticateResult.Fail("the Authorization header is not 'Bearer <token>'"));
        var check = tokens.Check(header["Bearer ".Length..].Trim(), Context.Connection.RemoteIpAddress);
        if (check.RetryAfter is { } wait)
        {
            Context.Items[RetryAfterItem] = wait;
            Logger.LogWarning("API token refused from {Ip}: too many unknown tokens", Context.Connection.RemoteIpAddress);
            return Task.FromResult(AuthenticateResult.Fail($"too many unknown API tokens from this address: try again in {wait.TotalSeconds:0} s"));
        }
        if (check.Name is not { } name)
        {
            Logger.LogWarning("Unknown API token from {Ip}", Context.Connection.RemoteIpAddress);
            return Task.FromResult(AuthenticateResult.Fail("unknown API token"));
        }
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, AdminRoles.Operator), new Claim(AuthSetup.AuthMethodClaim, "api-token")],
            SchemeName, ClaimTypes.Name, ClaimTypes.Role);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure?.Message;
        if (Context.Items[RetryAfterItem] is TimeSpan wait)
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else
        {
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            Response.Headers.WWWAuthenticate = "Bearer";
        }
        await Response.WriteAsJsonAsync(new { error = failure ?? "send an Operator API token as Authorization: Bearer <token>" });
    }
}
