using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Orchestra.Admin.Features.Cache;
using Orchestra.Admin.Security;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.CacheInspector;

/// <summary>The cache pages' states with a fake service: data (estimates marked ≈), a table's own error, empty, and the key browser.</summary>
public class CacheInspectorPageTests : BunitSetup
{
    private static readonly CacheTable Default = new("cache", "default_cache", "cache.default_cache", 42, 81920, true, true, true, true, true);
    private static readonly CacheTable Big = new("public", "orchestra_big_cache", "public.orchestra_big_cache", 2_000_000, 900_000_000, true, false, false, false, true);

    private readonly FakeCache cache = new();

    public CacheInspectorPageTests()
    {
        Services.AddSingleton<ICacheService>(cache);
        Services.AddSingleton<ICacheEditor>(new FakeEditor());
        Services.AddSingleton<IDatabasePrivileges>(new AllowAll());
        var auth = AddAuthorization();
        auth.SetAuthorized("vera");
        auth.SetRoles(AdminRoles.Viewer);
    }

    [Fact]
    public void The_list_shows_each_table_with_estimates_marked_and_a_failing_table_with_its_error()
    {
        cache.Summaries = [
            new CacheTableSummary(Default, 40, 2, false, new ExpiryHistogram(2, 10, 20, 10), 120, 2048, 3.5, 5000),
            new CacheTableSummary(Big, 1_800_000, 200_000, true, new ExpiryHistogram(200_000, 1, 2, 3), 300, 9000, null, null),
            new CacheTableSummary(Default with { Schema = "locked", Qualified = "locked.default_cache" }, 0, 0, false, null, null, null, null, null,
                "permission denied for table default_cache"),
        ];
        var cut = Render<CachePage>();

        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("tr[data-table]").Count));
        var small = cut.Find("tr[data-table='cache.default_cache']").TextContent;
        Assert.Contains("40", small);
        Assert.DoesNotContain("≈", small);
        Assert.Contains("5,000", small);
        var big = cut.Find("tr[data-table='public.orchestra_big_cache']").TextContent;
        Assert.Contains("≈ 1,800,000", big);
        Assert.Contains("no column", big);
        Assert.Contains("permission denied", cut.Find("tr[data-table='locked.default_cache']").TextContent);
        Assert.Equal("cache/cache/default_cache", cut.Find("tr[data-table='cache.default_cache'] a").GetAttribute("href"));
    }

    [Fact]
    public void No_cache_table_says_what_a_cache_table_is()
    {
        cache.Summaries = [];
        var cut = Render<CachePage>();
        cut.WaitForAssertion(() => Assert.Contains("No cache table in this database", cut.Markup));
    }

    [Fact]
    public void The_key_browser_uses_the_filter_from_the_URL_and_lists_the_keys()
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo("cache/cache/default_cache?pattern=user%3A*&sort=expiry&desc=true");
        var cut = Render<CacheTablePage>(p => p.Add(x => x.Schema, "cache").Add(x => x.Name, "default_cache"));

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("tr[data-key]").Count));
        var request = cache.PageRequests.Last();
        Assert.Equal(("cache.default_cache", "user:*", CacheKeySort.Expiry, true), (request.Table, request.Filter.Pattern, request.Sort, request.Descending));
        Assert.Contains("entry?key=user%3A1%3Aprofile", cut.Find("tr[data-key='user:1:profile'] a").GetAttribute("href"));
        Assert.Contains("expired", cut.Find("tr[data-key='user:2:profile']").TextContent);
        // A Viewer sees the table's actions disabled, with the reason.
        cut.WaitForAssertion(() => Assert.Contains(cut.FindAll("span[aria-label]"), s => s.GetAttribute("aria-label")!.StartsWith("Delete matching keys: Needs the Operator role")));
    }

    [Fact]
    public void A_pattern_the_service_refuses_is_shown_at_the_field()
    {
        cache.PageError = new CacheInputException("pattern", "The pattern contains a NUL character, which no key can contain.");
        Services.GetRequiredService<NavigationManager>().NavigateTo("cache/cache/default_cache?pattern=a");
        var cut = Render<CacheTablePage>(p => p.Add(x => x.Schema, "cache").Add(x => x.Name, "default_cache"));
        cut.WaitForAssertion(() => Assert.Contains("The pattern contains a NUL character", cut.Markup));
    }

    [Fact]
    public void The_filter_round_trips_through_the_URL()
    {
        var form = KeyFilterForm.FromQuery("100%_done", "expired", "accesscount", true, 100);
        Assert.Equal((CacheKeyState.Expired, CacheKeySort.AccessCount, true, 100), (form.State, form.Sort, form.Descending, form.PageSize));
        var query = form.ToQuery();
        Assert.Equal("100%_done", query["pattern"]);
        Assert.True(KeyFilterForm.FromQuery((string?)query["pattern"], (string?)query["state"], (string?)query["sort"], (bool?)query["desc"], (int?)query["size"]).SameAs(form));
        // Defaults stay out of the URL; nonsense falls back to them.
        Assert.All(new KeyFilterForm().ToQuery().Values, Assert.Null);
        var junk = KeyFilterForm.FromQuery(null, "bogus", "bogus", null, 7);
        Assert.Equal((CacheKeyState.All, CacheKeySort.Key, 50), (junk.State, junk.Sort, junk.PageSize));
    }

    private sealed class FakeCache : ICacheService
    {
        public IReadOnlyList<CacheTableSummary> Summaries { get; set; } = [];
        public List<CacheKeyPageRequest> PageRequests { get; } = [];
        public Exception? PageError { get; set; }

        public Task<IReadOnlyList<CacheTable>> TablesAsync(CancellationToken ct = default) => Task.FromResult<IReadOnlyList<CacheTable>>([Default]);
        public Task<IReadOnlyList<CacheTableSummary>> SummariesAsync(CancellationToken ct = default) => Task.FromResult(Summaries);
        public Task<CacheTable> TableAsync(string display, CancellationToken ct = default) => Task.FromResult(Default);
        public Task<CacheTableSummary> SummaryAsync(CacheTable table, CancellationToken ct = default) =>
            Task.FromResult(new CacheTableSummary(table, 40, 2, false, new ExpiryHistogram(2, 10, 20, 10), 120, 2048, 3.5, 5000));

        public Task<CacheKeyPage> PageAsync(CacheKeyPageRequest request, CancellationToken ct = default)
        {
            PageRequests.Add(request);
            if (PageError != null) throw PageError;
            var now = DateTimeOffset.UtcNow;
            return Task.FromResult(new CacheKeyPage(Default, [
                new CacheKeyRow("user:1:profile", now.AddHours(1), 40, 3, now.AddMinutes(-1), now.AddHours(-1)),
                new CacheKeyRow("user:2:profile", now.AddMinutes(-5), 41, 7, null, null),
            ], null, now));
        }

        public Task<CacheEntryDetail?> GetAsync(string table, string key, CancellationToken ct = default) => Task.FromResult<CacheEntryDetail?>(null);
        public Task<CacheInsights> InsightsAsync(CacheTable table, CancellationToken ct = default) =>
            Task.FromResult(new CacheInsights([], [], [new CachePrefixCount("user", 2, 81)], false, 100));
    }

    private sealed class FakeEditor : ICacheEditor
    {
        public Task<CacheActionOutcome> DeleteKeyAsync(string table, string key, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<CacheActionOutcome> SetTtlAsync(string table, string key, TimeSpan ttl, DateTimeOffset expectedExpiresAt, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<CacheActionOutcome> PurgeExpiredAsync(string table, IProgress<PurgeProgress>? progress = null, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<long> CountMatchingAsync(string table, string pattern, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<CacheActionOutcome> DeleteMatchingAsync(string table, string pattern, CancellationToken ct = default) => throw new NotSupportedException();
    }

    private sealed class AllowAll : IDatabasePrivileges
    {
        public Task<string?> MissingAsync(string table, string privilege, CancellationToken ct = default) => Task.FromResult<string?>(null);
    }
}
