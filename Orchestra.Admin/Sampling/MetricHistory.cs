using Microsoft.Extensions.Options;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Hosting;

namespace Orchestra.Admin.Sampling;

public enum HistoryRange { LastHour, LastDay, LastWeek }

/// <summary>One averaged bucket of a metric; <see cref="Bucket"/> is its start, UTC.</summary>
public sealed record MetricPoint
{
    public string Metric { get; init; } = "";
    public DateTime Bucket { get; init; }
    public double Value { get; init; }
}

/// <summary>The metrics asked for over one range, each in time order; a metric without samples has no entry.</summary>
public sealed record MetricHistorySnapshot(HistoryRange Range, DateTimeOffset Since, TimeSpan Bucket, IReadOnlyDictionary<string, IReadOnlyList<MetricPoint>> Series)
{
    public IReadOnlyList<MetricPoint> this[string metric] => Series.TryGetValue(metric, out var points) ? points : [];
}

public interface IMetricHistory
{
    Task<MetricHistorySnapshot> GetAsync(HistoryRange range, IReadOnlyList<string> metrics, CancellationToken ct = default);
}

/// <summary>
/// The charts' data: the sampler's rows in orchestra_admin.metric_samples averaged into about
/// <see cref="PointsPerChart"/> buckets per range. Shared by all viewers through <see cref="PerRoundCache"/>:
/// the last hour is read again once per sampler round, the longer ranges once per bucket.
/// </summary>
public sealed class MetricHistory(PostgresQueryRunner queries, PerRoundCache cache, TimeProvider clock, IOptions<OrchestraAdminOptions> options) : IMetricHistory
{
    /// <summary>The rate derived from the transaction counters (see history/series.sql).</summary>
    public const string TransactionsPerSecond = "xact.per_second";
    internal const int PointsPerChart = 240;

    public static TimeSpan Duration(HistoryRange range) => range switch
    {
        HistoryRange.LastHour => TimeSpan.FromHours(1),
        HistoryRange.LastDay => TimeSpan.FromDays(1),
        _ => TimeSpan.FromDays(7),
    };

    /// <summary>Never finer than the sampler's interval: a bucket without a round would leave a hole.</summary>
    public TimeSpan BucketFor(HistoryRange range) =>
        TimeSpan.FromSeconds(Math.Max(options.Value.Sampling.IntervalSeconds, Math.Ceiling(Duration(range).TotalSeconds / PointsPerChart)));

    public Task<MetricHistorySnapshot> GetAsync(HistoryRange range, IReadOnlyList<string> metrics, CancellationToken ct = default)
    {
        var bucket = BucketFor(range);
        var key = $"history/{range}/{string.Join(',', metrics)}";
        return cache.GetAsync(key, load => LoadAsync(range, metrics, bucket, load),
            maxAge: range == HistoryRange.LastHour ? null : bucket, ct: ct);
    }

    private async Task<MetricHistorySnapshot> LoadAsync(HistoryRange range, IReadOnlyList<string> metrics, TimeSpan bucket, CancellationToken ct)
    {
        // Buckets aligned to multiples of their width, so two reads of a range agree on the boundaries.
        var start = clock.GetUtcNow() - Duration(range);
        var since = new DateTimeOffset(start.UtcTicks - start.UtcTicks % bucket.Ticks, TimeSpan.Zero);
        var rows = await queries.QueryAsync<MetricPoint>("monitoring/history/series",
            new { metrics = metrics.ToArray(), since = since.UtcDateTime, bucketSeconds = bucket.TotalSeconds }, ct: ct);
        var series = rows.GroupBy(p => p.Metric)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<MetricPoint>)g.Select(p => p with { Bucket = DateTime.SpecifyKind(p.Bucket, DateTimeKind.Utc) }).ToList());
        return new MetricHistorySnapshot(range, since, bucket, series);
    }
}
