using Bunit;
using Orchestra.Admin.Features.Overview;
using Orchestra.Admin.Sampling;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Components;

public class HistoryChartsTests : BunitSetup
{
    private static readonly DateTime Start = new(2026, 11, 26, 11, 0, 0, DateTimeKind.Utc);

    private static MetricHistorySnapshot Snapshot(HistoryRange range, params (string Metric, double[] Values)[] series) =>
        new(range, Start, TimeSpan.FromSeconds(15), series.ToDictionary(s => s.Metric,
            s => (IReadOnlyList<MetricPoint>)s.Values.Select((v, i) => new MetricPoint { Metric = s.Metric, Bucket = Start.AddSeconds(15 * i), Value = v }).ToList()));

    [Fact]
    public void Each_chart_draws_its_series_and_summarises_latest_min_and_max_in_its_unit()
    {
        History.Snapshot = (range, _) => Snapshot(range,
            ("cache.hit_ratio", [0.95, 0.999, 0.98]),
            ("connections.active", [2, 8, 5]),
            ("connections.idle", [1, 1, 1]));

        var page = Render<HistoryCharts>(p => p.Add(c => c.Charts, [HistoryChart.ConnectionsByState, HistoryChart.CacheHitRatio]));

        Assert.Equal(["Connections by state", "Cache hit ratio"], page.FindAll("figure h3").Select(h => h.TextContent));
        Assert.All(page.FindAll("figure"), figure => Assert.NotNull(figure.QuerySelector("svg")));
        Assert.Equal("latest 98.00 %, min 95.00 %, max 99.90 %", Normalize(page.Find("[data-metric='cache.hit_ratio']").TextContent));
        Assert.Equal("active: latest 5, min 2, max 8", Normalize(page.Find("[data-metric='connections.active']").TextContent));
        // Series without samples get no summary line.
        Assert.Empty(page.FindAll("[data-metric='connections.waiting_on_locks']"));
    }

    [Fact]
    public void Without_samples_it_says_when_they_will_come()
    {
        var page = Render<HistoryCharts>(p => p.Add(c => c.Charts, HistoryChart.PostgresOverview));

        Assert.Contains("No samples in the last hour yet", page.Markup);
        Assert.Empty(page.FindAll("figure"));
    }

    [Fact]
    public void The_range_buttons_load_that_range_and_mark_it_pressed()
    {
        var page = Render<HistoryCharts>(p => p.Add(c => c.Charts, [HistoryChart.DatabaseSize]));

        page.FindAll("button").Single(b => b.TextContent.Trim() == "Last 7 days").Click();

        Assert.Equal([HistoryRange.LastHour, HistoryRange.LastWeek], History.Requests);
        Assert.Equal("true", page.FindAll("button").Single(b => b.TextContent.Trim() == "Last 7 days").GetAttribute("aria-pressed"));
        Assert.Equal("false", page.FindAll("button").Single(b => b.TextContent.Trim() == "Last hour").GetAttribute("aria-pressed"));
    }

    [Fact]
    public void A_sampler_round_redraws_the_charts()
    {
        var size = 1_000_000.0;
        History.Snapshot = (range, _) => Snapshot(range, ("database.size_bytes", [size]));
        var page = Render<HistoryCharts>(p => p.Add(c => c.Charts, [HistoryChart.DatabaseSize]));
        Assert.Contains("latest 977 kB", page.Find("[data-metric='database.size_bytes']").TextContent);

        size = 2_000_000_000;
        Sampler.Publish(new SampleRound(DateTimeOffset.UtcNow, new Dictionary<string, double>()));

        page.WaitForAssertion(() => Assert.Contains("latest 1.9 GB", page.Find("[data-metric='database.size_bytes']").TextContent));
        Assert.Equal(2, History.Requests.Count);
    }

    private static string Normalize(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
