using System.Globalization;
using Orchestra.Admin.Components.Controls;
using Orchestra.Admin.Features.Overview;

namespace Orchestra.Admin.Features.Tasks;

/// <summary>The queue's history charts, drawn from what the sampler stores each round (<see cref="TasksMetricSource"/>).</summary>
public static class TaskCharts
{
    public static readonly HistoryChart Throughput = new("Completed and failed per minute",
        [new(TasksMetricSource.CompletedPerMinute, "completed"), new(TasksMetricSource.FailedPerMinute, "failed")],
        v => v.ToString("0.#", CultureInfo.InvariantCulture) + "/min");

    public static readonly HistoryChart QueueDepth = new("Queue depth",
        [new(TasksMetricSource.Pending, "pending"), new(TasksMetricSource.Running, "running")], v => v.ToString("N0", CultureInfo.InvariantCulture));

    public static readonly HistoryChart OldestPending = new("Oldest pending task",
        [new(TasksMetricSource.OldestPendingSeconds, "age")], v => Durations.Format(v));

    public static readonly IReadOnlyList<HistoryChart> All = [Throughput, QueueDepth, OldestPending];
}
