using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Orchestra.Admin.E2E.Infrastructure;
using Orchestra.WeaviateEmulator;
using static Microsoft.Playwright.Assertions;

namespace Orchestra.Admin.E2E.Tests;

/// <summary>Ad hoc search against the emulator's demo Memory class: ask a question, paste a vector, read the ranking, open a hit, find similar.</summary>
public sealed class VectorSearchTests(AppFixture app) : E2ETest(app)
{
    [Fact]
    public Task A_question_typed_into_Query_text_finds_the_memory_that_answers_it_first_and_its_text_finds_it_again_from_its_page() => WithPageAsync(async page =>
    {
        var sample = DemoData.SampleQuestions.Single(q => q.Question == "why did the deploy fail last week?");
        await page.GotoAsync("/vectors");
        await WaitForInteractiveAsync(page);
        await Expect(page.GetByText("Distance metric")).ToContainTextAsync("cosine");

        await Expect(page.GetByRole(AriaRole.Radio, new() { Name = "Search by text" })).ToBeCheckedAsync(); // the page opens asking for text
        await page.GetByLabel("Query text", new() { Exact = true }).FillAsync(sample.Question);
        await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();

        var results = page.GetByRole(AriaRole.Table, new() { Name = "Search results" });
        await Expect(results.Locator("tbody tr").First).ToHaveAttributeAsync("data-id", sample.MemoryId.ToString(), new() { Timeout = 30_000 });
        await Expect(results.Locator("tbody tr").First).ToContainTextAsync(sample.Content[..Math.Min(sample.Content.Length, 100)]);
        await Expect(page.GetByTestId("embedded-by")).ToContainTextAsync("Text embedded by local all-MiniLM-L6-v2, 384 dimensions");
        await Expect(page.GetByTestId("search-protocol")).ToHaveTextAsync("gRPC"); // the emulator serves gRPC: auto takes it
        await Expect(page.GetByTestId("graphql-query")).ToContainTextAsync("\"vectorBytes\": \"[384 numbers]\"");
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Your recent searches" })).ToContainTextAsync(sample.Question);

        // From the memory's own page, "Search by this text" finds it first (its own text, its own vector).
        await results.Locator("tbody tr").First.GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/weaviate/objects/Memory/{sample.MemoryId}$"));
        await page.GetByRole(AriaRole.Link, new() { Name = "Search by this text" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/vectors\\?class=Memory&text="));
        var again = page.GetByRole(AriaRole.Table, new() { Name = "Search results" });
        await Expect(again.Locator("tbody tr").First).ToHaveAttributeAsync("data-id", sample.MemoryId.ToString(), new() { Timeout = 30_000 });
    });

    [Fact]
    public Task Paste_a_vector_see_ranked_results_open_one_and_find_similar() => WithPageAsync(async page =>
    {
        await page.GotoAsync("/vectors");
        await WaitForInteractiveAsync(page);
        await Expect(page.GetByText("Distance metric")).ToContainTextAsync("cosine");

        var vector = DemoData.TopicVector("astronomy");
        await NearVectorModeAsync(page);
        await page.GetByLabel("Vector", new() { Exact = true }).FillAsync(
            "[" + string.Join(", ", vector.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]");
        await page.GetByLabel("Limit", new() { Exact = true }).FillAsync("5");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();

        var results = page.GetByRole(AriaRole.Table, new() { Name = "Search results" });
        await Expect(results.Locator("tbody tr")).ToHaveCountAsync(5);
        await Expect(results.GetByRole(AriaRole.Columnheader, new() { Name = "Distance" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("graphql-query")).ToContainTextAsync("nearVector");
        var distances = await DistancesAsync(results);
        Assert.Equal(distances.Order(), distances);
        // The astronomy topic vector lands on astronomy memories.
        await Expect(results.Locator("tbody tr").First).ToContainTextAsync("astronomy");

        var first = results.Locator("tbody tr").First;
        var id = await first.GetAttributeAsync("data-id");
        await first.GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/weaviate/objects/Memory/{id}$"));

        await page.GetByRole(AriaRole.Link, new() { Name = "Find similar" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex($"/vectors\\?class=Memory&nearObject={id}$"));
        await Expect(page.GetByTestId("graphql-query")).ToContainTextAsync("\"nearObject\": {");
        await Expect(page.GetByTestId("graphql-query")).ToContainTextAsync($"\"id\": \"{id}\"");
        var similar = page.GetByRole(AriaRole.Table, new() { Name = "Search results" });
        await Expect(similar.Locator("tbody tr").First).ToHaveAttributeAsync("data-id", id!);
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Your recent searches" })).ToContainTextAsync("near " + id);
    });

    [Fact]
    public Task A_malformed_vector_is_refused_at_the_field_with_its_position_and_nothing_runs() => WithPageAsync(async page =>
    {
        await page.GotoAsync("/vectors");
        await WaitForInteractiveAsync(page);
        await Expect(page.GetByText("Distance metric")).ToContainTextAsync("cosine");
        await NearVectorModeAsync(page);
        var field = page.GetByLabel("Vector", new() { Exact = true });
        await field.FillAsync("0.1, 0.2, abc, 0.4");

        await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();

        await Expect(page.GetByText(new Regex("value 3.*abc"))).ToBeVisibleAsync();
        await Expect(field).ToHaveValueAsync("0.1, 0.2, abc, 0.4"); // kept as typed
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Search results" })).ToHaveCountAsync(0);
    });

    private static async Task<List<double>> DistancesAsync(ILocator results)
    {
        var column = await results.Locator("thead th").AllInnerTextsAsync();
        var index = column.ToList().FindIndex(t => t.Trim() == "Distance");
        var cells = await results.Locator($"tbody tr td:nth-child({index + 1})").AllInnerTextsAsync();
        return cells.Select(c => double.Parse(c, CultureInfo.InvariantCulture)).ToList();
    }
}
