using Orchestra.Admin.Features.Cache;

namespace Orchestra.Admin.Tests.CacheInspector;

/// <summary>Discovery, figures, the key browser's filters and sorts, one entry and the insights, on a real PostgreSQL.</summary>
public class CacheInspectorReadTests(CacheInspectorDatabase db) : IClassFixture<CacheInspectorDatabase>
{
    private const string Default = "cache.default_cache";

    [Fact]
    public async Task Discovery_finds_cache_tables_by_shape_in_any_schema_and_ignores_other_shapes()
    {
        var tables = await db.Service().TablesAsync();
        var names = tables.Select(t => t.Display).ToList();

        Assert.Contains(Default, names);
        Assert.Contains("public.orchestra_test_cache", names);
        Assert.Contains("extra.slim_cache", names);
        Assert.DoesNotContain("public.not_cache_json", names);
        Assert.DoesNotContain("public.not_cache_no_expiry", names);
        Assert.DoesNotContain("extra.not_cache_int_key", names);
        Assert.DoesNotContain("public.cache_view", names);
        Assert.DoesNotContain(names, n => n.StartsWith("orchestra_admin.", StringComparison.Ordinal) || n.StartsWith("pg_catalog.", StringComparison.Ordinal));

        var slim = tables.Single(t => t.Display == "extra.slim_cache");
        Assert.False(slim.HasAccessCount || slim.HasAccessedAt || slim.HasCreatedAt || slim.ExpiresNotNull);
        var full = tables.Single(t => t.Display == Default);
        Assert.True(full.HasAccessCount && full.HasAccessedAt && full.HasCreatedAt && full.ExpiresNotNull);
        Assert.Equal("cache.default_cache", full.Qualified);
    }

    [Fact]
    public async Task A_table_name_that_needs_quoting_is_quoted_by_PostgreSQL_and_works()
    {
        await db.ExecuteAsync("""
            CREATE SCHEMA IF NOT EXISTS "Odd Schema";
            CREATE TABLE IF NOT EXISTS "Odd Schema"."my""cache" (key text PRIMARY KEY, value jsonb NOT NULL, expires_at timestamptz NOT NULL);
            INSERT INTO "Odd Schema"."my""cache" VALUES ('k', '{"v":1}', now() + interval '1 hour') ON CONFLICT DO NOTHING;
            """);
        var service = db.Service();
        var table = await service.TableAsync("Odd Schema.my\"cache");
        Assert.Equal("\"Odd Schema\".\"my\"\"cache\"", table.Qualified);

        var page = await service.PageAsync(new CacheKeyPageRequest(table.Display, new CacheKeyFilter()));
        Assert.Equal(["k"], page.Rows.Select(r => r.Key));
        Assert.Equal(1, (await service.SummaryAsync(table)).Live);
    }

    [Fact]
    public async Task An_unknown_table_name_is_refused_and_names_the_cache_tables()
    {
        var e = await Assert.ThrowsAsync<CacheInputException>(() => db.Service().PageAsync(
            new CacheKeyPageRequest("public.documents; DROP TABLE x", new CacheKeyFilter())));
        Assert.Equal("table", e.Field);
        Assert.Contains("cache.default_cache", e.Message);
    }

    [Fact]
    public async Task Summary_counts_live_and_expired_with_the_expiry_histogram_sizes_and_access_counts()
    {
        var service = db.Service();
        var summary = await service.SummaryAsync(await service.TableAsync(Default));
        var expected = await db.ScalarAsync<long>("SELECT count(*) FROM cache.default_cache WHERE expires_at > now()");

        Assert.False(summary.IsEstimate);
        Assert.Equal(expected, summary.Live);
        Assert.Equal(2, summary.Expired);
        var h = summary.Histogram!;
        Assert.Equal(2, h.Expired);
        // < 1 h: the eight "30 minutes" keys; > 24 h: user:10:profile; the rest (page:*, hot:1, big:1, user:2) 1-24 h.
        Assert.Equal(8, h.UnderOneHour);
        Assert.Equal(1, h.OverTwentyFourHours);
        Assert.Equal(expected - 9, h.OneToTwentyFourHours);
        Assert.Equal(5000, summary.MaxAccessCount);
        Assert.Equal(await db.ScalarAsync<double>("SELECT avg(access_count)::float8 FROM cache.default_cache"), summary.MeanAccessCount!.Value, 6);
        Assert.Equal(await db.ScalarAsync<long>("SELECT pg_column_size(value) FROM cache.default_cache WHERE key = 'big:1'"), summary.LargestBytes);
        Assert.True(summary.AverageBytes > 0);
    }

    [Fact]
    public async Task A_table_without_the_optional_columns_is_summarised_and_browsed_without_them()
    {
        var service = db.Service();
        var slim = await service.TableAsync("extra.slim_cache");
        var summary = await service.SummaryAsync(slim);
        Assert.Null(summary.MeanAccessCount);
        Assert.Null(summary.MaxAccessCount);
        Assert.Equal(2, summary.Live); // a NULL expiry never expires

        var page = await service.PageAsync(new CacheKeyPageRequest("extra.slim_cache", new CacheKeyFilter(), CacheKeySort.Expiry));
        Assert.Equal(["a:1", "a:2"], page.Rows.Select(r => r.Key));
        Assert.All(page.Rows, r => Assert.Null(r.AccessCount));

        var e = await Assert.ThrowsAsync<CacheInputException>(() => service.PageAsync(
            new CacheKeyPageRequest("extra.slim_cache", new CacheKeyFilter(), CacheKeySort.AccessCount)));
        Assert.Equal("sort", e.Field);
        Assert.Empty((await service.InsightsAsync(slim)).Hottest);
    }

    [Fact]
    public async Task Summaries_list_every_cache_table()
    {
        var summaries = await db.Service().SummariesAsync();
        Assert.Contains(summaries, s => s.Table.Display == "public.orchestra_test_cache" && s.Live == 1 && s.Expired == 1 && s.Error == null);
        Assert.Contains(summaries, s => s.Table.Display == Default && s.Error == null);
    }

    [Theory]
    [InlineData("user:*:profile", new[] { "user:1:profile", "user:10:profile", "user:2:profile" })]
    [InlineData("user:?:profile", new[] { "user:1:profile", "user:2:profile" })]
    [InlineData("100%_done", new[] { "100%_done" })]      // % and _ are literals, not LIKE wildcards
    [InlineData("100*done", new[] { "100%_done", "100%Xdone", "100abc_done" })]
    [InlineData(@"path\to\x", new[] { @"path\to\x" })]   // a backslash is a literal too
    [InlineData("nothing:*", new string[0])]
    public async Task The_pattern_filter_matches_Redis_style_with_LIKE_characters_as_literals(string pattern, string[] expected)
    {
        var page = await db.Service().PageAsync(new CacheKeyPageRequest(Default, new CacheKeyFilter(pattern), PageSize: 100));
        Assert.Equal(expected.Order(StringComparer.Ordinal), page.Rows.Select(r => r.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_pattern_escapes_LIKE_characters_before_it_translates_the_wildcards()
    {
        Assert.Equal(@"100\%\_done", CachePattern.ToLike("100%_done"));
        Assert.Equal(@"user:%:pro_ile", CachePattern.ToLike("user:*:pro?ile"));
        Assert.Equal(@"a\\%", CachePattern.ToLike(@"a\*"));
        Assert.Null(CachePattern.ToLike("  "));
        Assert.Equal("pattern", Assert.Throws<CacheInputException>(() => CachePattern.ToLike("a\0")).Field);
    }

    [Fact]
    public async Task The_state_filter_shows_live_or_expired_entries()
    {
        var service = db.Service();
        var expired = await service.PageAsync(new CacheKeyPageRequest(Default, new CacheKeyFilter(null, CacheKeyState.Expired), PageSize: 100));
        Assert.Equal(["old:1", "old:2"], expired.Rows.Select(r => r.Key));

        var live = await service.PageAsync(new CacheKeyPageRequest(Default, new CacheKeyFilter("*o*:*", CacheKeyState.Live), PageSize: 100));
        var keys = live.Rows.Select(r => r.Key).ToList();
        Assert.Contains("hot:1", keys);
        Assert.DoesNotContain("old:1", keys);
        Assert.All(live.Rows, r => Assert.True(r.ExpiresAt > DateTimeOffset.UtcNow.AddMinutes(-1)));
    }

    public static TheoryData<CacheKeySort, bool, string> Sorts => new()
    {
        { CacheKeySort.Key, false, "key" },
        { CacheKeySort.Key, true, "key DESC" },
        { CacheKeySort.Expiry, false, "expires_at, key" },
        { CacheKeySort.Expiry, true, "expires_at DESC, key DESC" },
        { CacheKeySort.Size, true, "pg_column_size(value) DESC, key DESC" },
        { CacheKeySort.Size, false, "pg_column_size(value), key" },
        { CacheKeySort.AccessCount, true, "access_count DESC, key DESC" },
        { CacheKeySort.AccessCount, false, "access_count, key" },
    };

    [Theory]
    [MemberData(nameof(Sorts))]
    public async Task Keyset_pages_walk_every_key_once_in_the_sort_order(CacheKeySort sort, bool descending, string orderBy)
    {
        var expected = await db.KeysAsync($"SELECT key FROM cache.default_cache WHERE key LIKE 'page:%' ORDER BY {orderBy}");
        Assert.Equal(60, expected.Count);
        var service = db.Service();
        var seen = new List<string>();
        CacheKeyCursor? after = null;
        var pages = 0;
        do
        {
            var page = await service.PageAsync(new CacheKeyPageRequest(Default, new CacheKeyFilter("page:*"), sort, descending, 25, after));
            seen.AddRange(page.Rows.Select(r => r.Key));
            after = page.Next;
            pages++;
        } while (after != null && pages < 10);
        Assert.Equal(3, pages);
        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task A_bad_page_size_is_refused()
    {
        var e = await Assert.ThrowsAsync<CacheInputException>(() => db.Service().PageAsync(new CacheKeyPageRequest(Default, new CacheKeyFilter(), PageSize: 7)));
        Assert.Equal("pageSize", e.Field);
    }

    [Fact]
    public async Task One_entry_has_its_value_TTL_size_and_access_figures()
    {
        var entry = await db.Service().GetAsync(Default, "user:2:profile");
        Assert.NotNull(entry);
        Assert.Equal("""{"name": "Bob"}""", entry.Value);
        Assert.Equal(7, entry.AccessCount);
        Assert.NotNull(entry.AccessedAt);
        Assert.InRange(entry.TtlRemaining, TimeSpan.FromMinutes(115), TimeSpan.FromMinutes(121));
        Assert.False(entry.IsExpired);
        Assert.Equal(await db.ScalarAsync<int>("SELECT pg_column_size(value) FROM cache.default_cache WHERE key = 'user:2:profile'"), entry.SizeBytes);
        Assert.True((await db.Service().GetAsync(Default, "old:1"))!.IsExpired);
        Assert.Null(await db.Service().GetAsync(Default, "no such key"));
    }

    [Fact]
    public async Task Insights_list_the_largest_and_hottest_keys_and_counts_by_prefix()
    {
        var service = db.Service();
        var insights = await service.InsightsAsync(await service.TableAsync(Default));
        Assert.False(insights.FromSample);
        Assert.Equal("big:1", insights.Largest[0].Key);
        Assert.Equal("hot:1", insights.Hottest[0].Key);
        Assert.Equal(5000, insights.Hottest[0].AccessCount);
        var prefixes = insights.Prefixes.ToDictionary(p => p.Prefix, p => p.Entries);
        Assert.Equal(60, prefixes["page"]);
        Assert.Equal(5, prefixes["user"]);
        Assert.Equal(2, prefixes["old"]);
        Assert.Equal(1, prefixes["100%_done"]); // no ':' -> the whole key
    }

    [Fact]
    public async Task A_large_table_is_summarised_from_a_sample_scaled_to_the_planner_estimate()
    {
        await db.ExecuteAsync("""
            CREATE TABLE public.orchestra_big_cache (LIKE cache.default_cache INCLUDING ALL);
            INSERT INTO public.orchestra_big_cache (key, value, expires_at, access_count)
            SELECT 'k:' || g, jsonb_build_object('n', g), CASE WHEN g % 4 = 0 THEN now() - interval '1 hour' ELSE now() + interval '2 hours' END, g % 10
            FROM generate_series(1, 150000) AS g;
            """);
        await db.ExecuteAsync("VACUUM ANALYZE public.orchestra_big_cache");
        var service = db.Service();
        var table = await service.TableAsync("public.orchestra_big_cache");
        var summary = await service.SummaryAsync(table);

        Assert.True(summary.IsEstimate);
        Assert.InRange(summary.Live + summary.Expired, 140_000, 160_000);
        Assert.InRange((double)summary.Expired / (summary.Live + summary.Expired), 0.2, 0.3);
        var insights = await service.InsightsAsync(table);
        Assert.True(insights.FromSample);
        Assert.InRange(insights.Prefixes.Single(p => p.Prefix == "k").Entries, 140_000, 160_000);
    }
}
