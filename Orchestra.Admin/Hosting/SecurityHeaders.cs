using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Orchestra.Admin.Hosting;

/// <summary>
/// The security headers on every response, and HSTS when the dashboard is reached over HTTPS (directly, or through a
/// TLS-terminating proxy that says so in X-Forwarded-Proto: from loopback, or from OrchestraAdmin:TrustedProxies).
/// Behind a trusted proxy, the client's address is the one it forwards (<see cref="ForwardedClientOptions"/>).
/// </summary>
public static class SecurityHeaders
{
    /// <summary>
    /// What Blazor Server and MudBlazor need and nothing more: scripts only from the app itself (no inline script,
    /// no eval), the circuit's WebSocket to the same origin, inline styles (MudBlazor sets style attributes and its
    /// theme's style element), images and fonts from the app or data: URLs; never framed, forms only to the app
    /// (and to the OpenID Connect provider when one is configured: the sign-in redirects there).
    /// </summary>
    public static string ContentSecurityPolicy(OrchestraAdminOptions settings)
    {
        var formAction = settings.Oidc.IsConfigured && Uri.TryCreate(settings.Oidc.Authority, UriKind.Absolute, out var authority)
            ? $"'self' {authority.GetLeftPart(UriPartial.Authority)}"
            : "'self'";
        return string.Join("; ",
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            $"form-action {formAction}",
            "frame-ancestors 'none'");
    }

    /// <summary>
    /// The client's address (X-Forwarded-For) is believed from OrchestraAdmin:TrustedProxies only, not from loopback:
    /// it decides the per-address limits (sign-in, API tokens) and the address in the audit log, so a caller who can
    /// reach the port directly must not choose it. Through a chain of trusted proxies, the address the first of them saw.
    /// </summary>
    public static ForwardedHeadersOptions ForwardedClientOptions(OrchestraAdminOptions settings)
    {
        var options = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor, ForwardLimit = null };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in settings.TrustedProxies)
            options.KnownProxies.Add(IPAddress.Parse(proxy));
        return options;
    }

    public static IServiceCollection AddSecurityHeaders(this IServiceCollection services, OrchestraAdminOptions settings)
    {
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedProto;
            foreach (var proxy in settings.TrustedProxies)
                o.KnownProxies.Add(IPAddress.Parse(proxy));
        });
        services.AddHsts(o => o.MaxAge = TimeSpan.FromDays(365));
        return services;
    }

    public static WebApplication UseSecurityHeaders(this WebApplication app, OrchestraAdminOptions settings)
    {
        var csp = ContentSecurityPolicy(settings);
        app.UseForwardedHeaders();
        if (settings.TrustedProxies.Count > 0) app.UseForwardedHeaders(ForwardedClientOptions(settings));
        if (!app.Environment.IsDevelopment()) app.UseHsts();
        app.Use((context, next) =>
        {
            // OnStarting: the exception handler clears the headers of a response it replaces.
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = csp;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "same-origin";
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
                return Task.CompletedTask;
            });
            return next(context);
        });
        return app;
    }
}
