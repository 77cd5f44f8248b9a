using System.Net;
using Microsoft.Playwright;
using Orchestra.Admin.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestra.Admin.E2E.Tests;

/// <summary>The security headers on every kind of response, and a Content-Security-Policy the pages work under.</summary>
public sealed class SecurityHeadersTests(AppFixture app) : E2ETest(app)
{
    public static TheoryData<string> Paths => ["/login", "/", "/healthz", "/readyz", "/favicon.svg", "/no-such-page", "/documents/orders/export"];

    [Theory]
    [MemberData(nameof(Paths))]
    public Task Every_response_carries_the_headers(string path) => WithAppDiagnosticsAsync(async () =>
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = App.BaseUrl };
        using var response = await http.GetAsync(path);
        var csp = Header(response, "Content-Security-Policy");
        Assert.Contains("default-src 'self'", csp);
        Assert.Contains("script-src 'self'", csp);
        Assert.DoesNotContain("unsafe-eval", csp);
        Assert.DoesNotContain("script-src 'self' 'unsafe-inline'", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("object-src 'none'", csp);
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.Equal("same-origin", Header(response, "Referrer-Policy"));
        // Plain HTTP: no HSTS (a browser ignores it there, and it must not stick to a dev machine's localhost).
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
    });

    [Fact]
    public Task Behind_a_TLS_proxy_HSTS_is_sent() => WithAppDiagnosticsAsync(async () =>
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/login");
        request.Headers.Host = "dashboard.example.com";
        request.Headers.Add("X-Forwarded-Proto", "https"); // from loopback: a trusted proxy
        using var response = await App.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("max-age=31536000", Header(response, "Strict-Transport-Security"));
    });

    [Fact]
    public Task The_pages_work_under_the_policy() => WithPageAsync(async (page, problems) =>
    {
        await page.AddInitScriptAsync("""
            window.__cspViolations = [];
            document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
            """);
        foreach (var (path, heading) in new[] { ("/", "Overview"), ("/postgres?tab=space", "PostgreSQL"), ("/documents/orders", "orders"), ("/weaviate", "Weaviate"), ("/vectors", "Vector search"), ("/audit", "Audit log") })
        {
            await page.GotoAsync(path);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 }).First).ToContainTextAsync(heading);
            await WaitForInteractiveAsync(page);
            await Expect(page.Locator("section[aria-busy=true]")).ToHaveCountAsync(0, new() { Timeout = 30_000 });
            var violations = await page.EvaluateAsync<string[]>("window.__cspViolations");
            Assert.True(violations.Length == 0, $"{path}: {string.Join("; ", violations)}");
        }
        Assert.DoesNotContain(problems.All, p => p.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));

        // And the policy holds in the browser: a script injected into the page (as stored XSS would be) does not run.
        var ran = await page.EvaluateAsync<bool>("""
            () => new Promise(resolve => {
                const s = document.createElement('script');
                s.textContent = 'window.__injectedRan = true';
                document.body.appendChild(s);
                setTimeout(() => resolve(window.__injectedRan === true), 200);
            })
            """);
        Assert.False(ran);
        Assert.Contains(await page.EvaluateAsync<string[]>("window.__cspViolations"), v => v.StartsWith("script-src"));
    });

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : throw new Xunit.Sdk.XunitException($"{name} is missing from the answer to {response.RequestMessage?.RequestUri}");
}
