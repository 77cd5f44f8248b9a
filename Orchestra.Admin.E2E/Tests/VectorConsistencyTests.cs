using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Playwright;
using Npgsql;
using Orchestra.Admin.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestra.Admin.E2E.Tests;

/// <summary>The embedding consistency check in the browser, on the emulator's demo Memory class, with the app's local model.</summary>
public sealed class VectorConsistencyTests(AppFixture app) : E2ETest(app)
{
    private static readonly PageGetByLabelOptions ExactLabel = new() { Exact = true };

    [Fact]
    public async Task A_Viewer_goes_from_the_class_on_Weaviate_to_its_check_runs_it_and_reads_N_of_M_mismatched_kept_for_the_next_visit()
    {
        await using var viewer = await App.NewViewerContextAsync();
        var page = await viewer.NewPageAsync();
        await page.GotoAsync("/weaviate?tab=schema");
        await page.GetByRole(AriaRole.Link, new() { Name = "Check vectors of Memory" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/vectors/consistency\\?class=Memory$"));
        await WaitForInteractiveAsync(page);

        await Expect(page.GetByLabel("Class", ExactLabel)).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Text property", ExactLabel)).ToBeVisibleAsync();
        await Expect(page.GetByTestId("check-provider")).ToContainTextAsync("local all-MiniLM-L6-v2");
        await Expect(page.GetByTestId("check-provider")).ToContainTextAsync("class vectors: 384 dimensions");
        await page.GetByRole(AriaRole.Button, new() { Name = "Check vectors", Exact = true }).ClickAsync();

        // 300 demo objects, a sample of 200 (how many mismatch is the next test's business).
        var summary = new Regex(@"^\d+ of 200 mismatched$");
        await Expect(page.GetByTestId("consistency-summary")).ToHaveTextAsync(summary, new() { Timeout = 60_000 });
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Distribution of cosine distances" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Furthest from their text" }).Locator("tbody tr a").First)
            .ToHaveAttributeAsync("href", new Regex("^weaviate/objects/Memory/[0-9a-f-]{36}$"));

        await page.ReloadAsync();
        await Expect(page.GetByTestId("consistency-summary")).ToHaveTextAsync(summary);
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Last check of Memory" })).ToContainTextAsync($"by {App.ViewerUserName}");

        await using var conn = new NpgsqlConnection(App.DatabaseConnectionString);
        var kept = await conn.QuerySingleAsync<(string Status, string Actor)>(
            "SELECT status, actor FROM orchestra_admin.vector_consistency_runs WHERE class_name = 'Memory' ORDER BY id DESC LIMIT 1");
        Assert.Equal(("completed", App.ViewerUserName), kept);
    }

    [Fact]
    /// <summary>The demo's vectors were made by the local model from the memories' texts (shipped as float16: rounding only).</summary>
    public Task The_check_on_the_demo_class_finds_0_mismatched() => WithPageAsync(async page =>
    {
        await page.GotoAsync("/vectors/consistency?class=Memory");
        await WaitForInteractiveAsync(page);
        await Expect(page.GetByTestId("check-provider")).ToContainTextAsync("local all-MiniLM-L6-v2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Check vectors", Exact = true }).ClickAsync();

        await Expect(page.GetByTestId("consistency-summary")).ToHaveTextAsync("0 of 200 mismatched", new() { Timeout = 60_000 });
        await Expect(page.GetByTestId("consistency-stats")).ToContainTextAsync("200 objects read");
    });
}
