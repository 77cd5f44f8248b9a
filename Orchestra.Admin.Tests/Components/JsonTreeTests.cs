using System.Text.Json.Nodes;
using Bunit;
using Orchestra.Admin.Components.Controls;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Components;

public class JsonTreeTests : BunitSetup
{
    [Fact]
    public void Shows_types_and_opens_nodes_only_when_asked()
    {
        var tree = Render<JsonTree>(p => p.Add(t => t.Root, JsonNode.Parse("""{"name":"Ada","age":36,"ok":true,"none":null,"tags":["x","y"],"address":{"city":"Paris"}}""")));

        var top = tree.FindAll("ul[role=tree] > li > ul > li");
        Assert.Equal(6, top.Count);
        Assert.Contains("string", top[0].QuerySelector(".json-type")!.TextContent);
        Assert.Equal("\"Ada\"", top[0].QuerySelector(".json-value")!.TextContent);
        Assert.Equal("number", top[1].QuerySelector(".json-type")!.TextContent);
        Assert.Equal("boolean", top[2].QuerySelector(".json-type")!.TextContent);
        Assert.Equal("null", top[3].QuerySelector(".json-type")!.TextContent);
        Assert.Equal("array [2]", top[4].QuerySelector(".json-type")!.TextContent);
        // Closed containers render no children at all.
        Assert.DoesNotContain("Paris", tree.Markup);

        tree.Find("button[aria-label='Expand address']").Click();

        Assert.Contains("\"Paris\"", tree.Markup);
        Assert.Equal("true", tree.Find("button[aria-label='Collapse address']").ParentElement!.GetAttribute("aria-expanded"));
    }

    [Fact]
    public void A_long_array_shows_a_hundred_at_a_time_and_long_strings_are_cut()
    {
        var big = new JsonArray(Enumerable.Range(0, 250).Select(i => (JsonNode)JsonValue.Create(i)!).ToArray());
        var root = new JsonObject { ["items"] = big, ["text"] = new string('a', 1000) };
        var tree = Render<JsonTree>(p => p.Add(t => t.Root, root));

        tree.Find("button[aria-label='Expand items']").Click();
        Assert.Equal(100, tree.FindAll("li:has(> button[aria-label='Collapse items']) > ul > li .json-value").Count);
        tree.FindAll("button.json-more").Single(b => b.TextContent.StartsWith("show 100 more")).Click();
        Assert.Equal(200, tree.FindAll("li:has(> button[aria-label='Collapse items']) > ul > li .json-value").Count);

        var text = tree.FindAll(".json-value-string").Single();
        Assert.Equal(1 + 300 + 1 + 1, text.TextContent.Length); // quote, 300 characters, ellipsis, quote
        tree.FindAll("button.json-more").Single(b => b.TextContent.StartsWith("show all 1,000")).Click();
        Assert.Equal(1002, tree.FindAll(".json-value-string").Single().TextContent.Length);
    }
}
