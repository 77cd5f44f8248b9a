using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using MudBlazor;
using MudBlazor.Charts;
using Orchestra.Admin.Components.Controls;
using Orchestra.Admin.Hosting;
using Orchestra.Admin.Sampling;

namespace Orchestra.Admin.Features.Overview;

/// <summary>A line of a chart: a sampler metric and its legend label.</summary>
public sealed record HistorySeries(string Metric, string Label);

/// <summary>One chart: its series (plotted on one axis), a scale applied to the stored values and how values read.</summary>
public sealed record HistoryChart(string Title, IReadOnlyList<HistorySeries> Series, Func<double, string> Format, double Scale = 1)
{
    public static readonly HistoryChart ConnectionsByState = new("Connections by state",
        [
            new("connections.active", "active"),
            new("connections.idle", "idle"),
            new("connections.idle_in_transaction", "idle in transaction"),
            new("connections.waiting_on_locks", "waiting on locks"),
        ],
        v => v.ToString("0.#", CultureInfo.InvariantCulture));

    public static readonly HistoryChart CacheHitRatio = new("Cache hit ratio",
        [new("cache.hit_ratio", "tables")], v => v.ToString("0.00", CultureInfo.InvariantCulture) + " %", Scale: 100);

    public static readonly HistoryChart TransactionsPerSecond = new("Transactions per second",
        [new(MetricHistory.TransactionsPerSecond, "committed + rolled back")], v => v.ToString("0.#", CultureInfo.InvariantCulture) + "/s");

    public static readonly HistoryChart DatabaseSize = new("Database size",
        [new("database.size_bytes", "size")], v => Sizes.Format((long)v));

    public static readonly HistoryChart WeaviateNodes = new("Weaviate nodes",
        [new("weaviate.nodes.healthy", "healthy"), new("weaviate.nodes.not_healthy", "not healthy"), new("weaviate.shards.readonly", "READONLY shards")],
        v => v.ToString("0.#", CultureInfo.InvariantCulture));

    public static readonly HistoryChart WeaviateObjects = new("Weaviate objects",
        [new("weaviate.objects", "objects")], v => v.ToString("N0", CultureInfo.InvariantCulture));

    public static readonly IReadOnlyList<HistoryChart> Weaviate = [WeaviateNodes, WeaviateObjects];

    public static readonly IReadOnlyList<HistoryChart> PostgresOverview = [ConnectionsByState, CacheHitRatio, TransactionsPerSecond, DatabaseSize];
}

public partial class HistoryCharts
{
    [Inject] private IMetricHistory History { get; set; } = null!;
    [Inject] private MetricSampler Sampler { get; set; } = null!;
    [Inject] private BrowserTimeZone TimeZone { get; set; } = null!;
    [Inject] private IOptions<OrchestraAdminOptions> Options { get; set; } = null!;

    [Parameter] public string Title { get; set; } = "History";
    [Parameter, EditorRequired] public IReadOnlyList<HistoryChart> Charts { get; set; } = [];

    private DataPanel<MetricHistorySnapshot>? panel;
    private HistoryRange range = HistoryRange.LastHour;
    private string[] metrics = [];

    protected override void OnParametersSet() => metrics = Charts.SelectMany(c => c.Series).Select(s => s.Metric).Distinct().ToArray();

    protected override void OnInitialized() => Sampler.Sampled += OnSampled;

    private void OnSampled(SampleRound round) => _ = InvokeAsync(() => panel?.RefreshAsync() ?? Task.CompletedTask);

    private Task SelectAsync(HistoryRange selected)
    {
        range = selected;
        return panel?.RefreshAsync() ?? Task.CompletedTask;
    }

    internal static string RangeText(HistoryRange r) => r switch
    {
        HistoryRange.LastHour => "last hour",
        HistoryRange.LastDay => "last 24 hours",
        _ => "last 7 days",
    };

    private static string RangeLabel(HistoryRange r) => string.Concat(char.ToUpperInvariant(RangeText(r)[0]), RangeText(r)[1..]);

    private static string ChartId(HistoryChart chart) => "chart-" + chart.Title.ToLowerInvariant().Replace(' ', '-');

    private static ChartAxis AxisOf(HistoryChart chart, MetricHistorySnapshot snapshot) =>
        ChartAxis.For(chart.Series.SelectMany(s => snapshot[s.Metric]).Select(p => p.Value * chart.Scale));

    private List<ChartSeries<double>> SeriesOf(HistoryChart chart, MetricHistorySnapshot snapshot, ChartAxis axis) =>
        chart.Series.Select(s => new ChartSeries<double>
        {
            Name = s.Label,
            Data = snapshot[s.Metric].Select(p => new TimeValue<double>(ToLocal(p.Bucket), axis.Plot(p.Value * chart.Scale))).ToList(),
        }).ToList();

    private DateTime ToLocal(DateTime utc) =>
        TimeZone.Zone is { } zone ? TimeZoneInfo.ConvertTimeFromUtc(utc, zone) : utc;

    private TimeSeriesChartOptions OptionsFor(HistoryChart chart, ChartAxis axis) => new()
    {
        ShowLegend = chart.Series.Count > 1,
        ShowDataMarkers = false,
        YAxisTicks = axis.Ticks,
        MaxNumYAxisTicks = 8,
        YAxisToStringFunc = v => chart.Format(axis.Unplot(v)),
        TimeLabelFormat = range == HistoryRange.LastWeek ? "ddd HH:mm" : "HH:mm",
        TooltipTimeLabelFormat = "yyyy-MM-dd HH:mm",
        TimeLabelSpacing = range switch
        {
            HistoryRange.LastHour => TimeSpan.FromMinutes(10),
            HistoryRange.LastDay => TimeSpan.FromHours(3),
            _ => TimeSpan.FromDays(1),
        },
    };

    public void Dispose() => Sampler.Sampled -= OnSampled;
}
