using Microsoft.Playwright;
using Orchestra.Admin.E2E.Infrastructure;
using Orchestra.Admin.Features.Postgres;
using static Microsoft.Playwright.Assertions;

namespace Orchestra.Admin.E2E.Tests;

/// <summary>Every tab of the PostgreSQL page renders its panels against the seeded database, with no panel in error.</summary>
public sealed class PostgresPageTests(AppFixture app) : E2ETest(app)
{
    public static TheoryData<string, string> Tabs()
    {
        var data = new TheoryData<string, string>();
        foreach (var tab in PostgresPage.Tabs) data.Add(tab.Key, tab.Title);
        return data;
    }

    [Theory]
    [MemberData(nameof(Tabs))]
    public Task A_tab_renders_without_errors(string key, string title) => WithPageAsync(async (page, problems) =>
    {
        await page.GotoAsync($"/postgres?tab={key}");
        await WaitForInteractiveAsync(page);
        await Expect(page.GetByRole(AriaRole.Tab, new PageGetByRoleOptions { Name = title, Exact = true })).ToHaveAttributeAsync("aria-selected", "true");

        // Wait until no panel is loading any more, then none may show an error.
        await Expect(page.Locator("section[aria-busy=true]")).ToHaveCountAsync(0, new LocatorAssertionsToHaveCountOptions { Timeout = 30_000 });
        await Expect(page.Locator("section[aria-labelledby] [role=alert]")).ToHaveCountAsync(0);
        Assert.True(await page.Locator("section[aria-labelledby]").CountAsync() > 0 || key == "explain", $"tab {key} shows no panel");
        Assert.Empty(problems.All);
    });

    [Fact]
    public Task Switching_tabs_keeps_the_choice_in_the_url() => WithPageAsync(async (page, problems) =>
    {
        await page.GotoAsync("/postgres");
        await WaitForInteractiveAsync(page);
        await page.GetByRole(AriaRole.Tab, new PageGetByRoleOptions { Name = "Indexes", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("tab=indexes$"));
        await page.GetByRole(AriaRole.Tab, new PageGetByRoleOptions { Name = "Queries", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("tab=queries$"));
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Tab, new PageGetByRoleOptions { Name = "Queries", Exact = true })).ToHaveAttributeAsync("aria-selected", "true");
        Assert.Empty(problems.All);
    });
}
