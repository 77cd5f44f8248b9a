using System.Globalization;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Sampling;

namespace Orchestra.Admin.Features.Tasks;

/// <summary>
/// The task queue's part of each sampler round (sql/tasks/sampler_round.sql): one pass over task_queue per round for
/// all viewers. The Tasks overview and the history charts read these values; nothing counts the queue per page view.
/// </summary>
public sealed class TasksMetricSource(PostgresQueryRunner queries, ILogger<TasksMetricSource> logger) : IMetricSource
{
    /// <summary><c>tasks.count:&lt;status&gt;:&lt;task_type&gt;</c> (the status never holds ':'; the task type may).</summary>
    public const string CountPrefix = "tasks.count:";
    public const string Running = "tasks.running";
    /// <summary>The queue depth.</summary>
    public const string Pending = "tasks.pending";
    public const string Failed = "tasks.failed";
    /// <summary>Absent when nothing is pending.</summary>
    public const string OldestPendingSeconds = "tasks.oldest_pending_seconds";
    public const string CompletedPerMinute = "tasks.completed_per_min";
    public const string FailedPerMinute = "tasks.failed_per_min";
    public const string CompletedLastHour = "tasks.completed_last_hour";
    public const string FailedLastHour = "tasks.failed_last_hour";

    /// <summary>The metrics the history charts draw.</summary>
    public static readonly IReadOnlyList<string> ChartMetrics = [CompletedPerMinute, FailedPerMinute, Pending, Running];

    public async Task<IReadOnlyDictionary<string, double>> ReadAsync(CancellationToken ct)
    {
        try
        {
            return await ReadOrThrowAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // No task_queue, no privilege, a timeout: the round keeps its other metrics; the overview says what failed.
            logger.LogWarning("Sampler: task queue not counted: {Error}", e.Message);
            return new Dictionary<string, double>();
        }
    }

    /// <summary>The same read, failing loudly (the overview's fallback before the first round).</summary>
    internal async Task<Dictionary<string, double>> ReadOrThrowAsync(CancellationToken ct) =>
        (await queries.QueryAsync<MetricValue>("tasks/sampler_round", ct: ct))
            .Where(v => v.Value is { } d && double.IsFinite(d))
            .ToDictionary(v => v.Metric, v => v.Value!.Value, StringComparer.Ordinal);

    /// <summary>Whether a round's values include the task queue's (the source may have failed in that round).</summary>
    public static bool HasTaskMetrics(IReadOnlyDictionary<string, double> values) => values.ContainsKey(Pending);

    /// <summary>The overview from one round's values.</summary>
    public static QueueOverview ToOverview(IReadOnlyDictionary<string, double> values, DateTimeOffset readAt)
    {
        var counts = new List<TaskStatusCount>();
        foreach (var (metric, value) in values)
        {
            if (!metric.StartsWith(CountPrefix, StringComparison.Ordinal)) continue;
            var rest = metric[CountPrefix.Length..];
            var colon = rest.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0) continue;
            counts.Add(new TaskStatusCount(rest[(colon + 1)..], rest[..colon], (long)value));
        }
        counts.Sort((a, b) => string.CompareOrdinal(a.TaskType, b.TaskType) is var c && c != 0 ? c : string.CompareOrdinal(a.Status, b.Status));
        double Get(string m) => values.TryGetValue(m, out var v) ? v : 0;
        var ended = Get(CompletedLastHour) + Get(FailedLastHour);
        return new QueueOverview(
            counts,
            (long)Get(Running),
            values.TryGetValue(OldestPendingSeconds, out var oldest) ? TimeSpan.FromSeconds(Math.Max(0, oldest)) : null,
            ended > 0 ? Get(FailedLastHour) / ended : null,
            readAt);
    }

    internal static string CountMetric(string status, string taskType) =>
        string.Create(CultureInfo.InvariantCulture, $"{CountPrefix}{status}:{taskType}");
}
