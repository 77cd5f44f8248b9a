using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;
using Orchestra.Admin.Hosting;

namespace Orchestra.Admin.Security;

public enum LoginResult { SignedIn, Invalid, Throttled }

/// <summary>
/// Password sign-in against the configured accounts. Failed attempts are limited per user name (the rate limiter
/// middleware limits every attempt per client IP); the answer never says whether the user name exists.
/// </summary>
public sealed class LoginService : IDisposable
{
    private readonly Dictionary<string, AdminAccount> accounts;
    private readonly FailedAttempts failuresPerUser;
    private readonly AuditLog audit;
    private readonly SignIns signIns;
    private readonly ILogger<LoginService> logger;

    public LoginService(IOptions<OrchestraAdminOptions> options, AuditLog audit, SignIns signIns, ILogger<LoginService> logger)
    {
        accounts = options.Value.Accounts.ToDictionary(a => a.Name, StringComparer.OrdinalIgnoreCase);
        var auth = options.Value.Auth;
        failuresPerUser = new FailedAttempts(auth.LoginAttemptsPerUser, TimeSpan.FromSeconds(auth.LoginWindowSeconds));
        this.audit = audit;
        this.signIns = signIns;
        this.logger = logger;
    }

    /// <summary>
    /// How a name that is no account is logged and recorded: its first three characters and an ellipsis. What people type into
    /// the user name field is often their password (or the start of it), and the audit log is read by every Viewer.
    /// </summary>
    public static string Truncated(string typed)
    {
        var text = new StringInfo(typed);
        return text.LengthInTextElements <= 3 ? typed : text.SubstringByTextElements(0, 3) + "…";
    }

    public async Task<LoginResult> SignInAsync(HttpContext http, string userName, string password)
    {
        userName = userName.Trim();
        var ip = http.Connection.RemoteIpAddress;
        accounts.TryGetValue(userName, out var account);
        var recorded = account?.Name ?? Truncated(userName);
        // Throttled once this user name has used up its failures in the window, whatever the password.
        if (failuresPerUser.IsBlocked(userName))
        {
            logger.LogWarning("Sign-in for {User} from {Ip} refused: too many failed attempts", recorded, ip);
            await audit.TryWriteAsync(new AuditEntry(AuditActions.SignIn, Actor: recorded, ActorRole: "", ClientIp: ip, Succeeded: false, Error: "too many failed attempts"));
            return LoginResult.Throttled;
        }

        // Verify even for unknown names (against a dummy hash) so the time taken does not reveal which names exist.
        if (!PasswordHashing.Verify(account?.PasswordHash, password) || account == null)
        {
            failuresPerUser.Record(userName);
            logger.LogWarning("Sign-in for {User} from {Ip} failed", recorded, ip);
            await audit.TryWriteAsync(new AuditEntry(AuditActions.SignIn, Actor: recorded, ActorRole: "", ClientIp: ip, Succeeded: false, Error: "wrong user name or password"));
            return LoginResult.Invalid;
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, account.Name),
                new Claim(ClaimTypes.Role, account.Role),
                new Claim(AuthSetup.AuthMethodClaim, "password"),
                SignIns.NewIdClaim(),
            ],
            CookieAuthenticationDefaults.AuthenticationScheme, ClaimTypes.Name, ClaimTypes.Role);
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        logger.LogInformation("{User} ({Role}) signed in from {Ip}", account.Name, account.Role, ip);
        await audit.TryWriteAsync(new AuditEntry(AuditActions.SignIn, Actor: account.Name, ActorRole: account.Role, ClientIp: ip, Succeeded: true));
        return LoginResult.SignedIn;
    }

    /// <summary>Ends the sign-in: its cookie here, and every page still open with it (<see cref="SignIns"/>).</summary>
    public async Task SignOutAsync(HttpContext http)
    {
        var user = http.User;
        await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        if (user.Identity?.IsAuthenticated != true) return;
        await signIns.RecordSignOutAsync(user, http.RequestAborted);
        await audit.TryWriteAsync(new AuditEntry(AuditActions.SignOut, Actor: user.Identity.Name ?? "", ActorRole: user.FindFirstValue(ClaimTypes.Role) ?? "",
                ClientIp: http.Connection.RemoteIpAddress, Succeeded: true));
    }

    public void Dispose() => failuresPerUser.Dispose();
}
