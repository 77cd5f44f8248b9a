using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.Features.Tasks;

/// <summary>The statuses the stack's workers use (<c>cancelled</c> is set only by the dashboard).</summary>
public static class TaskStatuses
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
}

/// <summary>One cell of the status × task type matrix.</summary>
public sealed record TaskStatusCount(string TaskType, string Status, long Count);

/// <summary>
/// The queue at a glance, as read by the sampler's last round (never counted per page view).
/// </summary>
/// <param name="OldestPendingAge">Age of the oldest pending task; null when nothing is pending.</param>
/// <param name="FailureRateLastHour">failed / (completed + failed) among tasks that ended in the last hour; null when none ended.</param>
/// <param name="ReadAt">When the counts were read (the sampler round).</param>
public sealed record QueueOverview(
    IReadOnlyList<TaskStatusCount> Counts,
    long Running,
    TimeSpan? OldestPendingAge,
    double? FailureRateLastHour,
    DateTimeOffset ReadAt);

/// <summary>A task <c>running</c> for longer than its type's threshold.</summary>
public sealed record StuckTask(Guid Id, string TaskType, int Priority, DateTimeOffset StartedAt, TimeSpan RunningFor, TimeSpan Threshold);

/// <summary>An index the stack's <c>task_queue</c> lacks: which, why, and the SQL (the dashboard never runs it).</summary>
public sealed record IndexAdvice(string Name, string Why, string CreateSql);

/// <summary>
/// Filters of the failed list, all optional, combined with AND; text as typed, checked
/// (<see cref="TaskFilterException"/>) and always sent as bound parameters.
/// "Failed at" is <c>completed_at</c> (workers set it when a task ends, failed or not).
/// </summary>
public sealed record FailedTaskFilter
{
    public string? TaskType { get; init; }
    /// <summary>Case-insensitive substring of <c>error</c>.</summary>
    public string? ErrorContains { get; init; }
    /// <summary>A JSON object matched by containment on <c>payload</c> (<c>payload @&gt; @json</c>).</summary>
    public string? PayloadContains { get; init; }
    public int? Priority { get; init; }
    public DateTimeOffset? CreatedFrom { get; init; }
    public DateTimeOffset? CreatedTo { get; init; }
    public DateTimeOffset? FailedFrom { get; init; }
    public DateTimeOffset? FailedTo { get; init; }
    /// <summary>Only the tasks of one error group (<see cref="ErrorGroup.Fingerprint"/>).</summary>
    public string? Fingerprint { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsEmpty => this == new FailedTaskFilter();
}

/// <summary>A filter the operator typed that cannot run: which field ("taskType", "errorContains", "payloadContains", "priority", "created", "failed", "fingerprint", "ids"), what is wrong, and where when known.</summary>
public sealed class TaskFilterException(string field, string message, int? position = null) : FieldInputException(field, message, position);

/// <summary>A keyset position in the failed list, which is ordered by failed time (newest first), then id.</summary>
public sealed record TaskCursor(DateTimeOffset At, Guid Id) : IKeysetCursor<TaskCursor>
{
    public static TaskCursor Create(DateTimeOffset at, Guid id) => new(at, id);
}

public sealed record FailedTaskPageRequest(FailedTaskFilter Filter, int PageSize = 50, TaskCursor? After = null, TaskCursor? Before = null);

/// <param name="ErrorFirstLine">The first line of the error, cut to 300 characters.</param>
public sealed record FailedTaskRow(Guid Id, string TaskType, int Priority, DateTimeOffset CreatedAt, DateTimeOffset? FailedAt, string? ErrorFirstLine, string Fingerprint);

public sealed record FailedTaskPage(IReadOnlyList<FailedTaskRow> Rows, TaskCursor? Next, TaskCursor? Previous);

/// <summary>Failed tasks whose errors are the same once numbers, ids, uuids, quoted values and addresses are normalised away.</summary>
public sealed record ErrorGroup(string Fingerprint, long Count, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, string SampleError, Guid SampleId, IReadOnlyList<string> TaskTypes);

/// <summary>An earlier attempt of a task, kept by the dashboard in <c>orchestra_admin.task_attempts</c> when it was requeued.</summary>
public sealed record TaskAttempt(long Id, Guid TaskId, string? Status, string? Error, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, DateTimeOffset RequeuedAt, string RequeuedBy, long? AuditId);

public sealed record TaskDetail(
    Guid Id, string TaskType, string Status, int Priority, string PayloadJson,
    DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt, string? Error,
    IReadOnlyList<TaskAttempt> EarlierAttempts);

/// <summary>
/// What to requeue: the given <see cref="Ids"/>, or every failed task matching <see cref="Filter"/>. An empty filter
/// would requeue every failed task, so it needs <see cref="All"/> = true. Exactly one of Ids and Filter is set.
/// </summary>
public sealed record RequeueRequest(IReadOnlyList<Guid>? Ids = null, FailedTaskFilter? Filter = null, bool All = false, int? NewPriority = null);

/// <summary>
/// What the operator confirmed: the dry run's count, with the tasks it matched pinned server-side
/// (orchestra_admin.requeue_confirmed_tasks). A run given <see cref="Id"/> works on exactly those tasks, never more;
/// it must be the same actor's and the same request's, before <see cref="ExpiresAt"/>.
/// </summary>
public sealed record RequeueConfirmation(Guid Id, long Matched, DateTimeOffset ConfirmedAt, DateTimeOffset ExpiresAt);

/// <summary>A run refused for its confirmation: unknown, expired, another operator's or made for another request. Nothing changed.</summary>
public sealed class RequeueConfirmationException(string message) : Exception(message);

/// <summary>Progress after each batch.</summary>
public sealed record RequeueProgress(long Matched, long Requeued, long Skipped, long Failed, int Batches);

/// <summary>Why confirmed tasks were not requeued when their batch came.</summary>
/// <param name="NoLongerFailed">A worker or another operator moved them (pending, running, completed, cancelled) or deleted them.</param>
/// <param name="NoLongerMatching">Still failed, but no longer matching the confirmed filter (e.g. they failed again with another error).</param>
/// <param name="ChangedSinceConfirmation">Still failed and matching, but not the failure confirmed: the row changed since the dry run (e.g. requeued elsewhere and failed again).</param>
/// <param name="Locked">Held by another transaction (a worker or another operator) at that moment; a rerun retries them.</param>
public sealed record RequeueSkips(long NoLongerFailed, long NoLongerMatching, long ChangedSinceConfirmation, long Locked)
{
    public static readonly RequeueSkips None = new(0, 0, 0, 0);

    public long Total => NoLongerFailed + NoLongerMatching + ChangedSinceConfirmation + Locked;

    /// <summary>The counts by reason as the audit entry and the API's answer name them.</summary>
    public object ByName() => new
    {
        noLongerFailed = NoLongerFailed,
        noLongerMatching = NoLongerMatching,
        changedSinceConfirmation = ChangedSinceConfirmation,
        locked = Locked,
    };

    public RequeueSkips Plus(RequeueSkips other) => new(NoLongerFailed + other.NoLongerFailed, NoLongerMatching + other.NoLongerMatching,
        ChangedSinceConfirmation + other.ChangedSinceConfirmation, Locked + other.Locked);
}

/// <summary>
/// The final report of a requeue. Matched = what the operator confirmed (the dry run's count, pinned): nothing beyond
/// these tasks is touched; Skipped = confirmed tasks not requeued when their batch came, by reason in
/// <see cref="SkippedBecause"/>; Failed = rows of batches that failed (rolled back, nothing changed). Cancelled: stopped
/// between batches; every finished batch stays done.
/// </summary>
/// <param name="LongestBatch">The longest batch transaction (how long its row locks were held); added after the first contract, optional.</param>
/// <param name="SkippedBecause">Why the skipped ones were skipped (adds up to Skipped).</param>
/// <param name="ConfirmedAt">When the dry run the run held to was made.</param>
public sealed record RequeueReport(long Matched, long Requeued, long Skipped, long Failed, int Batches, bool Cancelled, long? AuditId,
    TimeSpan? LongestBatch = null, RequeueSkips? SkippedBecause = null, DateTimeOffset? ConfirmedAt = null);

/// <summary>Reading the queue: all counts from the sampler or an index, lists by keyset.</summary>
public interface ITasksService
{
    Task<QueueOverview> OverviewAsync(CancellationToken ct = default);
    Task<IReadOnlyList<string>> TaskTypesAsync(CancellationToken ct = default);
    Task<IReadOnlyList<StuckTask>> StuckAsync(CancellationToken ct = default);
    Task<IReadOnlyList<IndexAdvice>> IndexAdviceAsync(CancellationToken ct = default);
    Task<FailedTaskPage> FailedAsync(FailedTaskPageRequest request, CancellationToken ct = default);
    /// <summary>The largest groups first.</summary>
    Task<IReadOnlyList<ErrorGroup>> ErrorGroupsAsync(FailedTaskFilter filter, int limit = 50, CancellationToken ct = default);
    Task<TaskDetail?> GetAsync(Guid id, CancellationToken ct = default);
}

/// <summary>
/// Operator actions on tasks, each authorized, guarded by the status it expects, and audited with what it
/// overwrote (previous errors also go to <c>orchestra_admin.task_attempts</c>). Viewers get
/// <see cref="OperatorRequiredException"/>; bad input <see cref="TaskFilterException"/>, before anything changes.
/// </summary>
public interface ITaskActions
{
    /// <summary>
    /// The dry run: how many failed tasks the request matches now, pinned as the set a run with the returned
    /// confirmation will work on (Operators only: it is what they confirm).
    /// </summary>
    Task<RequeueConfirmation> ConfirmRequeueAsync(OperatorIdentity actor, RequeueRequest request, CancellationToken ct = default);

    /// <summary>
    /// failed → pending in batches (each its own short transaction, rows taken FOR UPDATE SKIP LOCKED), with the
    /// previous error and timestamps written to task_attempts in the same transaction. With <paramref name="confirmation"/>
    /// (<see cref="ConfirmRequeueAsync"/>'s id) only the tasks the dry run pinned, each while still failed, still matching
    /// the request and unchanged since; without one, the tasks matching as it starts, under the same guards. Cancelling
    /// stops between batches. Running it again continues with what is still to do.
    /// </summary>
    Task<RequeueReport> RequeueAsync(OperatorIdentity actor, RequeueRequest request, Guid? confirmation = null,
        IProgress<RequeueProgress>? progress = null, CancellationToken ct = default);

    /// <summary>running → pending for tasks running longer than their threshold (guarded by status and started_at).</summary>
    Task<RequeueReport> RequeueStuckAsync(OperatorIdentity actor, IReadOnlyList<Guid> ids, CancellationToken ct = default);

    /// <summary>pending → cancelled.</summary>
    Task<ActionResult> CancelAsync(OperatorIdentity actor, IReadOnlyList<Guid> ids, CancellationToken ct = default);

    /// <summary>Deletes tasks; every full row is kept in the audit log first.</summary>
    Task<ActionResult> DeleteAsync(OperatorIdentity actor, IReadOnlyList<Guid> ids, CancellationToken ct = default);
}
