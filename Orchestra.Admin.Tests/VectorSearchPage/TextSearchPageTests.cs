using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Orchestra.Admin.Data.Embeddings;
using Orchestra.Admin.Data.Weaviate;
using Orchestra.Admin.Features.VectorSearch;
using Orchestra.Admin.Features.Weaviate;
using Orchestra.Admin.Hosting;
using Orchestra.Admin.Security;
using Orchestra.Admin.Tests.Infrastructure;
using Orchestra.Admin.Tests.WeaviatePages;
using EmulatorOptions = Orchestra.WeaviateEmulator.EmulatorOptions;
using Page = Orchestra.Admin.Features.VectorSearch.VectorSearchPage;
using RunningEmulator = Orchestra.WeaviateEmulator.RunningEmulator;

namespace Orchestra.Admin.Tests.VectorSearchPage;

/// <summary>
/// Search by text on the page, end to end but for the browser: the real local model embeds the question, the real GraphQL
/// search runs against the emulator, whose class holds notes embedded by the same model here.
/// </summary>
public sealed class TextSearchPageTests : BunitSetup
{
    private static readonly string[] Notes =
    [
        "The user prefers a dark theme in every editor and terminal.",
        "Last week's deploy failed because the database migration timed out.",
        "Dana's sourdough starter is called Bubbles and lives in the fridge.",
        "Remind the user to renew the passport before the trip to Lisbon in May.",
        "The quarterly budget review moved to the first Monday of the month.",
        "The user plays the piano and is learning a Chopin nocturne.",
    ];

    private readonly RecordingRecentSearches recent = new();
    private readonly OrchestraAdminOptions settings = new();
    private RunningEmulator emulator = null!;
    /// <summary>Set by <see cref="StartAsync"/>, once the emulator runs; the page asks for it when it renders.</summary>
    private IVectorSearch? search;

    public TextSearchPageTests()
    {
        Services.AddSingleton<IWeaviateService>(new FakeWeaviateService());
        Services.AddSingleton<IRecentSearches>(recent);
        Services.AddSingleton<ICurrentOperator>(FakeCurrentOperator.Viewer);
        Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(settings));
        Services.AddSingleton<IVectorSearch>(_ => search!);
        Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
    }

    private async Task StartAsync(string className, Func<float[], float[]>? storedVector = null)
    {
        emulator = await RunningEmulator.StartAsync(new EmulatorOptions());
        emulator.Store.CreateClass($$"""
            {"class": "{{className}}", "vectorizer": "none", "vectorIndexConfig": {"distance": "cosine"},
             "properties": [{"name": "content", "dataType": ["text"]}, {"name": "kind", "dataType": ["text"]}]}
            """);
        var client = new ServiceCollection().AddLogging().AddWeaviateClient(new OrchestraAdminOptions { Weaviate = { Url = emulator.Url, RetryCount = 0 } })
            .BuildServiceProvider().GetRequiredService<IWeaviateClient>();
        search = new GraphQLVectorSearch(new ServiceCollection().AddSingleton(client).BuildServiceProvider());
        // The page's own providers embed the stored notes.
        var providers = Services.GetRequiredService<EmbeddingProviders>();
        var vectors = (await providers.EmbedAsync(className, providers.ProfileFor(className), null, Notes)).Vectors;
        for (var i = 0; i < Notes.Length; i++)
            emulator.Store.AddObject(className, new { content = Notes[i], kind = "note" }, storedVector?.Invoke(vectors[i]) ?? vectors[i], Guid.Parse($"00000000-0000-4000-8000-00000000000{i}"));
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore();
        if (emulator != null) await emulator.DisposeAsync();
    }

    private IRenderedComponent<Page> Open()
    {
        Render<MudPopoverProvider>();
        var page = Render<Page>();
        page.WaitForAssertion(() => Assert.Contains("Distance metric", page.Markup), TimeSpan.FromSeconds(10)); // the class is loaded
        Assert.Contains(page.FindAll("label"), l => l.TextContent.Contains("Query text")); // and the page opened in search by text
        return page;
    }

    private static void Ask(IRenderedComponent<Page> page, string question)
    {
        page.Find("textarea").Input(question);
        page.Find("form").Submit();
    }

    private static List<string> Contents(IRenderedComponent<Page> page) =>
        page.FindAll("table.results-table tbody tr").Select(r => r.QuerySelectorAll("td.result-value .value-text")[0].TextContent).ToList();

    [Fact]
    public async Task A_question_typed_as_a_person_asks_it_finds_the_note_that_answers_it_first()
    {
        await StartAsync("Note");
        var page = Open();

        Ask(page, "why did the release break?");

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("table.results-table tbody tr")), TimeSpan.FromSeconds(30));
        Assert.Equal(Notes[1], Contents(page)[0]);
        Ask(page, "what colour scheme does the user like in their editor?");
        page.WaitForAssertion(() => Assert.Equal(Notes[0], Contents(page)[0]), TimeSpan.FromSeconds(30));

        // What embedded it, with its own time, and the query as sent with the vector folded.
        var embeddedBy = string.Join(' ', page.Find("[data-testid=embedded-by]").TextContent.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Text embedded by local all-MiniLM-L6-v2, 384 dimensions, in", embeddedBy);
        Assert.Contains("; search", embeddedBy);
        var shown = page.Find("[data-testid=graphql-query]").TextContent;
        Assert.StartsWith("{ Get { Note(nearVector: {vector: [384 numbers]}", shown);
        Assert.Contains("Copy vector (384 numbers)", page.Markup);

        // Recent searches keep the text, not the vector.
        page.WaitForAssertion(() => Assert.Equal(2, recent.Remembered.Count)); // remembered after the hits are shown
        var remembered = recent.Remembered[^1];
        Assert.Equal((SearchMode.Text, "what colour scheme does the user like in their editor?", ""), (remembered.Mode, remembered.QueryText, remembered.VectorText));
    }

    [Fact]
    public async Task Search_by_this_text_on_a_result_finds_that_note_first_and_its_neighbours_after()
    {
        await StartAsync("Note");
        var page = Open();
        Ask(page, "bread baking");
        page.WaitForAssertion(() => Assert.Equal(Notes[2], Contents(page)[0]), TimeSpan.FromSeconds(30));

        // Found and clicked on the renderer's thread: the page re-renders once the search was remembered.
        await page.InvokeAsync(() => page.FindAll("table.results-table tbody tr").Single(r => r.TextContent.Contains("Lisbon"))
            .QuerySelectorAll("button").Single(b => b.TextContent.Contains("Search by this text")).Click());

        page.WaitForAssertion(() => Assert.Equal(Notes[3], Contents(page)[0]), TimeSpan.FromSeconds(30));
        Assert.Equal("0.0000", page.Find("table.results-table tbody tr td:nth-child(2)").TextContent); // its own vector: distance 0
        page.WaitForAssertion(() => Assert.Equal(Notes[3], recent.Remembered[^1].QueryText));
    }

    [Fact]
    public async Task An_empty_question_is_an_error_at_the_field_and_nothing_is_searched()
    {
        await StartAsync("Note");
        var page = Open();
        Ask(page, "   ");
        page.WaitForAssertion(() => Assert.Contains("Type the text to search for.", page.Markup));
        Assert.Empty(page.FindAll("table.results-table"));
        Assert.Empty(recent.Remembered);
    }

    [Fact]
    public async Task A_class_whose_vectors_another_model_made_cannot_be_searched_by_text_and_the_page_names_both_dimensions()
    {
        await StartAsync("Wide", v => [.. v, .. v]); // 768 numbers: not this model's vectors
        Render<MudPopoverProvider>();
        var page = Render<Page>();

        page.WaitForAssertion(() => Assert.Contains("Search by text is off", page.Find("[data-testid=text-search-off]").TextContent));
        Assert.Contains("class Wide's vectors have 768 dimensions, but local all-MiniLM-L6-v2 makes vectors of 384", page.Find("[data-testid=text-search-off]").TextContent);
        var radio = page.FindAll("input[type=radio]").Single(r => r.ParentElement!.ParentElement!.TextContent.Contains("Search by text"));
        Assert.True(radio.HasAttribute("disabled"));
        Assert.Contains("Vector", page.FindAll("label").Select(l => l.TextContent.Trim())); // the page opens in nearVector mode instead
    }

    private sealed class RecordingRecentSearches : IRecentSearches
    {
        public List<SearchRequest> Remembered { get; } = [];

        public Task RememberAsync(string actor, SearchRequest request, CancellationToken ct = default)
        {
            Remembered.Add(request);
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<RecentSearch>> ListAsync(string actor, CancellationToken ct = default) => Task.FromResult<IReadOnlyList<RecentSearch>>([]);
    }
}
