using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Orchestra.Admin.Hosting;

namespace Orchestra.Admin.Security;

/// <summary>Sign-in (cookie; accounts from configuration, optionally OpenID Connect), roles and the login endpoints.</summary>
public static class AuthSetup
{
    public const string CookieName = "orchestra-admin.auth";
    public const string LoginRateLimitPolicy = "login";
    public const string AuthMethodClaim = "orchestra-admin/auth-method";

    public static void AddOrchestraAuth(this IServiceCollection services, OrchestraAdminOptions options)
    {
        var auth = options.Auth;
        if (auth.KeysDirectory is { Length: > 0 } keys)
            services.AddDataProtection().SetApplicationName("orchestra-admin").PersistKeysToFileSystem(new DirectoryInfo(keys));

        var authentication = services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                // Strict keeps the cookie off every cross-site request. The OpenID Connect provider redirects back
                // cross-site, and a Strict cookie would not be sent on that navigation: Lax then.
                o.Cookie.SameSite = options.Oidc.IsConfigured ? SameSiteMode.Lax : SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest; // Secure whenever the request came over HTTPS
                o.SlidingExpiration = true;
                o.ExpireTimeSpan = TimeSpan.FromMinutes(auth.SessionMinutes);
                o.LoginPath = "/login";
                o.LogoutPath = "/logout";
                o.AccessDeniedPath = "/login";
                o.ReturnUrlParameter = "returnUrl";
                // Checked on every request: no database needed (SignIns.IsAllowed). Whether it was signed out is
                // asked where a sign-in outlives the request (an open page's circuit, SignInRevalidation) and before
                // the cookie is renewed, so that a signed-out cookie is never extended.
                o.Events.OnValidatePrincipal = async context =>
                {
                    if (context.Principal is { } user && !context.HttpContext.RequestServices.GetRequiredService<SignIns>().IsAllowed(user))
                    {
                        context.RejectPrincipal();
                        await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                    }
                };
                o.Events.OnCheckSlidingExpiration = async context =>
                {
                    if (context.ShouldRenew && await context.HttpContext.RequestServices.GetRequiredService<SignIns>().IsSignedOutAsync(context.Principal!))
                        context.ShouldRenew = false;
                };
                o.Events.OnRedirectToLogin = context =>
                {
                    // A browser asking for a page is sent to the sign-in page; the Blazor hub and other calls get 401.
                    if (context.Request.IsPageRequest()) context.Response.Redirect(context.RedirectUri);
                    else context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return Task.CompletedTask;
                };
            });

        if (options.Oidc.IsConfigured)
        {
            var oidc = options.Oidc;
            authentication.AddOpenIdConnect(o =>
            {
                o.Authority = oidc.Authority;
                o.ClientId = oidc.ClientId;
                o.ClientSecret = oidc.ClientSecret;
                o.ResponseType = "code";
                o.UsePkce = true;
                o.SaveTokens = false;
                o.Scope.Add("profile");
                o.SignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                o.MapInboundClaims = false;
                o.TokenValidationParameters.NameClaimType = "preferred_username";
                o.TokenValidationParameters.RoleClaimType = ClaimTypes.Role;
                o.Events.OnTokenValidated = context =>
                {
                    var principal = context.Principal!;
                    var role = OidcRoles.RoleFor(principal, oidc);
                    if (role == null)
                    {
                        context.Fail("not a member of a group that may use Orchestra Admin");
                        return Task.CompletedTask;
                    }
                    var identity = (ClaimsIdentity)principal.Identity!;
                    identity.AddClaim(new Claim(ClaimTypes.Role, role));
                    identity.AddClaim(new Claim(AuthMethodClaim, "oidc"));
                    identity.AddClaim(SignIns.NewIdClaim());
                    return Task.CompletedTask;
                };
            });
        }

        services.AddAuthorization(o =>
        {
            o.FallbackPolicy = new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
        });
        services.AddCascadingAuthenticationState();

        services.AddRateLimiter(o =>
        {
            o.AddPolicy(LoginRateLimitPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = auth.LoginAttemptsPerIp,
                    Window = TimeSpan.FromSeconds(auth.LoginWindowSeconds),
                    QueueLimit = 0,
                }));
            o.OnRejected = (context, _) =>
            {
                context.HttpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
                context.HttpContext.Response.Headers.Location = "/login?error=throttled";
                return ValueTask.CompletedTask;
            };
        });

        services.AddSingleton<LoginService>();
        services.AddHttpContextAccessor();
        services.AddSingleton<SignIns>();
        services.AddScoped<ClientAddress>();
        services.AddScoped<CircuitSignIn>();
        services.AddScoped<CircuitHandler, CircuitConnectionHandler>();
        services.AddScoped<AuthenticationStateProvider, SignInRevalidation>();
        services.AddScoped<ICurrentOperator, CurrentOperator>();
    }

    public static void MapAuthEndpoints(this IEndpointRouteBuilder app, OrchestraAdminOptions options)
    {
        app.MapPost("/login", async (HttpContext http, [FromForm] LoginForm form, LoginService login, IDataProtectionProvider protection) =>
        {
            var returnUrl = SafeReturnUrl(form.ReturnUrl);
            var result = await login.SignInAsync(http, form.UserName ?? "", form.Password ?? "");
            if (result == LoginResult.SignedIn)
            {
                http.Response.Cookies.Delete(TypedUserName.Cookie, TypedUserName.CookieOptions(http));
                return Results.LocalRedirect(returnUrl);
            }
            TypedUserName.Keep(http, protection, form.UserName);
            var error = result == LoginResult.Throttled ? "throttled" : "invalid";
            return Results.Redirect($"/login?error={error}&returnUrl={Uri.EscapeDataString(returnUrl)}");
        }).AllowAnonymous().RequireRateLimiting(LoginRateLimitPolicy); // [FromForm] makes it validate the antiforgery token

        app.MapPost("/logout", async (HttpContext http, LoginService login) =>
        {
            await login.SignOutAsync(http);
            return Results.Redirect("/login?signedOut=1");
        });

        if (options.Oidc.IsConfigured)
        {
            app.MapGet("/login/oidc", (string? returnUrl) =>
                Results.Challenge(new AuthenticationProperties { RedirectUri = SafeReturnUrl(returnUrl) }, [OpenIdConnectDefaults.AuthenticationScheme]))
                .AllowAnonymous();
        }
    }

    /// <summary>Longer return addresses are refused: no page of the dashboard needs one.</summary>
    public const int MaxReturnUrlLength = 2048;

    /// <summary>
    /// The return address after sign-in (password or single sign-on) when it is a path of this site, else "/": never an
    /// open redirect. Checked as given and percent-decoded, since a proxy or a browser may decode it on the way.
    /// </summary>
    public static string SafeReturnUrl(string? returnUrl) =>
        returnUrl is { Length: > 0 and <= MaxReturnUrlLength } url && IsPathOfThisSite(url) && Decoded(url) is { } decoded && StartsAsPathOfThisSite(decoded)
            ? url
            : "/";

    // What the app puts in a return address is URL-encoded: nothing that a browser drops or rewrites before reading it
    // (tab, line breaks, control characters, spaces, backslash: "/\t/host" is read as "//host").
    private static bool IsPathOfThisSite(string url) =>
        StartsAsPathOfThisSite(url) && !url.Any(c => char.IsWhiteSpace(c) || c == '\\');

    // "/" and then neither "/" nor "\": "//host" and "/\host" are another site.
    private static bool StartsAsPathOfThisSite(string url) =>
        url[0] == '/' && (url.Length == 1 || url[1] is not ('/' or '\\')) && !url.Any(char.IsControl);

    // Decoded until nothing changes; null if it keeps changing (encoded over and over: no page makes such an address).
    private static string? Decoded(string url)
    {
        for (var round = 0; round < 3; round++)
        {
            var next = Uri.UnescapeDataString(url);
            if (next == url) return url;
            url = next;
        }
        return null;
    }
}

public sealed class LoginForm
{
    public string? UserName { get; set; }
    public string? Password { get; set; }
    public string? ReturnUrl { get; set; }
}

/// <summary>Maps the configured role claim of an OpenID Connect user to Operator, Viewer, or no access.</summary>
public static class OidcRoles
{
    public static string? RoleFor(ClaimsPrincipal principal, OidcOptions oidc)
    {
        var values = principal.FindAll(oidc.RoleClaim).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        if (oidc.OperatorValues.Any(values.Contains)) return AdminRoles.Operator;
        if (oidc.ViewerValues.Count == 0 || oidc.ViewerValues.Any(values.Contains)) return AdminRoles.Viewer;
        return null;
    }
}

/// <summary>
/// The user name typed into a failed sign-in, kept for the form to show again. Not in the address: a password typed
/// into the wrong field would then sit in proxy logs and the browser's history. An encrypted, HttpOnly cookie for the
/// sign-in page only, for a few minutes.
/// </summary>
public static class TypedUserName
{
    public const string Cookie = "orchestra-admin-typed-name";
    private const string Purpose = "Orchestra.Admin.TypedUserName";
    private const int MaxLength = 256;

    public static CookieOptions CookieOptions(HttpContext http) => new()
    {
        HttpOnly = true,
        Secure = http.Request.IsHttps,
        SameSite = SameSiteMode.Strict,
        Path = "/login",
        MaxAge = TimeSpan.FromMinutes(5),
        IsEssential = true,
    };

    public static void Keep(HttpContext http, IDataProtectionProvider protection, string? userName)
    {
        if (string.IsNullOrEmpty(userName) || userName.Length > MaxLength)
            http.Response.Cookies.Delete(Cookie, CookieOptions(http));
        else
            http.Response.Cookies.Append(Cookie, protection.CreateProtector(Purpose).Protect(userName), CookieOptions(http));
    }

    /// <summary>The name kept by <see cref="Keep"/>, or null (none, expired keys, or tampered with).</summary>
    public static string? Read(HttpContext? http, IDataProtectionProvider protection)
    {
        if (http?.Request.Cookies[Cookie] is not { } value) return null;
        try
        {
            return protection.CreateProtector(Purpose).Unprotect(value);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }
}
