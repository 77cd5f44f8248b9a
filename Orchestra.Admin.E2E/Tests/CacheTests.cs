using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Npgsql;
using Orchestra.Admin.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestra.Admin.E2E.Tests;

/// <summary>The cache inspector on the seeded cache: open the default cache, filter keys by pattern, delete the matching keys after the dry run.</summary>
public sealed class CacheTests(AppFixture app) : E2ETest(app)
{
    [Fact]
    public Task Filter_keys_by_pattern_then_delete_the_matching_keys_and_see_the_audit_entry() => WithPageAsync(async page =>
    {
        // Keys of its own, so the other tests' pages stay as they were.
        var run = Guid.NewGuid().ToString("N")[..8];
        await ExecuteAsync($"""
            INSERT INTO cache.default_cache (key, value, expires_at)
            SELECT 'e2e:{run}:' || g || ':profile', jsonb_build_object('n', g), now() + interval '1 hour' FROM generate_series(1, 5) AS g;
            INSERT INTO cache.default_cache (key, value, expires_at) VALUES ('e2e:{run}:keep', '"keep"', now() + interval '1 hour');
            """);

        await page.GotoAsync("/cache");
        var defaultCache = page.Locator("tr[data-table='cache.default_cache']");
        await Expect(defaultCache).ToContainTextAsync(new Regex(@"\d"));
        await Expect(page.Locator("tr[data-table='public.orchestra_embeddings_cache']")).ToBeVisibleAsync();
        await defaultCache.GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/cache/cache/default_cache$"));
        await WaitForInteractiveAsync(page);
        await Expect(page.Locator("tr[data-key]").First).ToBeVisibleAsync();

        var pattern = $"e2e:{run}:*:profile";
        await page.GetByLabel("Key pattern", new() { Exact = true }).FillAsync(pattern);
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply filter" }).ClickAsync();

        // The filter is in the URL, and the grid shows exactly the five keys.
        await Expect(page).ToHaveURLAsync(new Regex("pattern=e2e"));
        var rows = page.Locator("tr[data-key]");
        await Expect(rows).ToHaveCountAsync(5);
        await Expect(rows.First).ToHaveAttributeAsync("data-key", $"e2e:{run}:1:profile");

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete matching keys…" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync($"5 keys of cache.default_cache match {pattern}");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Delete 5 keys" }).ClickAsync();

        await Expect(page.GetByTestId("cache-action-message")).ToContainTextAsync($"Deleted 5 keys matching {pattern}");
        await Expect(rows).ToHaveCountAsync(0);
        await Expect(page.GetByText("No key of cache.default_cache matches this filter.")).ToBeVisibleAsync();
        Assert.Equal(0L, await ScalarAsync<long>($"SELECT count(*) FROM cache.default_cache WHERE key LIKE 'e2e:{run}:%:profile'"));
        Assert.Equal(1L, await ScalarAsync<long>($"SELECT count(*) FROM cache.default_cache WHERE key = 'e2e:{run}:keep'"));

        await page.GotoAsync("/audit");
        var entry = page.Locator("tr").Filter(new() { HasText = "cache.delete_matching" }).Filter(new() { HasText = "cache.default_cache" });
        await Expect(entry.First).ToBeVisibleAsync();
        Assert.Equal(5L, await ScalarAsync<long>($"""
            SELECT jsonb_array_length(previous)::bigint FROM orchestra_admin.audit_log
            WHERE action = 'cache.delete_matching' AND parameters->>'pattern' = '{pattern}' AND succeeded
            """));
    });

    [Fact]
    public Task Open_a_key_and_see_its_value_as_a_tree() => WithPageAsync(async page =>
    {
        var key = $"e2e:{Guid.NewGuid():N}:detail";
        await ExecuteAsync($"INSERT INTO cache.default_cache (key, value, expires_at, access_count) VALUES ('{key}', '{{\"profile\":{{\"name\":\"Ada\"}}}}', now() + interval '2 hours', 42)");

        await page.GotoAsync($"/cache/cache/default_cache?pattern={Uri.EscapeDataString(key)}");
        var row = page.Locator($"tr[data-key='{key}']");
        await Expect(row).ToContainTextAsync("42");
        await WaitForInteractiveAsync(page);
        await row.GetByRole(AriaRole.Link).ClickAsync();

        await Expect(page.GetByTestId("entry-ttl")).ToContainTextAsync(new Regex(@"TTL 1 h 5\d min|TTL 2 h 0 min"));
        var tree = page.GetByRole(AriaRole.Tree, new() { Name = "Cached value" });
        await Expect(tree).ToContainTextAsync("profile");
    });

    [Fact]
    public Task Set_a_keys_TTL_and_find_the_previous_expiry_in_the_audit_log() => WithPageAsync(async page =>
    {
        var key = $"e2e:{Guid.NewGuid():N}:ttl";
        await ExecuteAsync($"INSERT INTO cache.default_cache (key, value, expires_at) VALUES ('{key}', '1', now() + interval '10 minutes')");
        var before = await ScalarAsync<DateTime>($"SELECT expires_at FROM cache.default_cache WHERE key = '{key}'");

        await page.GotoAsync($"/cache/cache/default_cache/entry?key={Uri.EscapeDataString(key)}");
        await Expect(page.GetByTestId("entry-ttl")).ToContainTextAsync(new Regex(@"TTL (9|10) min"));
        await WaitForInteractiveAsync(page);
        await page.GetByLabel("New TTL (seconds)", new() { Exact = true }).FillAsync("7200");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set TTL" }).ClickAsync();

        await Expect(page.GetByTestId("entry-ttl")).ToContainTextAsync(new Regex(@"TTL (1 h 59 min|2 h 0 min)"));
        var after = await ScalarAsync<DateTime>($"SELECT expires_at FROM cache.default_cache WHERE key = '{key}'");
        Assert.InRange(after - before, TimeSpan.FromMinutes(105), TimeSpan.FromMinutes(115));
        // What was overwritten is kept: the previous expiry, to the microsecond.
        Assert.Equal(before, await ScalarAsync<DateTime>($"""
            SELECT (previous->>'expires_at')::timestamptz FROM orchestra_admin.audit_log
            WHERE action = 'cache.set_ttl' AND '{key}' = ANY(target_ids) AND succeeded
            """));
    });

    [Fact]
    public Task Purge_the_expired_entries_of_a_cache_table_in_batches_and_keep_the_live_ones() => WithPageAsync(async page =>
    {
        // A cache table of its own (found by its shape), so the seeded caches keep their expired entries for the other tests.
        var name = $"orchestra_e2e{Guid.NewGuid():N}"[..24] + "_cache";
        await ExecuteAsync($"""
            CREATE TABLE public.{name} (key text PRIMARY KEY, value jsonb NOT NULL, expires_at timestamptz NOT NULL);
            INSERT INTO public.{name} SELECT 'old:' || g, '{"{}"}', now() - interval '1 hour' FROM generate_series(1, 2500) AS g;
            INSERT INTO public.{name} SELECT 'live:' || g, '{"{}"}', now() + interval '1 hour' FROM generate_series(1, 10) AS g;
            """);

        await page.GotoAsync($"/cache/public/{name}");
        await Expect(page.GetByTestId("expired")).ToContainTextAsync("2,500");
        await WaitForInteractiveAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Purge expired" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync($"Delete every entry of public.{name} that has expired");
        await PressUntilClosedAsync(dialog, "Purge expired");

        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Purged" }))
            .ToContainTextAsync(new Regex($@"Purged 2,500 expired entries of public\.{name} in \d+ batches"), new() { Timeout = 30_000 });
        Assert.Equal(0L, await ScalarAsync<long>($"SELECT count(*) FROM public.{name} WHERE expires_at <= now()"));
        Assert.Equal(10L, await ScalarAsync<long>($"SELECT count(*) FROM public.{name}"));
        // Every purged entry is in the audit log, whole.
        Assert.Equal(2500L, await ScalarAsync<long>($"""
            SELECT sum(jsonb_array_length(previous))::bigint FROM orchestra_admin.audit_log
            WHERE action = 'cache.purge_expired' AND target_table = 'public.{name}' AND succeeded
            """));
    });

    private async Task ExecuteAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(App.DatabaseConnectionString);
        await conn.OpenAsync();
        await new NpgsqlCommand(sql, conn).ExecuteNonQueryAsync();
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var conn = new NpgsqlConnection(App.DatabaseConnectionString);
        await conn.OpenAsync();
        return (T)(await new NpgsqlCommand(sql, conn).ExecuteScalarAsync())!;
    }
}
