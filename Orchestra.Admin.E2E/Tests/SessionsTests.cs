using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Npgsql;
using Orchestra.Admin.E2E.Infrastructure;
using Orchestra.Admin.Features.Sessions;
using static Microsoft.Playwright.Assertions;

namespace Orchestra.Admin.E2E.Tests;

/// <summary>The sessions inspector on the seeded database: find a user's sessions, revoke them all, see it in the audit log.</summary>
public sealed class SessionsTests(AppFixture app) : E2ETest(app)
{
    [Fact]
    public Task Find_a_users_sessions_by_filter_revoke_them_all_and_see_the_audit_entry() => WithPageAsync(async page =>
    {
        // A user of its own (3 active sessions, 1 expired), so the seeded sessions stay as they were for the other tests.
        var user = "e2e-sessions-" + Guid.NewGuid().ToString("N")[..8];
        var active = new List<string>();
        for (var i = 0; i < 3; i++)
            active.Add(await ScalarAsync<string>($$"""
                INSERT INTO sessions.sessions (user_id, data, ip_address, user_agent, expires_at)
                VALUES ('{{user}}', '{"csrf_token": "secret-{{i}}"}', '10.20.30.{{i}}', 'curl/8.5.0', now() + interval '1 day')
                RETURNING session_id::text
                """));
        var expired = await ScalarAsync<string>($"""
            INSERT INTO sessions.sessions (user_id, ip_address, expires_at) VALUES ('{user}', '10.20.30.99', now() - interval '1 hour')
            RETURNING session_id::text
            """);

        await page.GotoAsync("/sessions");
        await WaitForInteractiveAsync(page);
        await page.GetByLabel("User id", new() { Exact = true }).FillAsync(user);
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply filter" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex($"user={user}"));
        var rows = page.Locator("tr[data-id]");
        await Expect(rows).ToHaveCountAsync(4);
        await Expect(page.Locator("tr[data-status=active]")).ToHaveCountAsync(3);
        await Expect(page.Locator($"tr[data-id='{Short(expired)}']")).ToContainTextAsync("expired");
        await Expect(page.Locator($"tr[data-id='{Short(active[0])}']")).ToContainTextAsync("curl 8.5.0");

        await page.GetByRole(AriaRole.Button, new() { Name = $"Revoke all sessions of {user}" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync(user);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Revoke all" }).ClickAsync();

        await Expect(page.GetByTestId("action-message")).ToContainTextAsync($"Revoked 3 active sessions of user {user}.");
        foreach (var id in active)
            await Expect(page.Locator($"tr[data-id='{Short(id)}']")).ToHaveAttributeAsync("data-status", "revoked");
        await Expect(page.Locator($"tr[data-id='{Short(expired)}']")).ToHaveAttributeAsync("data-status", "expired");
        Assert.Equal(3L, await ScalarAsync<long>($"SELECT count(*) FROM sessions.sessions WHERE user_id = '{user}' AND deleted_at IS NOT NULL"));

        await page.GotoAsync($"/audit?action=session.revoke_user&target={active[0]}");
        var entry = page.Locator("tr").Filter(new() { HasText = "session.revoke_user" }).Filter(new() { HasText = "(3 ids)" });
        await Expect(entry.First).ToBeVisibleAsync();
        Assert.Equal(user, await ScalarAsync<string>(
            $"SELECT parameters->>'userId' FROM orchestra_admin.audit_log WHERE action = 'session.revoke_user' AND '{active[0]}' = ANY(target_ids) AND succeeded"));
    });

    [Fact]
    public Task The_page_of_the_list_is_in_the_url_so_reload_and_back_keep_it() => WithPageAsync(async page =>
    {
        var user = "e2e-paging-" + Guid.NewGuid().ToString("N")[..8];
        await ScalarAsync<long>($"""
            WITH added AS (
                INSERT INTO sessions.sessions (user_id, expires_at, created_at)
                SELECT '{user}', now() + interval '1 day', now() - g * interval '1 minute' FROM generate_series(1, 30) AS g
                RETURNING 1)
            SELECT count(*) FROM added
            """);

        await page.GotoAsync($"/sessions?user={user}");
        // The position is sealed (it holds the id of the session at the page's edge): see SessionReferences.
        await ExpectPagingKeptInTheUrlAsync(page, "Sessions", firstPageRows: 25, secondPageRows: 5, cursorInUrl: new Regex("after=CfDJ8[A-Za-z0-9_-]+"));
    });

    [Fact]
    public Task An_invalid_network_is_refused_at_its_field_and_a_session_shows_its_data_masked() => WithPageAsync(async page =>
    {
        var id = await ScalarAsync<string>("""
            INSERT INTO sessions.sessions (user_id, data, ip_address, expires_at)
            VALUES ('e2e-masking', '{"locale": "en-GB", "auth": {"access_token": "top-secret-token"}}', '192.0.2.7', now() + interval '1 hour')
            RETURNING session_id::text
            """);
        await page.GotoAsync("/sessions");
        await WaitForInteractiveAsync(page);
        await page.GetByLabel("IP or network", new() { Exact = true }).FillAsync("10.0.0.0/33");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply filter" }).ClickAsync();
        await Expect(page.GetByText("'10.0.0.0/33': the prefix length after '/' must be a number from 0 to 32 for an IPv4 network (is '33').")).ToBeVisibleAsync();
        await Expect(page).Not.ToHaveURLAsync(new Regex("network="));

        await page.GetByLabel("IP or network", new() { Exact = true }).FillAsync("192.0.2.0/24");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply filter" }).ClickAsync();
        await Expect(page.Locator($"tr[data-id='{Short(id)}']")).ToBeVisibleAsync();

        await page.GotoAsync($"/sessions/{id}");
        await Expect(page.GetByTestId("masked-note")).ToContainTextAsync("$.auth");
        await WaitForInteractiveAsync(page); // a tab clicked before the circuit is up is a click lost
        await page.GetByRole(AriaRole.Tab, new() { Name = "Raw JSON" }).ClickAsync();
        await Expect(page.GetByTestId("raw-json")).ToContainTextAsync("en-GB");
        await Expect(page.GetByTestId("raw-json")).Not.ToContainTextAsync("top-secret-token");

        await page.GetByRole(AriaRole.Button, new() { Name = "Reveal masked values" }).ClickAsync();
        await Expect(page.GetByTestId("revealed-note")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Tab, new() { Name = "Raw JSON" }).ClickAsync();
        await Expect(page.GetByTestId("raw-json")).ToContainTextAsync("top-secret-token");
        Assert.Equal(1L, await ScalarAsync<long>($"SELECT count(*) FROM orchestra_admin.audit_log WHERE action = 'session.reveal' AND '{id}' = ANY(target_ids) AND succeeded"));
    });

    [Fact]
    public Task Clean_up_counts_first_then_deletes_in_batches_and_keeps_the_rows_in_the_audit_log() => WithPageAsync(async page =>
    {
        // Sessions of its own that expired about 11 years ago: the seeded ones (expired at most weeks ago) stay.
        var user = "e2e-cleanup-" + Guid.NewGuid().ToString("N")[..8];
        await ScalarAsync<int>($"""
            WITH ins AS (
                INSERT INTO sessions.sessions (user_id, created_at, updated_at, expires_at)
                SELECT '{user}', now() - interval '4002 days', now() - interval '4001 days', now() - interval '4000 days' - g * interval '1 minute'
                FROM generate_series(1, 3) AS g
                RETURNING 1
            ) SELECT count(*)::int FROM ins
            """);
        var before = await ScalarAsync<long>("SELECT count(*) FROM sessions.sessions");

        await page.GotoAsync("/sessions");
        await WaitForInteractiveAsync(page);
        await page.GetByLabel("Older than (days)", new() { Exact = true }).FillAsync("3650");
        await page.GetByRole(AriaRole.Button, new() { Name = "Count (dry run)" }).ClickAsync();
        await Expect(page.GetByTestId("cleanup-plan")).ToContainTextAsync("Would delete 3 sessions: 3 expired and 0 revoked");
        Assert.Equal(before, await ScalarAsync<long>("SELECT count(*) FROM sessions.sessions")); // the dry run deletes nothing

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete 3 sessions" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync("Delete 3 sessions for good");
        await PressUntilClosedAsync(dialog, "Delete");

        await Expect(page.GetByTestId("cleanup-message")).ToContainTextAsync("Done. Deleted 3 sessions in 1 batch");
        await Expect(page.GetByTestId("cleanup-progress")).ToContainTextAsync("Deleted 3 of 3");
        Assert.Equal(0L, await ScalarAsync<long>($"SELECT count(*) FROM sessions.sessions WHERE user_id = '{user}'"));
        Assert.Equal(before - 3, await ScalarAsync<long>("SELECT count(*) FROM sessions.sessions"));
        Assert.Equal(3L, await ScalarAsync<long>($"""
            SELECT count(*) FROM orchestra_admin.audit_log AS a, jsonb_array_elements(a.previous) AS r
            WHERE a.action = 'session.cleanup' AND a.succeeded AND r->>'user_id' = '{user}'
            """));
    });

    private static string Short(string id) => SessionReferences.ShortId(Guid.Parse(id));

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var conn = new NpgsqlConnection(App.DatabaseConnectionString);
        await conn.OpenAsync();
        return (T)(await new NpgsqlCommand(sql, conn).ExecuteScalarAsync())!;
    }
}
