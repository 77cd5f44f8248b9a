using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Orchestra.Admin.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestra.Admin.E2E.Tests;

/// <summary>An unknown address answers 404 with a page that leads back.</summary>
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

        var back = page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "Go to the Overview" });
        await Expect(back).ToBeVisibleAsync();
        await back.ClickAsync();
        await Expect(page).ToHaveURLAsync(new Uri(App.BaseUrl, "/").ToString());
        await Expect(page.GetByRole(AriaRole.Heading, new PageGetByRoleOptions { Name = "Overview", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Region, new PageGetByRoleOptions { Name = "Cache hit ratio" })).ToBeVisibleAsync();
    });
}
