using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Npgsql;
using Orchestra.Admin.E2E.Infrastructure;
using Orchestra.Admin.Tests.Sessions;
using static Microsoft.Playwright.Assertions;

namespace Orchestra.Admin.E2E.Tests;

/// <summary>
/// A Viewer in a real browser reads the sessions pages and the audit log and searches the HTML it was sent, and the address it
/// is at, for the secrets the stack keeps: tokens under innocent keys or inside JSON strings, and full session ids.
/// </summary>
public sealed class ViewerMaskingTests(AppFixture app) : E2ETest(app)
{
    [Fact]
    public Task A_viewer_finds_no_secret_and_no_full_session_id_on_the_sessions_pages_nor_in_the_audit_log_after_a_clean_up() => WithPageAsync(async operatorPage =>
    {
        var user = "e2e-viewer-" + Guid.NewGuid().ToString("N")[..8];
        var jwt = SecretSamples.Jwt();
        var secrets = new[] { jwt, SecretSamples.RandomToken(40), SecretSamples.RandomToken(40) };
        var data = new JsonObject
        {
            ["locale"] = "en-GB",
            ["x"] = secrets[0],
            ["prefs"] = new JsonObject { ["oauth"] = new JsonObject { ["access_token"] = secrets[1] } }.ToJsonString(),
            ["last_request"] = $"GET /api/me with Authorization: Bearer {secrets[2]}",
        }.ToJsonString();
        var live = new List<string>();
        for (var i = 0; i < 26; i++)
            live.Add(await ScalarAsync<string>($"""
                INSERT INTO sessions.sessions (user_id, data, expires_at, created_at)
                VALUES ('{user}', @data::jsonb, now() + interval '1 day', now() - {i} * interval '1 minute') RETURNING session_id::text
                """, data));
        // Two more that expired 11 years ago: the operator's clean-up below deletes them, and their rows go to the audit log.
        var gone = new List<string>();
        for (var i = 0; i < 2; i++)
            gone.Add(await ScalarAsync<string>($"""
                INSERT INTO sessions.sessions (user_id, data, created_at, updated_at, expires_at)
                VALUES ('{user}-gone', @data::jsonb, now() - interval '4102 days', now() - interval '4101 days', now() - interval '4100 days')
                RETURNING session_id::text
                """, data));
        var ids = live.Concat(gone).ToList();

        await using var viewer = await App.NewViewerContextAsync();
        var page = await viewer.NewPageAsync();

        // The list, its first page and (sealed in the address) its second.
        await page.GotoAsync($"/sessions?user={user}");
        await Expect(page.Locator("tr[data-id]")).ToHaveCountAsync(25);
        await ExpectNoSecretAsync(page, secrets, ids);
        var link = await page.Locator("tr[data-id] a").First.GetAttributeAsync("href");
        await WaitForInteractiveAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Next page" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("after="));
        await Expect(page.Locator("tr[data-id]")).ToHaveCountAsync(1);
        await ExpectNoSecretAsync(page, secrets, ids);

        // A session's page, through the list's link: its data, masked, and its id, short.
        await page.GotoAsync(link!);
        await Expect(page.GetByRole(AriaRole.Tree, new() { Name = "Session data" })).ToContainTextAsync("en-GB");
        await Expect(page.GetByRole(AriaRole.Tree, new() { Name = "Session data" })).ToContainTextAsync("••••••");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Reveal the full session id" })).ToBeDisabledAsync();
        await ExpectNoSecretAsync(page, secrets, ids);

        // An operator cleans the expired two up; their whole rows are in the audit log, which the Viewer reads.
        await operatorPage.GotoAsync("/sessions");
        await WaitForInteractiveAsync(operatorPage);
        await operatorPage.GetByLabel("Older than (days)", new() { Exact = true }).FillAsync("3650");
        await operatorPage.GetByRole(AriaRole.Button, new() { Name = "Count (dry run)" }).ClickAsync();
        await operatorPage.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Delete [0-9,]+ sessions$") }).ClickAsync();
        await PressUntilClosedAsync(operatorPage.GetByRole(AriaRole.Dialog), "Delete");
        await Expect(operatorPage.GetByTestId("cleanup-message")).ToContainTextAsync("Done.");
        Assert.Equal(0L, await ScalarAsync<long>($"SELECT count(*) FROM sessions.sessions WHERE user_id = '{user}-gone'"));

        await page.GotoAsync("/audit?action=session.cleanup"); // the newest entry first: this clean-up's
        await WaitForInteractiveAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Details" }).First.ClickAsync();
        await Expect(page.GetByTestId("audit-json")).ToContainTextAsync($"{user}-gone");
        await Expect(page.GetByTestId("audit-json")).ToContainTextAsync("en-GB");
        await ExpectNoSecretAsync(page, secrets, ids);
    });

    /// <summary>Neither the page's HTML (prerendered and live) nor its address holds a secret or a full session id.</summary>
    private static async Task ExpectNoSecretAsync(IPage page, IEnumerable<string> secrets, IEnumerable<string> sessionIds)
    {
        var html = await page.ContentAsync();
        foreach (var secret in secrets) Assert.DoesNotContain(secret, html);
        foreach (var id in sessionIds.Select(Guid.Parse))
            foreach (var form in new[] { id.ToString("D"), id.ToString("N") })
            {
                Assert.DoesNotContain(form, html, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain(form, page.Url, StringComparison.OrdinalIgnoreCase);
            }
    }

    private async Task<T> ScalarAsync<T>(string sql, string? data = null)
    {
        await using var conn = new NpgsqlConnection(App.DatabaseConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        if (data != null) cmd.Parameters.AddWithValue("data", data);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }
}

/// <summary>Someone types a password into the user name field; a Viewer then reads the audit log in a real browser.</summary>
[Collection(AppCollection.Name)]
public sealed class ViewerSignInNameTests(AppFixture app, SignInApp signInApp) : IClassFixture<SignInApp>
{
    [Fact]
    public async Task A_password_typed_as_the_user_name_is_not_in_the_audit_log_a_viewer_reads()
    {
        var typed = "Tr0ub4dor&3-" + Guid.NewGuid().ToString("N")[..8];
        await using (var someone = await app.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = signInApp.App.BaseUrl.ToString() }))
        {
            var login = await someone.NewPageAsync();
            await login.GotoAsync("/login");
            await login.GetByLabel("User name", new PageGetByLabelOptions { Exact = true }).FillAsync(typed);
            await login.GetByLabel("Password", new PageGetByLabelOptions { Exact = true }).FillAsync("the-real-user-name-went-here");
            await login.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Sign in", Exact = true }).ClickAsync();
            await Expect(login).ToHaveURLAsync(new Regex("error=invalid"));
        }

        await using var viewer = await app.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = signInApp.App.BaseUrl.ToString() });
        var page = await viewer.NewPageAsync();
        await page.GotoAsync("/login?returnUrl=%2Faudit%3Faction%3Dsign-in");
        await page.GetByLabel("User name", new PageGetByLabelOptions { Exact = true }).FillAsync(SignInApp.ViewerName);
        await page.GetByLabel("Password", new PageGetByLabelOptions { Exact = true }).FillAsync(SignInApp.ViewerPassword);
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Sign in", Exact = true }).ClickAsync();

        var failed = page.GetByRole(AriaRole.Row).Filter(new LocatorFilterOptions { HasText = "wrong user name or password" }).First;
        await InteractivityProbe.WaitAsync(page);
        await failed.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Details" }).ClickAsync();
        await Expect(page.GetByTestId("audit-json").First).ToContainTextAsync("wrong user name or password");
        var html = await page.ContentAsync();
        Assert.DoesNotContain("Tr0ub", html);
        await Expect(failed).ToContainTextAsync("unknown user name");
    }
}
