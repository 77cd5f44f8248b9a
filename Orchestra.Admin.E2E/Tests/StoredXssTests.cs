using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Npgsql;
using Orchestra.Admin.E2E.Infrastructure;
using Orchestra.WeaviateEmulator;
using static Microsoft.Playwright.Assertions;

namespace Orchestra.Admin.E2E.Tests;

/// <summary>
/// Hostile text stored in the stack (documents, Weaviate properties …) renders as text: no element it describes is
/// created and no script it carries runs. Checked on the markup itself, not only through the Content-Security-Policy
/// (which would block execution anyway): the DOM must not contain the injected elements.
/// </summary>
[Collection(OwnStackCollection.Name)]
public sealed class StoredXssTests(OwnStackFixture app) : E2ETestBase(app)
{
    /// <summary>Each payload sets window.__xss if it ever runs, or creates an element marked data-xss.</summary>
    public static readonly string[] Payloads =
    [
        "<script>window.__xss = 'script'</script>",
        "<img src=x data-xss onerror=\"window.__xss = 'img'\">",
        "\"><svg data-xss onload=\"window.__xss = 'svg'\"></svg>",
        "javascript:window.__xss = 'link'",
        "</td></tr><tr><td data-xss>row</td></tr>",
    ];

    [Fact]
    public Task A_hostile_document_renders_as_text_in_the_grid_and_on_its_page() => WithPageAsync(async page =>
    {
        var data = new JsonObject();
        for (var i = 0; i < Payloads.Length; i++) data[$"field{i}"] = Payloads[i];
        data[Payloads[1]] = "a hostile key";
        var id = await InsertDocumentAsync(data.ToJsonString(), new JsonObject { ["note"] = Payloads[2] }.ToJsonString());

        await page.GotoAsync("/documents/xss_probe");
        await Expect(page.Locator($"tr[data-id='{id}']")).ToBeVisibleAsync();
        await ExpectInertAsync(page);

        await page.GotoAsync($"/documents/xss_probe/{id}");
        await Expect(page.GetByRole(AriaRole.Tree, new() { Name = "Document data" })).ToContainTextAsync("onerror");
        await Expect(page.GetByRole(AriaRole.Main)).ToContainTextAsync("<svg data-xss onload");
        await ExpectInertAsync(page);
    });

    [Fact]
    public Task A_hostile_Weaviate_object_renders_as_text_on_its_page_and_in_search_results() => WithPageAsync(async page =>
    {
        var id = App.Emulator.Store.AddObject("Memory",
            new JsonObject { ["content"] = string.Join(" ", Payloads), ["metadata"] = new JsonObject { ["x"] = Payloads[1] }.ToJsonString() },
            DemoData.TopicVector("astronomy"));

        await page.GotoAsync($"/weaviate/objects/Memory/{id}");
        await Expect(page.GetByRole(AriaRole.Main)).ToContainTextAsync("<script>");
        await ExpectInertAsync(page);

        await page.GotoAsync($"/vectors?class=Memory&nearObject={id}");
        var results = page.GetByRole(AriaRole.Table, new() { Name = "Search results" });
        await Expect(results.Locator("tbody tr").First).ToHaveAttributeAsync("data-id", id.ToString());
        await Expect(results.Locator("tbody tr").First).ToContainTextAsync("<script>");
        await ExpectInertAsync(page);
    });

    private async Task<Guid> InsertDocumentAsync(string data, string metadata)
    {
        await using var conn = new NpgsqlConnection(App.DatabaseConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "INSERT INTO documents (collection, data, metadata) VALUES ('xss_probe', @data::jsonb, @metadata::jsonb) RETURNING id", conn);
        cmd.Parameters.AddWithValue("data", data);
        cmd.Parameters.AddWithValue("metadata", metadata);
        return (Guid)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task ExpectInertAsync(IPage page)
    {
        await WaitForInteractiveAsync(page);
        await Expect(page.Locator("[data-xss]")).ToHaveCountAsync(0);
        await Expect(page.Locator("a[href^='javascript:']")).ToHaveCountAsync(0);
        Assert.Null(await page.EvaluateAsync<string?>("window.__xss ?? null"));
    }
}
