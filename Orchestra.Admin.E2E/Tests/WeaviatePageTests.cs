using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Npgsql;
using Orchestra.Admin.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestra.Admin.E2E.Tests;

/// <summary>The Weaviate page against the emulator (see AppFixture): nodes, shards, objects, an Operator action, an outage.</summary>
public sealed class WeaviatePageTests(AppFixture app) : E2ETest(app)
{
    [Fact]
    public Task Health_shows_the_node_and_its_shards_and_marks_the_emulator() => WithPageAsync(async page =>
    {
        await page.GotoAsync("/weaviate");

        var nodes = Panel(page, "Nodes");
        var node = nodes.Locator("tr[data-node=node1]");
        await Expect(node).ToHaveAttributeAsync("data-level", "ok");
        await Expect(node).ToContainTextAsync("HEALTHY");
        await Expect(node).ToContainTextAsync(AppFixture.EmulatorObjects.ToString("N0"));

        var shards = Panel(page, "Shards");
        await Expect(shards.GetByRole(AriaRole.Row).Filter(new() { HasText = "Memory" })).ToContainTextAsync("READY");
        await Expect(Panel(page, "Server").GetByTestId("emulator-badge")).ToBeVisibleAsync();
        // The gRPC endpoint beside REST, on the page and in the top bar.
        await Expect(Panel(page, "Server").GetByTestId("grpc-state")).ToHaveTextAsync("gRPC serving");
        await Expect(Panel(page, "Server")).ToContainTextAsync(App.Emulator.GrpcUrl!.GetLeftPart(UriPartial.Authority));
        await Expect(page.GetByRole(AriaRole.Status, new() { Name = "Backend connections" }).Locator("[aria-label^='Weaviate gRPC: connected']")).ToBeVisibleAsync();
    });

    [Fact]
    public Task Objects_page_with_the_cursor_and_open_one_with_its_vector() => WithPageAsync(async page =>
    {
        await page.GotoAsync("/weaviate?tab=objects&class=Memory");
        // MudSimpleTable puts its label on a wrapper, not the table: rows are found by their data-id.
        var rows = page.Locator("tr[data-id]");
        await Expect(rows).ToHaveCountAsync(25);
        var firstPage = await rows.First.GetAttributeAsync("data-id");
        await WaitForInteractiveAsync(page);

        await page.GetByRole(AriaRole.Button, new() { Name = "Next page" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Objects of Memory · page 2" })).ToBeVisibleAsync();
        // The heading changes at once; the rows when page 2 has loaded.
        await Expect(rows.First).Not.ToHaveAttributeAsync("data-id", firstPage!);
        var secondPage = await rows.First.GetAttributeAsync("data-id");
        Assert.True(string.CompareOrdinal(secondPage, firstPage) > 0, $"page 2 starts at {secondPage}, after page 1's {firstPage}");

        await rows.First.GetByRole(AriaRole.Link).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex($"/weaviate/objects/Memory/{secondPage}$"));
        await Expect(page.GetByTestId("vector-dimensions")).ToHaveTextAsync("384");
        await Expect(Panel(page, "Object")).ToContainTextAsync("content");
    });

    [Fact]
    public Task An_operator_sets_a_readonly_shard_back_to_ready_and_it_is_audited() => WithPageAsync(async page =>
    {
        App.Emulator.Faults.SetShardReadOnly("Memory");
        try
        {
            await page.GotoAsync("/weaviate");
            var shard = Panel(page, "Shards").Locator("tr[data-level=critical]").Filter(new() { HasText = "Memory" });
            await Expect(shard).ToContainTextAsync("READONLY");
            await Expect(shard).ToContainTextAsync("disk");
            await WaitForInteractiveAsync(page);

            await shard.GetByRole(AriaRole.Button, new() { Name = "Set to READY" }).ClickAsync();
            await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Set to READY" }).ClickAsync();

            await Expect(page.GetByText(new Regex("is READY again"))).ToBeVisibleAsync();
            await Expect(Panel(page, "Shards").Locator("tr[data-level=critical]")).ToHaveCountAsync(0);
            await using var conn = new NpgsqlConnection(App.DatabaseConnectionString);
            await conn.OpenAsync();
            var audited = await new NpgsqlCommand(
                "SELECT count(*) FROM orchestra_admin.audit_log WHERE action = 'weaviate.shard.set-ready' AND succeeded AND previous::text LIKE '%READONLY%'", conn).ExecuteScalarAsync();
            Assert.Equal(1L, audited);
        }
        finally
        {
            App.Emulator.Faults.Reset();
        }
    });

    [Fact]
    public Task Weaviate_going_away_shows_the_outage_banner_and_the_page_recovers_when_it_returns() => WithPageAsync(async page =>
    {
        await page.GotoAsync("/weaviate");
        await Expect(Panel(page, "Nodes").Locator("tr[data-node=node1]")).ToBeVisibleAsync();
        await WaitForInteractiveAsync(page);
        var banner = page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "Weaviate is unreachable" });

        await App.StopEmulatorAsync();
        try
        {
            await Expect(banner).ToBeVisibleAsync(new() { Timeout = 20_000 });
            await Expect(banner).ToContainTextAsync("connection refused");
            // The PostgreSQL pages keep working meanwhile.
            await page.GetByRole(AriaRole.Link, new() { Name = "PostgreSQL" }).ClickAsync();
            await Expect(Panel(page, "Live queries")).ToHaveAttributeAsync("aria-busy", "false");
            await Expect(Panel(page, "Live queries").GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        }
        finally
        {
            await App.RestartEmulatorAsync();
        }

        await Expect(banner).ToHaveCountAsync(0, new() { Timeout = 20_000 });
        await page.GetByRole(AriaRole.Link, new() { Name = "Weaviate" }).ClickAsync();
        await Expect(Panel(page, "Nodes").Locator("tr[data-node=node1]")).ToHaveAttributeAsync("data-level", "ok", new() { Timeout = 20_000 });
    });
}
