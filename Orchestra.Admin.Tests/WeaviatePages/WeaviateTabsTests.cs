using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Orchestra.Admin.Data.Weaviate;
using Orchestra.Admin.Features.Weaviate;
using Orchestra.Admin.Features.Weaviate.Tabs;
using Orchestra.Admin.Security;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.WeaviatePages;

public class WeaviateTabsTests : BunitSetup
{
    private sealed class AllowAll : IDatabasePrivileges
    {
        public Task<string?> MissingAsync(string table, string privilege, CancellationToken ct = default) => Task.FromResult<string?>(null);
    }

    private readonly FakeWeaviateService weaviate = new();

    public WeaviateTabsTests()
    {
        Services.AddSingleton<IWeaviateService>(weaviate);
        Services.AddSingleton<IDatabasePrivileges>(new AllowAll());
        var auth = AddAuthorization();
        auth.SetAuthorized("olga");
        auth.SetRoles(AdminRoles.Operator);
    }

    [Fact]
    public void Nodes_and_shards_show_their_state_and_a_readonly_shard_says_what_it_means()
    {
        weaviate.Nodes = WeaviateJson.Deserialize<NodesStatusResponse>("""
            {"nodes":[
              {"name":"node1","status":"HEALTHY","version":"1.40.0","gitHash":"adcffc54","stats":{"shardCount":2,"objectCount":15},
               "shards":[{"name":"s1","class":"Memory","objectCount":10,"vectorIndexingStatus":"READY","loaded":true},
                         {"name":"s2","class":"Memory","objectCount":5,"vectorIndexingStatus":"READONLY","loaded":true}]},
              {"name":"node2","status":"TIMEOUT","shards":null}
            ]}
            """)!;

        var tab = Render<HealthTab>();

        Assert.Equal("ok", tab.Find("tr[data-node=node1]").GetAttribute("data-level"));
        var timedOut = tab.Find("tr[data-node=node2]");
        Assert.Equal("critical", timedOut.GetAttribute("data-level"));
        Assert.Contains("did not answer in time", timedOut.TextContent);
        Assert.Contains("adcffc54", tab.Find("tr[data-node=node1]").TextContent);

        Assert.Equal("ok", tab.Find("tr[data-shard=s1]").GetAttribute("data-level"));
        var readOnly = tab.Find("tr[data-shard=s2]");
        Assert.Equal("critical", readOnly.GetAttribute("data-level"));
        Assert.Contains("disk is nearly full", readOnly.TextContent);
        Assert.Contains("Set to READY", readOnly.TextContent);
        Assert.DoesNotContain("Set to READY", tab.Find("tr[data-shard=s1]").TextContent);
    }

    [Fact]
    public void Without_WEAVIATE_URL_the_page_says_so_instead_of_failing()
    {
        weaviate.IsConfigured = false;

        var page = Render<WeaviatePage>();

        Assert.Contains("Weaviate is not configured", page.Find("[role=status]").TextContent);
        Assert.Contains("WEAVIATE_URL", page.Markup);
        Assert.Empty(page.FindAll(".mud-tabs"));
    }

    [Fact]
    public void The_emulator_is_marked_so_nobody_takes_it_for_a_real_server()
    {
        weaviate.Server = weaviate.Server with { IsEmulator = true, Modules = [WeaviateService.EmulatorModule] };

        var tab = Render<HealthTab>();

        Assert.Equal("emulator", tab.Find("[data-testid=emulator-badge]").TextContent.Trim());
        Assert.Contains("not a real Weaviate server", tab.Markup);
    }

    [Fact]
    public void A_real_server_gets_no_emulator_badge()
    {
        var tab = Render<HealthTab>();
        Assert.Empty(tab.FindAll("[data-testid=emulator-badge]"));
        Assert.Equal("1.40.0", tab.Find("[data-testid=weaviate-version]").TextContent);
    }

    [Fact]
    public void Objects_page_forwards_with_the_cursor_and_back_with_the_cursors_seen()
    {
        weaviate.Classes = [new WeaviateClassSummary(new WeaviateClass { Name = "Memory" }, 60, null)];
        var ids = Enumerable.Range(1, 60).Select(i => new Guid($"00000000-0000-0000-0000-{i:D12}")).ToList();
        weaviate.Objects.AddRange(ids.Select(id => new WeaviateObject { ClassName = "Memory", Id = id }));
        Services.GetRequiredService<NavigationManager>().NavigateTo("weaviate?tab=objects&class=Memory");

        var tab = Render<ObjectsTab>();
        string[] Shown() => tab.FindAll("tr[data-id]").Select(r => r.GetAttribute("data-id")!).ToArray();
        tab.WaitForAssertion(() => Assert.Equal(ids.Take(25).Select(i => i.ToString()), Shown()));

        Click(tab, "Next page");
        tab.WaitForAssertion(() => Assert.Equal(ids.Skip(25).Take(25).Select(i => i.ToString()), Shown()));
        Click(tab, "Next page");
        tab.WaitForAssertion(() => Assert.Equal(ids.Skip(50).Select(i => i.ToString()), Shown()));
        Assert.True(Button(tab, "Next page").HasAttribute("disabled")); // 10 < 25: the last page

        Click(tab, "Previous page");
        tab.WaitForAssertion(() => Assert.Equal(ids.Skip(25).Take(25).Select(i => i.ToString()), Shown()));
        Click(tab, "First page");
        tab.WaitForAssertion(() => Assert.Equal(ids.Take(25).Select(i => i.ToString()), Shown()));
        Assert.True(Button(tab, "Previous page").HasAttribute("disabled"));
    }

    [Fact]
    public void An_unknown_class_in_the_url_is_reported_at_the_picker()
    {
        weaviate.Classes = [new WeaviateClassSummary(new WeaviateClass { Name = "Memory" }, 0, null)];
        Services.GetRequiredService<NavigationManager>().NavigateTo("weaviate?tab=objects&class=Nope");

        var tab = Render<ObjectsTab>();

        tab.WaitForAssertion(() => Assert.Contains("No class Nope in the schema.", tab.Markup));
        Assert.Empty(tab.FindAll("tr[data-id]"));
    }

    private static AngleSharp.Dom.IElement Button(IRenderedComponent<ObjectsTab> tab, string text) =>
        tab.FindAll("button").Single(b => b.TextContent.Trim() == text);

    private static void Click(IRenderedComponent<ObjectsTab> tab, string text) => Button(tab, text).Click();
}
