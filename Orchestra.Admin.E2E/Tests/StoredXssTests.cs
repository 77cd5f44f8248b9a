using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Npgsql;
using Orchestra.Admin.E2E.Infrastructure;
using Orchestra.WeaviateEmulator;
using static Microsoft.Playwright.Assertions;

namespace Orchestra.Admin.E2E.Tests;

/// <summary>
/// Hostile text stored in the stack (documents, Weaviate properties, session user agents and data, task errors and
/// payloads) renders as text: no element it describes is
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

    [Fact]
    public Task A_hostile_session_renders_as_text_in_the_list_and_on_its_page() => WithPageAsync(async page =>
    {
        var id = await InsertAsync("""
            INSERT INTO sessions.sessions (user_id, data, ip_address, user_agent, expires_at)
            VALUES ('xss-probe-user', @data::jsonb, '10.9.9.9', @agent, now() + interval '1 day') RETURNING session_id
            """, ("data", new JsonObject { ["name"] = Payloads[1], ["theme"] = Payloads[2] }.ToJsonString()), ("agent", string.Join(" ", Payloads)));

        await page.GotoAsync("/sessions?user=xss-probe-user");
        await Expect(page.GetByRole(AriaRole.Main)).ToContainTextAsync("xss-probe-user");
        await ExpectInertAsync(page);

        await page.GotoAsync($"/sessions/{id}");
        await Expect(page.GetByRole(AriaRole.Main)).ToContainTextAsync("<script>");
        await ExpectInertAsync(page);
    });

    [Fact]
    public Task A_hostile_task_error_and_payload_render_as_text_in_the_failed_list_the_groups_and_on_its_page() => WithPageAsync(async page =>
    {
        var id = await InsertAsync("""
            INSERT INTO task_queue (task_type, payload, status, created_at, started_at, completed_at, error)
            VALUES ('xss_probe', @payload::jsonb, 'failed', now(), now(), now(), @error) RETURNING id
            """, ("payload", new JsonObject { ["x"] = Payloads[1] }.ToJsonString()), ("error", string.Join("\n", Payloads)));

        await page.GotoAsync("/tasks?tab=failed&type=xss_probe");
        await Expect(page.Locator($"[data-id='{id}']").First).ToBeVisibleAsync();
        await ExpectInertAsync(page);

        await page.GotoAsync("/tasks?tab=groups");
        await ExpectInertAsync(page);

        await page.GotoAsync($"/tasks/{id}");
        await Expect(page.GetByRole(AriaRole.Main)).ToContainTextAsync("<script>");
        await ExpectInertAsync(page);
    });

    private Task<Guid> InsertDocumentAsync(string data, string metadata) =>
        InsertAsync("INSERT INTO documents (collection, data, metadata) VALUES ('xss_probe', @data::jsonb, @metadata::jsonb) RETURNING id",
            ("data", data), ("metadata", metadata));

    private async Task<Guid> InsertAsync(string sql, params (string Name, string Value)[] parameters)
    {
        await using var conn = new NpgsqlConnection(App.DatabaseConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
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
