namespace Orchestra.Admin.Security;

/// <summary>Sign-in settings, under <c>OrchestraAdmin:Auth</c>.</summary>
public sealed class AuthOptions
{
    /// <summary>Sliding: each request within this time extends the sign-in.</summary>
    public int SessionMinutes { get; set; } = 480;
    /// <summary>How often an open page checks that its sign-in still holds (not signed out, not expired, the account
    /// still configured); when it does not, the page goes to the sign-in page.</summary>
    public int RevalidateSeconds { get; set; } = 30;
    /// <summary>Failed and successful sign-in attempts allowed per user name, and per client IP, in <see cref="LoginWindowSeconds"/>.</summary>
    public int LoginAttemptsPerUser { get; set; } = 5;
    public int LoginAttemptsPerIp { get; set; } = 20;
    public int LoginWindowSeconds { get; set; } = 60;
    /// <summary>Failed operator-API tokens allowed per client IP in <see cref="LoginWindowSeconds"/>; then 429 until the window ends.</summary>
    public int ApiTokenFailuresPerIp { get; set; } = 10;
    /// <summary>Where the data-protection keys (which sign the sign-in cookies) are kept, so sign-ins survive a restart.
    /// Unset: ASP.NET Core's default for the user. In Docker, a mounted volume.</summary>
    public string? KeysDirectory { get; set; }
}

/// <summary>One account under <c>OrchestraAdmin:Users</c>.</summary>
public sealed class UserSetting
{
    public string? Name { get; set; }
    public string? Role { get; set; }
    public string? PasswordHash { get; set; }
}

/// <summary>OpenID Connect sign-in, enabled when <c>OrchestraAdmin:Oidc:Authority</c> is set.</summary>
public sealed class OidcOptions
{
    public string? Authority { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }
    /// <summary>The claim that carries the user's roles or groups.</summary>
    public string RoleClaim { get; set; } = "roles";
    /// <summary>Claim values that make a user an Operator; any other signed-in user is a Viewer.</summary>
    public List<string> OperatorValues { get; set; } = ["Operator"];
    /// <summary>When not empty, only users with one of these values (or an Operator value) may sign in.</summary>
    public List<string> ViewerValues { get; set; } = [];
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Authority);
}
