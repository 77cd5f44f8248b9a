using System.Text.Json.Nodes;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Orchestra.Admin.Data.Weaviate;
using Orchestra.Admin.Features.VectorSearch;
using Orchestra.Admin.Features.Weaviate;
using Orchestra.Admin.Security;
using Orchestra.Admin.Tests.Infrastructure;
using Orchestra.Admin.Tests.WeaviatePages;
using Page = Orchestra.Admin.Features.VectorSearch.VectorSearchPage;

namespace Orchestra.Admin.Tests.VectorSearchPage;

/// <summary>The search page when Weaviate fails: where the message goes, what happens to the last results and the
/// form, and how the page comes back without a reload. (In the browser against the emulator: E2E VectorSearchOutageTests.)</summary>
public sealed class VectorSearchFaultsTests : BunitSetup
{
    private readonly FakeVectorSearch search = new();
    private readonly FakeWeaviateService weaviate = new();

    public VectorSearchFaultsTests()
    {
        Services.AddSingleton<IVectorSearch>(search);
        // These tests paste a vector: with no embedding provider the page opens in nearVector mode (search by text: TextSearchPageTests).
        Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(new Orchestra.Admin.Hosting.OrchestraAdminOptions { Embeddings = { Provider = "none" } }));
        Services.AddSingleton<IWeaviateService>(weaviate);
        Services.AddSingleton<IRecentSearches>(new NoRecentSearches());
        Services.AddSingleton<ICurrentOperator>(FakeCurrentOperator.Viewer);
        Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
    }

    [Fact]
    public void A_failed_search_replaces_the_last_results_with_its_own_message_keeps_the_form_and_the_next_search_works()
    {
        Render<MudPopoverProvider>();
        var page = Render<Page>();
        page.Find("textarea").Input("[0.1, 0.2]");
        page.Find("form").Submit();
        page.WaitForAssertion(() => Assert.Single(page.FindAll("table.results-table tbody tr")));

        search.Failure = new WeaviateException(WeaviateErrorKind.ServerError, "disk quota exceeded") { StatusCode = 500 };
        page.Find("form").Submit();

        page.WaitForAssertion(() => Assert.Empty(page.FindAll("table.results-table")));
        var alert = page.Find("section[aria-labelledby=results-heading] [role=alert]");
        Assert.Equal("The search failed: disk quota exceeded", alert.TextContent.Trim());
        Assert.Equal("[0.1, 0.2]", page.Find("textarea").GetAttribute("value") ?? page.Find("textarea").TextContent);
        Assert.Contains("nearVector", page.Find("[data-testid=graphql-query]").TextContent); // the query that failed
        Assert.Empty(page.FindAll("[data-testid=query-time]")); // nothing answered it

        search.Failure = null;
        page.Find("form").Submit();
        page.WaitForAssertion(() => Assert.Single(page.FindAll("table.results-table tbody tr")));
        Assert.Empty(page.FindAll("[role=alert]"));
        Assert.Equal(3, search.Searches);
    }

    [Fact]
    public void Classes_that_cannot_be_loaded_say_why_and_Try_again_recovers_without_a_reload()
    {
        search.ClassNamesFailure = new WeaviateException(WeaviateErrorKind.Unreachable, "no answer from http://127.0.0.1:9: connection refused");
        Render<MudPopoverProvider>();
        var page = Render<Page>();

        var alert = page.Find("[role=alert]");
        Assert.Contains("The classes could not be loaded from Weaviate: no answer from http://127.0.0.1:9: connection refused", alert.TextContent);
        Assert.True(SearchButton(page).HasAttribute("disabled"));

        search.ClassNamesFailure = null;
        alert.QuerySelector("button")!.Click();

        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[role=alert]")));
        Assert.False(SearchButton(page).HasAttribute("disabled"));
        Assert.Contains("cosine", page.Markup);
    }

    [Fact]
    public void A_node_that_is_not_healthy_is_warned_about_next_to_the_results_that_still_show()
    {
        weaviate.Nodes = WeaviateJson.Deserialize<NodesStatusResponse>("""
            {"nodes":[{"name":"node1","status":"UNHEALTHY","version":"1.40.0","shards":[]},{"name":"node2","status":"HEALTHY","version":"1.40.0","shards":[]}]}
            """)!;
        Render<MudPopoverProvider>();
        var page = Render<Page>();
        page.Find("textarea").Input("[0.1, 0.2]");
        page.Find("form").Submit();

        page.WaitForAssertion(() => Assert.Single(page.FindAll("table.results-table tbody tr")));
        var warning = page.Find("[data-testid=node-warning]").TextContent;
        Assert.Contains("Weaviate node node1 is UNHEALTHY", warning);
        Assert.DoesNotContain("node2", warning);

        weaviate.Nodes = new NodesStatusResponse();
        page.Find("form").Submit();
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=node-warning]")));
    }

    private static AngleSharp.Dom.IElement SearchButton(IRenderedComponent<Page> page) =>
        page.FindAll("button").Single(b => b.TextContent.Trim() == "Search");

    private sealed class FakeVectorSearch : IVectorSearch
    {
        public Exception? ClassNamesFailure { get; set; }
        public Exception? Failure { get; set; }
        public int Searches { get; private set; }

        private static readonly ClassSearchInfo Memory = new("Memory", "cosine", 2,
            [new Property { Name = "content", DataType = ["text"] }], "class Memory has no vectorizer (vectors are supplied by the stack)");

        public Task<IReadOnlyList<string>> ClassNamesAsync(CancellationToken ct = default) =>
            ClassNamesFailure is { } e ? Task.FromException<IReadOnlyList<string>>(e) : Task.FromResult<IReadOnlyList<string>>(["Memory"]);

        public Task<ClassSearchInfo> DescribeClassAsync(string className, CancellationToken ct = default) => Task.FromResult(Memory);

        public Task<SearchResult> SearchAsync(SearchRequest request, CancellationToken ct = default)
        {
            Searches++;
            if (Failure is { } e) return Task.FromException<SearchResult>(e);
            var hit = new SearchHit(1, Guid.Parse("2f1c6b1e-8d7a-4a8e-9a53-0c1f3e5b7d21"), 0.125, 0.9375, null, new JsonObject { ["content"] = "stars" });
            return Task.FromResult(new SearchResult("{ Get { Memory(nearVector: …) } }", TimeSpan.FromMilliseconds(3), [hit]));
        }

        public Task<string> PreviewAsync(SearchRequest request, CancellationToken ct = default) =>
            Task.FromResult("{ Get { Memory(nearVector: {vector: [" + request.VectorText.Trim('[', ']') + "]}) } }");
    }

    private sealed class NoRecentSearches : IRecentSearches
    {
        public Task RememberAsync(string actor, SearchRequest request, CancellationToken ct = default) => Task.CompletedTask;
        public Task<IReadOnlyList<RecentSearch>> ListAsync(string actor, CancellationToken ct = default) => Task.FromResult<IReadOnlyList<RecentSearch>>([]);
    }
}
