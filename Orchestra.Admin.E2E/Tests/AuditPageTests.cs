using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Orchestra.Admin.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestra.Admin.E2E.Tests;

/// <summary>The audit page shows what happened: here, the fixture's own sign-in.</summary>
public sealed class AuditPageTests(AppFixture app) : E2ETest(app)
{
    [Fact]
    public Task Filters_from_the_url_find_the_sign_in_and_its_details_expand() => WithPageAsync(async page =>
    {
        await page.GotoAsync($"/audit?user={App.OperatorUserName}&action=sign-in");
        await WaitForInteractiveAsync(page);

        await Expect(page.GetByLabel("User", new PageGetByLabelOptions { Exact = true })).ToHaveValueAsync(App.OperatorUserName);
        var records = page.GetByRole(AriaRole.Region, new PageGetByRoleOptions { Name = "Records, newest first" });
        var row = records.GetByRole(AriaRole.Row).Filter(new LocatorFilterOptions { HasText = App.OperatorUserName }).First;
        await Expect(row).ToContainTextAsync("sign-in");
        await Expect(row).ToContainTextAsync("127.0.0.1");

        await row.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Details" }).ClickAsync();
        var json = page.GetByTestId("audit-json").First;
        await Expect(json).ToContainTextAsync("\"Action\": \"sign-in\"");
        await Expect(json).ToContainTextAsync($"\"Actor\": \"{App.OperatorUserName}\"");

        // A filter that matches nothing says so; the filter goes into the URL.
        await page.GetByLabel("User", new PageGetByLabelOptions { Exact = true }).FillAsync("nobody-at-all");
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Filter", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("user=nobody-at-all"));
        await Expect(page.GetByText("No record matches these filters.")).ToBeVisibleAsync();
    });
}
