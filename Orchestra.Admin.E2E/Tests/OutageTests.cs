using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Orchestra.Admin.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestra.Admin.E2E.Tests;

/// <summary>
/// The backends and the app itself go away while operators have the dashboard open: PostgreSQL stopped and started,
/// Weaviate failing in each of the ways it can, the app restarted, the network cut. Against a stack of their own
/// (<see cref="OwnStackFixture"/>), one test at a time.
/// </summary>
[Collection(OwnStackCollection.Name)]
public sealed class OutageTests(OwnStackFixture app) : E2ETestBase(app)
{
    private OwnStackFixture Stack => (OwnStackFixture)App;

    private static ILocator Banner(IPage page, string backend) =>
        page.GetByRole(AriaRole.Alert).Filter(new() { HasText = $"{backend} is unreachable" });

    [Fact]
    public async Task PostgreSQL_stopped_shows_the_banner_on_every_open_page_and_everything_recovers_by_itself()
    {
        await using var context = await App.NewContextAsync();
        var pages = new Dictionary<string, IPage>();
        foreach (var (path, heading) in new[] { ("/", "Overview"), ("/postgres", "PostgreSQL"), ("/documents", "Documents") })
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync(path);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = heading, Level = 1 })).ToBeVisibleAsync();
            await WaitForInteractiveAsync(page);
            pages[path] = page;
        }
        await Expect(pages["/"].GetByTestId("active-connections")).ToBeVisibleAsync();

        Stack.Postgres.Stop();
        try
        {
            foreach (var page in pages.Values)
            {
                // Within a sampler round or a health probe (2 s each here), without a reload.
                await Expect(Banner(page, "PostgreSQL")).ToBeVisibleAsync(new() { Timeout = 20_000 });
                await Expect(Banner(page, "PostgreSQL")).ToContainTextAsync(new Regex(@"since \d"));
            }
            // Nothing crashed: the circuits are alive (a click still navigates) and Weaviate's pages still work.
            var documents = pages["/documents"];
            await documents.GetByRole(AriaRole.Link, new() { Name = "Weaviate", Exact = true }).ClickAsync();
            await Expect(Panel(documents, "Nodes").Locator("tr[data-node=node1]")).ToHaveAttributeAsync("data-level", "ok");
            foreach (var page in pages.Values) await ExpectCircuitAliveAsync(page);
        }
        finally
        {
            Stack.Postgres.Start();
        }

        foreach (var page in pages.Values)
            await Expect(Banner(page, "PostgreSQL")).ToHaveCountAsync(0, new() { Timeout = 30_000 });
        // The pool dropped its broken connections: the pages read PostgreSQL again, by themselves or on navigation.
        await Expect(pages["/"].GetByTestId("active-connections")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await pages["/documents"].GetByRole(AriaRole.Link, new() { Name = "Documents", Exact = true }).ClickAsync();
        await Expect(Panel(pages["/documents"], "Collections").GetByRole(AriaRole.Row).Filter(new() { HasText = "orders" }))
            .ToBeVisibleAsync(new() { Timeout = 30_000 });
        foreach (var page in pages.Values) await ExpectCircuitAliveAsync(page);
    }

    [Theory]
    [MemberData(nameof(OwnStackFixture.WeaviateFaults), MemberType = typeof(OwnStackFixture))]
    public Task Each_Weaviate_fault_shows_its_own_message_PostgreSQL_pages_are_unaffected_and_it_recovers(string fault, string message) => WithPageAsync(async page =>
    {
        var nodes = Panel(page, "Nodes");
        await page.GotoAsync("/weaviate");
        await Expect(nodes.Locator("tr[data-node=node1]")).ToHaveAttributeAsync("data-level", "ok");

        try
        {
            await Stack.InjectWeaviateFaultAsync(fault);
            await page.ReloadAsync();
            if (fault == "node unhealthy")
                await Expect(nodes.Locator("tr[data-node=node1]")).ToHaveAttributeAsync("data-level", "critical", new() { Timeout = 30_000 });
            await Expect(page.GetByRole(AriaRole.Main)).ToContainTextAsync(message, new() { Timeout = 30_000 });
            // The top bar does not stay green over failing pages: Weaviate is ready, but its API fails (amber).
            if (fault is "500" or "401" or "malformed")
                await Expect(WeaviateChip(page)).ToHaveAttributeAsync("aria-label", new Regex("^Weaviate: degraded \\(ready, but its API"), new() { Timeout = 30_000 });

            await page.GetByRole(AriaRole.Link, new() { Name = "PostgreSQL", Exact = true }).ClickAsync();
            await Expect(Panel(page, "Live queries")).ToHaveAttributeAsync("aria-busy", "false");
            await Expect(Panel(page, "Live queries").GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        }
        finally
        {
            await Stack.RemoveWeaviateFaultAsync(fault);
        }

        // Recovery without a restart: the circuit breaker lets a call through again after its break (2 s here).
        await page.GetByRole(AriaRole.Link, new() { Name = "Weaviate", Exact = true }).ClickAsync();
        var recovering = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            await page.ReloadAsync();
            try
            {
                await Expect(nodes.Locator("tr[data-node=node1]")).ToHaveAttributeAsync("data-level", "ok", new() { Timeout = 3_000 });
                break;
            }
            catch (PlaywrightException) when (recovering.Elapsed < TimeSpan.FromSeconds(30)) { /* not yet: reload again */ }
        }
        await Expect(WeaviateChip(page)).ToHaveAttributeAsync("data-status", "up", new() { Timeout = 30_000 });
    });

    private static ILocator WeaviateChip(IPage page) =>
        page.GetByRole(AriaRole.Status, new() { Name = "Backend connections" }).Locator("[data-status][aria-label^='Weaviate:']"); // REST's, not "Weaviate gRPC"'s

    [Fact]
    public Task A_restarted_app_keeps_the_operators_signed_in() => WithAppDiagnosticsAsync(async () =>
    {
        var before = App.BaseUrl;
        await App.RestartAppAsync();
        Assert.NotEqual(before, App.BaseUrl);

        // The sign-in cookie was issued by the app before the restart; its keys came back from the keys folder.
        await using var context = await App.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync("/audit");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Audit log", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("signed-in-user")).ToContainTextAsync(App.OperatorUserName);
    });

    [Fact]
    public async Task A_network_blip_shows_the_reconnect_dialog_and_the_page_carries_on()
    {
        await using var proxy = new TcpProxy(App.BaseUrl);
        await using var context = await App.NewContextAsync(baseUrl: proxy.Url);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/postgres");
        await Expect(Panel(page, "Live queries")).ToHaveAttributeAsync("aria-busy", "false");
        await WaitForInteractiveAsync(page);
        var reconnect = page.Locator("#components-reconnect-modal");

        proxy.Interrupt();
        await Expect(reconnect).ToBeVisibleAsync(new() { Timeout = 20_000 });
        proxy.Restore();
        await Expect(reconnect).ToBeHiddenAsync(new() { Timeout = 30_000 });

        // The circuit carries on: a click is handled by the server again.
        await page.GetByRole(AriaRole.Tab, new() { Name = "Space", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("tab=space"));
        await ExpectCircuitAliveAsync(page);
    }
}
