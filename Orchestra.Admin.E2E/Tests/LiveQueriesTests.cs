using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Npgsql;
using Orchestra.Admin.E2E.Infrastructure;
using Orchestra.Admin.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestra.Admin.E2E.Tests;

internal static class LivePanel
{
    /// <summary>The page refreshes every 10 s; pressing Refresh makes a new query appear at once.</summary>
    public static async Task RefreshUntilVisibleAsync(IPage page, ILocator row)
    {
        for (var attempt = 0; attempt < 20 && await row.CountAsync() == 0; attempt++)
        {
            await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Refresh", Exact = true }).ClickAsync();
            await page.WaitForTimeoutAsync(500);
        }
        await Expect(row).ToBeVisibleAsync();
    }
}

/// <summary>An operator finds a runaway query on the PostgreSQL page and cancels it, confirmed and audited.</summary>
public sealed class LiveQueriesTests(AppFixture app) : E2ETest(app)
{
    [Fact]
    public Task An_operator_cancels_a_running_query_after_confirming() => WithPageAsync(async page =>
    {
        await using var report = PsqlClient.Start(App.DatabaseConnectionString, "e2e-report", "SELECT pg_sleep(120) /* e2e runaway */");

        await page.GotoAsync("/postgres?tab=activity");
        await WaitForInteractiveAsync(page);
        var live = page.GetByRole(AriaRole.Region, new PageGetByRoleOptions { Name = "Live queries" });
        var row = live.GetByRole(AriaRole.Row).Filter(new LocatorFilterOptions { HasText = "e2e runaway" });
        await LivePanel.RefreshUntilVisibleAsync(page, row);

        await row.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Cancel", Exact = true }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync("e2e-report");
        await dialog.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Cancel", Exact = true }).ClickAsync();

        await Expect(page.GetByText(new Regex("Cancelled the query of PID \\d+"))).ToBeVisibleAsync();
        var (exitCode, output) = await report.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.NotEqual(0, exitCode);
        Assert.Contains("canceling statement due to user request", output);
        await Expect(row).ToHaveCountAsync(0);

        await using var conn = new NpgsqlConnection(App.DatabaseConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT actor FROM orchestra_admin.audit_log WHERE action = 'postgres.query.cancel' AND succeeded AND previous::text LIKE '%e2e runaway%'", conn);
        Assert.Equal(App.OperatorUserName, await cmd.ExecuteScalarAsync());
    });
}

/// <summary>A Viewer sees the same query but its actions disabled, with the reason.</summary>
[Collection(AppCollection.Name)]
public sealed class ViewerActionsTests(AppFixture app, SignInApp viewerApp) : IClassFixture<SignInApp>
{
    [Fact]
    public async Task A_viewer_sees_cancel_and_terminate_disabled_with_the_reason()
    {
        await using var report = PsqlClient.Start(viewerApp.Database, "viewer-visible-job", "SELECT pg_sleep(60) /* seen by a viewer */");
        await using var context = await app.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = viewerApp.App.BaseUrl.ToString() });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/login?returnUrl=%2Fpostgres%3Ftab%3Dactivity");
        await page.GetByLabel("User name", new PageGetByLabelOptions { Exact = true }).FillAsync(SignInApp.ViewerName);
        await page.GetByLabel("Password", new PageGetByLabelOptions { Exact = true }).FillAsync(SignInApp.ViewerPassword);
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Sign in", Exact = true }).ClickAsync();
        await InteractivityProbe.WaitAsync(page);

        var row = page.GetByRole(AriaRole.Region, new PageGetByRoleOptions { Name = "Live queries" })
            .GetByRole(AriaRole.Row).Filter(new LocatorFilterOptions { HasText = "seen by a viewer" });
        await LivePanel.RefreshUntilVisibleAsync(page, row);

        foreach (var name in new[] { "Cancel", "Terminate" })
            await Expect(row.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = name, Exact = true })).ToBeDisabledAsync();
        await Expect(row.GetByLabel(new Regex("^Cancel query \\d+: Needs the Operator role"))).ToBeVisibleAsync();
    }
}
