using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Npgsql;
using Orchestra.Admin.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestra.Admin.E2E.Tests;

/// <summary>The Overview's history charts draw the sampler's rounds and follow them live, without a reload.</summary>
public sealed class HistoryChartsTests(AppFixture app) : E2ETest(app)
{
    [Fact]
    public Task The_four_charts_draw_the_sampler_history() => WithPageAsync(async page =>
    {
        await page.GotoAsync("/");
        var history = History(page);
        foreach (var title in new[] { "Connections by state", "Cache hit ratio", "Transactions per second", "Database size" })
        {
            var chart = history.GetByRole(AriaRole.Figure, new LocatorGetByRoleOptions { Name = title, Exact = true });
            await Expect(chart.Locator("svg").First).ToBeVisibleAsync(new() { Timeout = 20_000 });
        }
        await Expect(history.Locator("[data-metric='database.size_bytes']")).ToHaveTextAsync(new Regex(@"latest \d+(\.\d+)? MB"));
        await Expect(history.Locator("[data-metric='xact.per_second']")).ToHaveTextAsync(new Regex(@"latest \d+(\.\d+)?/s"));
    });

    [Fact]
    public Task A_new_idle_in_transaction_session_appears_without_a_reload() => WithPageAsync(async page =>
    {
        await page.GotoAsync("/");
        await WaitForInteractiveAsync(page);
        var idleInTransaction = History(page).Locator("[data-metric='connections.idle_in_transaction']");
        await Expect(idleInTransaction).ToBeVisibleAsync(new() { Timeout = 20_000 });

        await using var conn = new NpgsqlConnection(App.DatabaseConnectionString + ";Application Name=e2e-history");
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await new NpgsqlCommand("SELECT 1", conn, tx).ExecuteScalarAsync();

        // The next sampler round (every 2 s here) reaches the open page through the circuit.
        await Expect(idleInTransaction).ToHaveTextAsync(new Regex(@"idle in transaction: latest [1-9]"), new() { Timeout = 20_000 });
    });

    [Fact]
    public Task The_range_buttons_switch_to_coarser_buckets() => WithPageAsync(async page =>
    {
        await page.GotoAsync("/");
        await WaitForInteractiveAsync(page);
        var history = History(page);
        var lastDay = history.GetByRole(AriaRole.Button, new() { Name = "Last 24 hours" });
        await Expect(history.GetByRole(AriaRole.Button, new() { Name = "Last hour" })).ToHaveAttributeAsync("aria-pressed", "true");

        await lastDay.ClickAsync();

        await Expect(lastDay).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(history).ToContainTextAsync("Averaged per 6 min");
        await Expect(history.Locator("[data-metric='database.size_bytes']")).ToBeVisibleAsync();
    });

    private static ILocator History(IPage page) =>
        page.GetByRole(AriaRole.Region, new PageGetByRoleOptions { Name = "PostgreSQL history", Exact = true });
}
