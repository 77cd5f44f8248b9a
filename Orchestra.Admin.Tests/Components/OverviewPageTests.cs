using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Features.Overview;
using Orchestra.Admin.Sampling;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Components;

public class OverviewPageTests : BunitSetup
{
    private sealed class FakeOverviewService : IOverviewService
    {
        public Func<Task<CacheHitRatio>> Cache { get; set; } = () => Task.FromResult(new CacheHitRatio(9987, 13, 0.9987));
        public Func<Task<ConnectionSummary>> Connections { get; set; } = () => Task.FromResult(new ConnectionSummary(4, 1, 12, 17, 100, 3));
        public Func<Task<IReadOnlyList<TableSize>>> Tables { get; set; } = () => Task.FromResult<IReadOnlyList<TableSize>>(
            [new TableSize("public.documents", "public", "documents", 52_428_800, 40_000_000, 12_000_000, 428_800, 50_000)]);

        public Task<DashboardLogin> GetDashboardLoginAsync(CancellationToken ct = default) => throw new NotSupportedException();
        public Task<CacheHitRatio> GetCacheHitRatioAsync(CancellationToken ct = default) => Cache();
        public Task<ConnectionSummary> GetConnectionSummaryAsync(CancellationToken ct = default) => Connections();
        public Task<IReadOnlyList<TableSize>> GetTableSizesAsync(int limit, CancellationToken ct = default) => Tables();
    }

    private sealed class FakeTiles : IStatusTilesService
    {
        public Task<IReadOnlyList<StatusTile>> GetAsync(CancellationToken ct = default) => Task.FromResult<IReadOnlyList<StatusTile>>(
        [
            new("Cache hit ratio", StatusLevel.Ok, "99.87 %", "Reads are served from memory.", "postgres?tab=cache"),
            new("Blocked queries", StatusLevel.Critical, "7", "7 waiting for a lock held by another.", "postgres?tab=activity"),
        ]);
    }

    private readonly FakeOverviewService service = new();

    public OverviewPageTests()
    {
        Services.AddSingleton<IOverviewService>(service);
        Services.AddSingleton<IStatusTilesService>(new FakeTiles());
    }

    [Fact]
    public void Health_tiles_show_level_value_and_reason_and_link_to_the_detail()
    {
        var page = Render<Overview>();
        var blocked = page.Find("li[data-level=critical] a");
        Assert.Equal("postgres?tab=activity", blocked.GetAttribute("href"));
        Assert.Equal("Blocked queries: critical, 7. 7 waiting for a lock held by another.", blocked.GetAttribute("aria-label"));
        Assert.Single(page.FindAll("li[data-level=ok]"));
    }

    [Fact]
    public void Shows_the_three_metrics()
    {
        var page = Render<Overview>();

        Assert.Equal("99.87 %", page.Find("[data-testid=cache-hit-ratio]").TextContent);
        Assert.Equal("4", page.Find("[data-testid=active-connections]").TextContent);
        Assert.Contains("17 of max_connections 100 used", page.Find("[data-testid=connections-used]").TextContent);
        var row = page.Find("tbody tr");
        Assert.Contains("public.documents", row.TextContent);
        Assert.Contains("50 MB", row.TextContent);
        Assert.Contains("≈ 50,000", row.TextContent);
        Assert.Equal(["Health", "Cache hit ratio", "Active connections", "PostgreSQL history", "Table sizes"], page.FindAll("section h2").Select(h => h.TextContent));
    }

    [Fact]
    public void A_fresh_database_shows_na_instead_of_a_ratio()
    {
        service.Cache = () => Task.FromResult(new CacheHitRatio(0, 0, null));
        var page = Render<Overview>();
        Assert.Equal("n/a — no reads yet", page.Find("[data-testid=cache-hit-ratio]").TextContent);
    }

    [Fact]
    public void A_failing_panel_shows_its_error_and_the_others_still_render()
    {
        service.Connections = () => Task.FromException<ConnectionSummary>(
            new QueryTimeoutException("monitoring/connections/summary", TimeSpan.FromSeconds(5), new Exception()));
        var page = Render<Overview>();

        var alert = page.Find("[role=alert]");
        Assert.Contains("timed out after 5 s", alert.TextContent);
        Assert.Equal("99.87 %", page.Find("[data-testid=cache-hit-ratio]").TextContent);
        Assert.Contains("public.documents", page.Find("tbody").TextContent);
    }

    [Fact]
    public void No_tables_says_why_and_what_to_do()
    {
        service.Tables = () => Task.FromResult<IReadOnlyList<TableSize>>([]);
        var page = Render<Overview>();
        Assert.Contains("no tables yet", page.Markup);
        Assert.Contains("POSTGRES_DSN", page.Markup);
    }

    [Fact]
    public void Panels_show_loading_until_their_data_arrives()
    {
        var pending = new TaskCompletionSource<CacheHitRatio>();
        service.Cache = () => pending.Task;
        var page = Render<Overview>();

        var cachePanel = page.FindAll("section[aria-labelledby]")[1];
        Assert.Equal("true", cachePanel.GetAttribute("aria-busy"));
        Assert.Empty(page.FindAll("[data-testid=cache-hit-ratio]"));

        pending.SetResult(new CacheHitRatio(1, 1, 0.5));
        page.WaitForAssertion(() => Assert.Equal("50.00 %", page.Find("[data-testid=cache-hit-ratio]").TextContent));
        Assert.Equal("false", page.FindAll("section[aria-labelledby]")[1].GetAttribute("aria-busy"));
    }

    [Fact]
    public void Open_pages_follow_the_sampler_and_share_one_query_per_round()
    {
        var reads = 0;
        service.Cache = () => Task.FromResult(new CacheHitRatio(1, 1, ++reads / 100.0));
        var first = Render<Overview>();
        var second = Render<Overview>();
        Assert.Equal(1, reads);
        Assert.Equal("1.00 %", second.Find("[data-testid=cache-hit-ratio]").TextContent);

        Sampler.Publish(new SampleRound(DateTimeOffset.UtcNow, new Dictionary<string, double>()));

        first.WaitForAssertion(() => Assert.Equal("2.00 %", first.Find("[data-testid=cache-hit-ratio]").TextContent));
        second.WaitForAssertion(() => Assert.Equal("2.00 %", second.Find("[data-testid=cache-hit-ratio]").TextContent));
        Assert.Equal(2, reads);
    }
}
