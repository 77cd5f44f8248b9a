using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Orchestra.Admin.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestra.Admin.E2E.Tests;

/// <summary>An unknown address answers 404 with a page that leads back; to a visitor who is not signed in it shows nothing of the app.</summary>
public sealed class NotFoundTests(AppFixture app) : E2ETest(app)
{
    [Theory]
    [InlineData("/no-such-page")]
    [InlineData("/documents/does/not/exist")]
    public Task Unknown_url_answers_404_with_a_way_back_to_the_Overview(string path) => WithPageAsync(async page =>
    {
        var response = await page.GotoAsync(path);
        Assert.NotNull(response);
        Assert.Equal(404, response.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new PageGetByRoleOptions { Name = "Page not found" })).ToBeVisibleAsync();
        await Expect(page).ToHaveTitleAsync(new Regex("Not found"));
        await Expect(page.GetByRole(AriaRole.Navigation, new PageGetByRoleOptions { Name = "Main navigation" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Status, new PageGetByRoleOptions { Name = "Backend connections" })).ToBeVisibleAsync();

        var back = page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "Go to the Overview" });
        await Expect(back).ToBeVisibleAsync();
        await back.ClickAsync();
        await Expect(page).ToHaveURLAsync(new Uri(App.BaseUrl, "/").ToString());
        await Expect(page.GetByRole(AriaRole.Heading, new PageGetByRoleOptions { Name = "Overview", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Region, new PageGetByRoleOptions { Name = "Cache hit ratio" })).ToBeVisibleAsync();
    });

    /// <summary>What the dashboard's frame would give away: its pages, the backends and their state, who is signed in.</summary>
    private static readonly string[] FrameMarkers =
        ["Main navigation", "href=\"postgres\"", "href=\"sessions\"", "href=\"audit\"", "Backend connections", "PostgreSQL", "Weaviate", "Sign out", "Toggle navigation"];

    [Theory]
    [InlineData("/not-found", "Page not found")]
    [InlineData("/error", "Something went wrong")]
    public Task A_visitor_who_is_not_signed_in_gets_a_bare_page(string path, string heading) => WithAppDiagnosticsAsync(async () =>
    {
        using var anonymous = new BrowserlikeClient(App.BaseUrl);
        using var response = await anonymous.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains(heading, html);
        Assert.Contains("Go to the Overview", html);
        ExpectBare(path, html);
    });

    /// <summary>An unknown address is not told apart from a page that needs signing in: both send to the (bare) sign-in page.</summary>
    [Theory]
    [InlineData("/no-such-page")]
    [InlineData("/documents/does/not/exist")]
    public Task A_visitor_who_is_not_signed_in_is_sent_from_an_unknown_address_to_sign_in(string path) => WithAppDiagnosticsAsync(async () =>
    {
        using var anonymous = new BrowserlikeClient(App.BaseUrl);
        using var response = await anonymous.GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var signIn = new Uri(App.BaseUrl, response.Headers.Location!).PathAndQuery;
        Assert.Equal("/login?returnUrl=" + Uri.EscapeDataString(path), signIn);
        var html = await (await anonymous.GetAsync(signIn)).Content.ReadAsStringAsync();
        Assert.Contains("User name", html);
        ExpectBare(path, html);
    });

    private static void ExpectBare(string path, string html)
    {
        foreach (var marker in FrameMarkers)
            Assert.False(html.Contains(marker, StringComparison.OrdinalIgnoreCase), $"{path} shows '{marker}' to a visitor who is not signed in");
    }
}
