using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;
using Orchestra.Admin.E2E.Infrastructure;
using Orchestra.WeaviateEmulator;
using static Microsoft.Playwright.Assertions;

namespace Orchestra.Admin.E2E.Tests;

/// <summary>
/// The vector search page while Weaviate fails in each of the ways it can (the list and the faults are
/// <see cref="OwnStackFixture.WeaviateFaults"/>, as for the Weaviate page in <see cref="OutageTests"/>): the
/// operator's search gets the fault's own message where the results were, keeps what was typed, and runs again
/// once Weaviate is back, on the same circuit. Against a stack of its own, one test at a time.
/// </summary>
[Collection(OwnStackCollection.Name)]
public sealed class VectorSearchOutageTests(OwnStackFixture app) : E2ETestBase(app)
{
    private OwnStackFixture Stack => (OwnStackFixture)App;

    /// <summary>What the emulator's demo Memory class answers with hits: its astronomy topic vector.</summary>
    private static readonly string AstronomyVector =
        "[" + string.Join(", ", DemoData.TopicVector("astronomy").Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]";

    private static ILocator Results(IPage page) => page.GetByRole(AriaRole.Table, new() { Name = "Search results" });

    /// <summary>The right-hand part of the page: the results, or why there are none.</summary>
    private static ILocator Outcome(IPage page) => page.GetByRole(AriaRole.Region, new() { Name = "Results" });

    private static ILocator SearchButton(IPage page) => page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true });

    /// <summary>
    /// Runs the search as it is typed until Weaviate answers it with hits (and no node warning): once a fault is gone,
    /// without a restart, after the circuit breaker's break (2 s here).
    /// </summary>
    private static async Task SearchUntilAnsweredAsync(IPage page)
    {
        var recovering = Stopwatch.StartNew();
        while (true)
        {
            await SearchButton(page).ClickAsync();
            try
            {
                await Expect(Results(page).Locator("tbody tr")).ToHaveCountAsync(5, new() { Timeout = 3_000 });
                await Expect(Outcome(page).GetByTestId("node-warning")).ToHaveCountAsync(0, new() { Timeout = 3_000 });
                return;
            }
            catch (PlaywrightException) when (recovering.Elapsed < TimeSpan.FromSeconds(30)) { /* not yet: search again */ }
        }
    }

    [Theory]
    [MemberData(nameof(OwnStackFixture.WeaviateFaults), MemberType = typeof(OwnStackFixture))]
    public Task A_search_during_each_Weaviate_fault_shows_its_own_message_keeps_the_query_and_runs_again_when_it_is_over(string fault, string message) =>
        WithPageAsync(async page =>
        {
            await page.GotoAsync("/vectors");
            await WaitForInteractiveAsync(page);
            await Expect(page.GetByText("Distance metric")).ToContainTextAsync("cosine");
            await NearVectorModeAsync(page);
            await NearVectorModeAsync(page);
        var vector = page.GetByLabel("Vector", new() { Exact = true });
            var limit = page.GetByLabel("Limit", new() { Exact = true });
            await vector.FillAsync(AstronomyVector);
            await limit.FillAsync("5");
            await SearchButton(page).ClickAsync();
            await Expect(Results(page).Locator("tbody tr")).ToHaveCountAsync(5);
            var nearest = await Results(page).Locator("tbody tr").First.GetAttributeAsync("data-id");

            try
            {
                await Stack.InjectWeaviateFaultAsync(fault);
                await SearchButton(page).ClickAsync();

                if (fault == "node unhealthy")
                {
                    // The emulator's one-machine search still answers: the hits stand, with a warning beside them
                    // that names the node (its shards' objects may be missing from a real cluster's answer).
                    var warning = Outcome(page).GetByTestId("node-warning");
                    await Expect(warning).ToContainTextAsync($"node1 is {message}", new() { Timeout = 30_000 });
                    await Expect(warning.GetByRole(AriaRole.Link, new() { Name = "Weaviate › Health" })).ToBeVisibleAsync();
                    await Expect(Results(page).Locator("tbody tr")).ToHaveCountAsync(5);
                }
                else
                {
                    // The fault's own words, as an alert where the results were; the last results are gone (they
                    // are not this search's answer), the query that failed is still shown.
                    var alert = Outcome(page).GetByRole(AriaRole.Alert);
                    await Expect(alert).ToContainTextAsync(message, new() { Timeout = 30_000 });
                    await Expect(alert).ToContainTextAsync("The search failed");
                    await Expect(Results(page)).ToHaveCountAsync(0);
                    await Expect(page.GetByTestId("graphql-query")).ToContainTextAsync("nearVector");
                    await Expect(page.GetByTestId("query-time")).ToHaveCountAsync(0);
                }
                // Nothing the operator typed is lost.
                await Expect(vector).ToHaveValueAsync(AstronomyVector);
                await Expect(limit).ToHaveValueAsync("5");
                await ExpectCircuitAliveAsync(page);

                // PostgreSQL's pages are not touched by it (a second tab of the same operator).
                var postgres = await page.Context.NewPageAsync();
                await postgres.GotoAsync("/postgres");
                await Expect(Panel(postgres, "Live queries")).ToHaveAttributeAsync("aria-busy", "false");
                await Expect(Panel(postgres, "Live queries").GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
                await postgres.CloseAsync();
            }
            finally
            {
                await Stack.RemoveWeaviateFaultAsync(fault);
            }

            await SearchUntilAnsweredAsync(page);
            await Expect(Results(page).Locator("tbody tr").First).ToHaveAttributeAsync("data-id", nearest!);
            await Expect(Outcome(page).GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);

            // The circuit carried on through all of it: it still navigates, and PostgreSQL's page is fine.
            await page.GetByRole(AriaRole.Link, new() { Name = "PostgreSQL", Exact = true }).ClickAsync();
            await Expect(Panel(page, "Live queries")).ToHaveAttributeAsync("aria-busy", "false");
            await Expect(Panel(page, "Live queries").GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
            await ExpectCircuitAliveAsync(page);
        });

    [Fact]
    public Task A_Weaviate_that_keeps_failing_has_its_calls_paused_and_the_search_still_says_what_the_server_said() => WithPageAsync(async page =>
    {
        await page.GotoAsync("/vectors");
        await WaitForInteractiveAsync(page);
        await Expect(page.GetByText("Distance metric")).ToContainTextAsync("cosine");
        await NearVectorModeAsync(page);
        var vector = page.GetByLabel("Vector", new() { Exact = true });
        await vector.FillAsync(AstronomyVector);
        await page.GetByLabel("Limit", new() { Exact = true }).FillAsync("5");
        await SearchButton(page).ClickAsync();
        await Expect(Results(page).Locator("tbody tr")).ToHaveCountAsync(5);

        var alert = Outcome(page).GetByRole(AriaRole.Alert);
        try
        {
            await Stack.InjectWeaviateFaultAsync("500");
            // The sampler's rounds and these searches fail until the circuit breaker opens and fails calls fast. Search again well
            // within the fixture's 2 s break: a loop slower than the break can keep landing on the half-open probe, whose answer
            // is the server's failure, never "paused".
            var failing = Stopwatch.StartNew();
            while (true)
            {
                await SearchButton(page).ClickAsync();
                try
                {
                    await Expect(alert).ToContainTextAsync("are paused", new() { Timeout = 400 });
                    break;
                }
                catch (PlaywrightException) when (failing.Elapsed < TimeSpan.FromSeconds(60)) { /* not open yet: search again */ }
            }
            // Paused, yet still the server's own words, not just its status.
            await Expect(alert).ToContainTextAsync("(last: HTTP 500: disk quota exceeded)");
            await Expect(vector).ToHaveValueAsync(AstronomyVector);
        }
        finally
        {
            await Stack.RemoveWeaviateFaultAsync("500");
        }

        await SearchUntilAnsweredAsync(page);
        await Expect(alert).ToHaveCountAsync(0);
        await ExpectCircuitAliveAsync(page);
    });

    [Fact]
    public Task Opened_while_Weaviate_is_down_the_page_says_why_it_has_no_classes_and_recovers_when_Weaviate_returns() => WithPageAsync(async page =>
    {
        var classesFailed = page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "The classes could not be loaded from Weaviate" });
        await Stack.InjectWeaviateFaultAsync("down");
        try
        {
            await page.GotoAsync("/vectors");
            await WaitForInteractiveAsync(page);
            await Expect(classesFailed).ToContainTextAsync("connection refused", new() { Timeout = 30_000 });
            await Expect(SearchButton(page)).ToBeDisabledAsync();
            await ExpectCircuitAliveAsync(page);
        }
        finally
        {
            await Stack.RemoveWeaviateFaultAsync("down");
        }

        // Back without a reload: "Try again" on the same page (after the circuit breaker's break, 2 s here).
        var recovering = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (await classesFailed.CountAsync() > 0)
                    await classesFailed.GetByRole(AriaRole.Button, new() { Name = "Try again" }).ClickAsync(new() { Timeout = 3_000 });
                await Expect(page.GetByText("Distance metric")).ToContainTextAsync("cosine", new() { Timeout = 3_000 });
                break;
            }
            catch (PlaywrightException) when (recovering.Elapsed < TimeSpan.FromSeconds(30)) { /* not yet: try again */ }
        }
        await Expect(classesFailed).ToHaveCountAsync(0);

        await NearVectorModeAsync(page);
        await page.GetByLabel("Vector", new() { Exact = true }).FillAsync(AstronomyVector);
        await page.GetByLabel("Limit", new() { Exact = true }).FillAsync("5");
        await SearchButton(page).ClickAsync();
        await Expect(Results(page).Locator("tbody tr")).ToHaveCountAsync(5);
        await Expect(Results(page).Locator("tbody tr").First).ToContainTextAsync("astronomy");
    });
}
