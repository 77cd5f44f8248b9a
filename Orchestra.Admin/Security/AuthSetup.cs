using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
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
        services.AddScoped<ClientAddress>();
        services.AddScoped<CircuitHandler, ClientAddressCircuitHandler>();
        services.AddScoped<ICurrentOperator, CurrentOperator>();
    }

    public static void MapAuthEndpoints(this IEndpointRouteBuilder app, OrchestraAdminOptions options)
    {
        app.MapPost("/login", async (HttpContext http, [FromForm] LoginForm form, LoginService login) =>
        {
            var returnUrl = SafeReturnUrl(form.ReturnUrl);
            var result = await login.SignInAsync(http, form.UserName ?? "", form.Password ?? "");
            if (result == LoginResult.SignedIn) return Results.LocalRedirect(returnUrl);
            var error = result == LoginResult.Throttled ? "throttled" : "invalid";
            return Results.Redirect($"/login?error={error}&returnUrl={Uri.EscapeDataString(returnUrl)}&userName={Uri.EscapeDataString(form.UserName ?? "")}");
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

    /// <summary>Only a path on this site: never an open redirect to another host.</summary>
    public static string SafeReturnUrl(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url[0] == '/' && !url.StartsWith("//") && !url.StartsWith("/\\") ? url : "/";
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
