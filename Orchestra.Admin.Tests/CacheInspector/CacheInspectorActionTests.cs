using System.Text.Json;
using Dapper;
using Orchestra.Admin.Features.Cache;
using Orchestra.Admin.Security;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.CacheInspector;

/// <summary>The operator actions on a real PostgreSQL: each changes exactly what it says and keeps the previous values in the audit log.</summary>
public class CacheInspectorActionTests(CacheInspectorDatabase db) : IClassFixture<CacheInspectorDatabase>
{
    private const string Default = "cache.default_cache";

    private async Task InsertAsync(string table, string key, string value = """{"v":1}""", string expires = "now() + interval '1 hour'")
    {
        await db.ExecuteAsync($"INSERT INTO {table} (key, value, expires_at) VALUES (@key, @value::jsonb, {expires})", new { key, value });
    }

    private async Task<dynamic> LastAuditAsync(string action)
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        return await conn.QuerySingleAsync(
            "SELECT *, previous::text AS previous_text, parameters::text AS parameters_text FROM orchestra_admin.audit_log WHERE action = @action ORDER BY id DESC LIMIT 1",
            new { action });
    }

    private Task<long> CountAsync(string where) => db.ScalarAsync<long>($"SELECT count(*) FROM cache.default_cache WHERE {where}");

    [Fact]
    public async Task Deleting_a_key_removes_it_and_keeps_its_value_in_the_audit_log()
    {
        await InsertAsync(Default, "del:1", """{"secret":"kept"}""");
        var outcome = await db.Editor().DeleteKeyAsync(Default, "del:1");

        Assert.Equal(CacheActionStatus.Done, outcome.Status);
        Assert.Equal(1, outcome.RowsAffected);
        Assert.Equal(0, await CountAsync("key = 'del:1'"));
        var audit = await LastAuditAsync(CacheEditor.DeleteKeyAction);
        Assert.Equal(outcome.AuditId, (long)audit.id);
        Assert.Equal((Default, true, 1L), ((string)audit.target_table, (bool)audit.succeeded, (long)audit.rows_affected));
        Assert.Equal(["del:1"], (string[])audit.target_ids);
        using var previous = JsonDocument.Parse((string)audit.previous_text);
        Assert.Equal("kept", previous.RootElement[0].GetProperty("value").GetProperty("secret").GetString());

        var again = await db.Editor().DeleteKeyAsync(Default, "del:1");
        Assert.Equal(CacheActionStatus.NotFound, again.Status);
    }

    [Fact]
    public async Task A_viewer_is_refused_and_nothing_changes()
    {
        await InsertAsync(Default, "viewer:1");
        await Assert.ThrowsAsync<OperatorRequiredException>(() => db.Editor(FakeCurrentOperator.Viewer).DeleteKeyAsync(Default, "viewer:1"));
        await Assert.ThrowsAsync<OperatorRequiredException>(() => db.Editor(FakeCurrentOperator.Viewer).DeleteMatchingAsync(Default, "viewer:*"));
        Assert.Equal(1, await CountAsync("key = 'viewer:1'"));
        var audit = await LastAuditAsync(CacheEditor.DeleteMatchingAction);
        Assert.False((bool)audit.succeeded);
    }

    [Fact]
    public async Task Setting_the_TTL_is_guarded_by_the_expiry_shown_and_audits_the_previous_expiry()
    {
        await InsertAsync(Default, "ttl:1", expires: "'2030-01-02T03:04:05.123456Z'");
        var service = db.Service();
        var loaded = (await service.GetAsync(Default, "ttl:1"))!;

        var outcome = await db.Editor().SetTtlAsync(Default, "ttl:1", TimeSpan.FromMinutes(90), loaded.ExpiresAt);

        Assert.Equal(CacheActionStatus.Done, outcome.Status);
        var now = await db.ScalarAsync<DateTime>("SELECT now()");
        var stored = await db.ScalarAsync<DateTime>("SELECT expires_at FROM cache.default_cache WHERE key = 'ttl:1'");
        Assert.InRange(stored - now, TimeSpan.FromMinutes(89), TimeSpan.FromMinutes(91));
        Assert.Equal(CacheService.Utc(stored), outcome.ExpiresAt);
        var audit = await LastAuditAsync(CacheEditor.SetTtlAction);
        Assert.True((bool)audit.succeeded);
        using var previous = JsonDocument.Parse((string)audit.previous_text);
        Assert.Equal(DateTimeOffset.Parse("2030-01-02T03:04:05.123456Z"), previous.RootElement.GetProperty("expires_at").GetDateTimeOffset());
        Assert.Contains("5400", (string)audit.parameters_text);

        // The expiry the operator saw is gone now: a second change with it is refused and changes nothing.
        var stale = await db.Editor().SetTtlAsync(Default, "ttl:1", TimeSpan.FromDays(1), loaded.ExpiresAt);
        Assert.Equal(CacheActionStatus.Conflict, stale.Status);
        Assert.Equal(stored, await db.ScalarAsync<DateTime>("SELECT expires_at FROM cache.default_cache WHERE key = 'ttl:1'"));
    }

    [Fact]
    public async Task A_TTL_can_be_set_on_an_entry_whose_expiry_is_NULL_in_a_table_that_allows_it()
    {
        await db.ExecuteAsync("INSERT INTO extra.slim_cache VALUES ('never:1', '{}', NULL)");
        var loaded = (await db.Service().GetAsync("extra.slim_cache", "never:1"))!;
        Assert.Equal(DateTimeOffset.MaxValue, loaded.ExpiresAt); // shown as never expiring

        var outcome = await db.Editor().SetTtlAsync("extra.slim_cache", "never:1", TimeSpan.FromHours(1), loaded.ExpiresAt);

        Assert.Equal(CacheActionStatus.Done, outcome.Status);
        Assert.True(await db.ScalarAsync<bool>("SELECT expires_at BETWEEN now() + interval '59 minutes' AND now() + interval '61 minutes' FROM extra.slim_cache WHERE key = 'never:1'"));
        Assert.Equal("""{"key": "never:1", "expires_at": null}""", (string)(await LastAuditAsync(CacheEditor.SetTtlAction)).previous_text); // as it was
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public async Task A_TTL_that_is_not_positive_is_refused_at_the_field(int seconds)
    {
        await InsertAsync(Default, $"ttlbad:{seconds}");
        var e = await Assert.ThrowsAsync<InvalidInputException>(() =>
            db.Editor().SetTtlAsync(Default, $"ttlbad:{seconds}", TimeSpan.FromSeconds(seconds), DateTimeOffset.UtcNow));
        Assert.Equal("ttl", e.Field);
    }

    [Fact]
    public async Task Purging_expired_entries_deletes_exactly_the_expired_rows_in_batches_and_audits_each_batch()
    {
        await db.ExecuteAsync("""
            CREATE TABLE public.orchestra_purge_cache (LIKE cache.default_cache INCLUDING ALL);
            INSERT INTO public.orchestra_purge_cache (key, value, expires_at)
            SELECT 'p:' || g, jsonb_build_object('n', g),
                   CASE WHEN g % 3 = 0 THEN now() + interval '1 hour' ELSE now() - (g % 50) * interval '1 minute' - interval '1 second' END
            FROM generate_series(1, 3600) AS g;
            """);
        var live = await db.KeysAsync("SELECT key FROM public.orchestra_purge_cache WHERE expires_at > now() ORDER BY key");
        Assert.Equal(1200, live.Count);
        var auditBefore = await db.ScalarAsync<long>("SELECT count(*) FROM orchestra_admin.audit_log WHERE action = 'cache.purge_expired'");
        var reports = new List<PurgeProgress>();

        var outcome = await db.Editor(purgeBatchSize: 1000).PurgeExpiredAsync("public.orchestra_purge_cache", new SyncProgress(reports.Add));

        Assert.Equal(CacheActionStatus.Done, outcome.Status);
        Assert.Equal(2400, outcome.RowsAffected);
        Assert.Equal(live, await db.KeysAsync("SELECT key FROM public.orchestra_purge_cache ORDER BY key"));
        Assert.Equal([1000L, 2000L, 2400L], reports.Select(r => r.Deleted));
        Assert.Equal(2400, reports[^1].Expected);
        await using var conn = await db.OpenOtherConnectionAsync();
        var audits = (await conn.QueryAsync<(long Rows, int Kept)>("""
            SELECT rows_affected, jsonb_array_length(previous) FROM orchestra_admin.audit_log
            WHERE action = 'cache.purge_expired' AND target_table = 'public.orchestra_purge_cache' AND succeeded ORDER BY id
            """)).ToList();
        Assert.Equal([(1000L, 1000), (1000L, 1000), (400L, 400)], audits);
        Assert.Equal(auditBefore + 3, await db.ScalarAsync<long>("SELECT count(*) FROM orchestra_admin.audit_log WHERE action = 'cache.purge_expired'"));
    }

    [Fact]
    public async Task The_purge_skips_rows_another_transaction_holds_instead_of_waiting()
    {
        await db.ExecuteAsync("""
            CREATE TABLE public.orchestra_locked_cache (LIKE cache.default_cache INCLUDING ALL);
            INSERT INTO public.orchestra_locked_cache (key, value, expires_at)
            SELECT 'l:' || g, '{}', now() - interval '1 minute' FROM generate_series(1, 10) AS g;
            """);
        await using var writer = await db.OpenOtherConnectionAsync("test-writer");
        await using var tx = await writer.BeginTransactionAsync();
        await writer.ExecuteAsync("SELECT 1 FROM public.orchestra_locked_cache WHERE key = 'l:1' FOR UPDATE", transaction: tx);

        var outcome = await db.Editor(purgeBatchSize: 4).PurgeExpiredAsync("public.orchestra_locked_cache");

        Assert.Equal(9, outcome.RowsAffected);
        await tx.RollbackAsync();
        Assert.Equal(["l:1"], await db.KeysAsync("SELECT key FROM public.orchestra_locked_cache"));
    }

    [Fact]
    public async Task Deleting_by_pattern_counts_first_then_deletes_only_the_matching_keys_with_their_values_audited()
    {
        await db.ExecuteAsync("""
            INSERT INTO cache.default_cache (key, value, expires_at)
            SELECT 'dm:' || g || ':x', jsonb_build_object('n', g), now() + interval '1 hour' FROM generate_series(1, 12) AS g;
            INSERT INTO cache.default_cache (key, value, expires_at) VALUES ('dm:1:y', '{}', now() + interval '1 hour'), ('dmz:1:x', '{}', now() + interval '1 hour');
            """);
        var editor = db.Editor();
        Assert.Equal(12, await editor.CountMatchingAsync(Default, "dm:*:x"));

        var outcome = await editor.DeleteMatchingAsync(Default, "dm:*:x");

        Assert.Equal(CacheActionStatus.Done, outcome.Status);
        Assert.Equal(12, outcome.RowsAffected);
        Assert.Equal(["dm:1:y", "dmz:1:x"], await db.KeysAsync("SELECT key FROM cache.default_cache WHERE key LIKE 'dm%' ORDER BY key"));
        var audit = await LastAuditAsync(CacheEditor.DeleteMatchingAction);
        Assert.Equal(12L, (long)audit.rows_affected);
        using var previous = JsonDocument.Parse((string)audit.previous_text);
        Assert.Equal(12, previous.RootElement.GetArrayLength());
        Assert.Contains("dm:*:x", (string)audit.parameters_text);
    }

    [Fact]
    public async Task Deleting_by_pattern_treats_LIKE_characters_as_literals()
    {
        await db.ExecuteAsync("""
            INSERT INTO cache.default_cache (key, value, expires_at) VALUES
            ('job:100%_done', '{}', now() + interval '1 hour'), ('job:100ab_done', '{}', now() + interval '1 hour'), ('job:100%Xdone', '{}', now() + interval '1 hour')
            """);
        var outcome = await db.Editor().DeleteMatchingAsync(Default, "job:100%_done");
        Assert.Equal(1, outcome.RowsAffected);
        Assert.Equal(["job:100%Xdone", "job:100ab_done"], await db.KeysAsync("SELECT key FROM cache.default_cache WHERE key LIKE 'job:%' ORDER BY key COLLATE \"C\""));
    }

    [Fact]
    public async Task Deleting_by_pattern_above_the_maximum_is_refused_and_deletes_nothing()
    {
        await db.ExecuteAsync("""
            INSERT INTO cache.default_cache (key, value, expires_at)
            SELECT 'cap:' || g, '{}', now() + interval '1 hour' FROM generate_series(1, 6) AS g
            """);
        var editor = db.Editor(maxPatternDeleteKeys: 5);
        Assert.Equal(6, await editor.CountMatchingAsync(Default, "cap:*")); // counted up to the maximum + 1

        var outcome = await editor.DeleteMatchingAsync(Default, "cap:*");

        Assert.Equal(CacheActionStatus.TooMany, outcome.Status);
        Assert.Contains("More than 5 keys match cap:*", outcome.Message);
        Assert.Equal(6, await CountAsync("key LIKE 'cap:%'"));
        Assert.False((bool)(await LastAuditAsync(CacheEditor.DeleteMatchingAction)).succeeded);
    }

    [Fact]
    public async Task An_empty_pattern_is_refused_at_the_field()
    {
        var e = await Assert.ThrowsAsync<InvalidInputException>(() => db.Editor().DeleteMatchingAsync(Default, " "));
        Assert.Equal("pattern", e.Field);
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; this one reports in order, at once.</summary>
    private sealed class SyncProgress(Action<PurgeProgress> report) : IProgress<PurgeProgress>
    {
        public void Report(PurgeProgress value) => report(value);
    }
}
