namespace Orchestra.Admin.Features.Tasks;

/// <summary>The task queue pages' and actions' settings (<c>OrchestraAdmin:Tasks</c>); checked by <see cref="TasksRegistration"/>.</summary>
public sealed class TasksOptions
{
    /// <summary>A task running longer than this is stuck, unless its type has its own threshold.</summary>
    public int StuckThresholdMinutes { get; set; } = 15;
    /// <summary>Per task type, e.g. <c>OrchestraAdmin:Tasks:StuckThresholdMinutesByType:generate_report = 120</c>.</summary>
    public Dictionary<string, int> StuckThresholdMinutesByType { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Tasks per requeue batch: each batch is its own short transaction.</summary>
    public int RequeueBatchSize { get; set; } = 1_000;
    /// <summary>statement_timeout of the reads that find what a requeue will work through (dry-run count, the ids) and of those
    /// that fingerprint every matching failed task (error groups, the list filtered by group): on a large table they take
    /// seconds, so not the pages' 5 s.</summary>
    public int RequeueScanTimeoutSeconds { get; set; } = 120;
    /// <summary>How long a requeue's dry run (the count the operator confirms, with the tasks it pinned) stays valid for its run.</summary>
    public int RequeueConfirmationMinutes { get; set; } = 15;
    /// <summary>At most this many task ids in one audit entry; a larger operation says how many it left out (every
    /// requeued task is still in orchestra_admin.task_attempts with the operation's id).</summary>
    public int AuditMaxIds { get; set; } = 10_000;

    public TimeSpan StuckThreshold(string taskType) =>
        TimeSpan.FromMinutes(StuckThresholdMinutesByType.TryGetValue(taskType, out var minutes) ? minutes : StuckThresholdMinutes);

    /// <summary>The thresholds as stuck.sql takes them: a JSON object of task type → seconds.</summary>
    internal string ThresholdsJson() =>
        System.Text.Json.JsonSerializer.Serialize(StuckThresholdMinutesByType.ToDictionary(kv => kv.Key, kv => kv.Value * 60.0));
}
