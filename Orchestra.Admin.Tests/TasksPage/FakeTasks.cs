using Orchestra.Admin.Features.Tasks;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.Tests.TasksPage;

/// <summary>The reading side of the task queue, as a test sets it.</summary>
public sealed class FakeTasksService : ITasksService
{
    public QueueOverview Overview { get; set; } = new([], 0, null, null, DateTimeOffset.UtcNow);
    public IReadOnlyList<string> Types { get; set; } = ["send_email", "webhook_delivery"];
    public IReadOnlyList<StuckTask> Stuck { get; set; } = [];
    public IReadOnlyList<IndexAdvice> Advice { get; set; } = [];
    public IReadOnlyList<ErrorGroup> Groups { get; set; } = [];
    public Dictionary<Guid, TaskDetail> Details { get; } = [];
    /// <summary>Answers the failed list; throw from it to play a filter the service refuses.</summary>
    public Func<FailedTaskPageRequest, FailedTaskPage> Failed { get; set; } = _ => new FailedTaskPage([], null, null);
    public List<FailedTaskPageRequest> FailedRequests { get; } = [];

    public Task<QueueOverview> OverviewAsync(CancellationToken ct = default) => Task.FromResult(Overview);
    public Task<IReadOnlyList<string>> TaskTypesAsync(CancellationToken ct = default) => Task.FromResult(Types);
    public Task<IReadOnlyList<StuckTask>> StuckAsync(CancellationToken ct = default) => Task.FromResult(Stuck);
    public Task<IReadOnlyList<IndexAdvice>> IndexAdviceAsync(CancellationToken ct = default) => Task.FromResult(Advice);

    public Task<FailedTaskPage> FailedAsync(FailedTaskPageRequest request, CancellationToken ct = default)
    {
        FailedRequests.Add(request);
        return Task.FromResult(Failed(request));
    }

    public Task<IReadOnlyList<ErrorGroup>> ErrorGroupsAsync(FailedTaskFilter filter, int limit = 50, CancellationToken ct = default) => Task.FromResult(Groups);

    public Task<TaskDetail?> GetAsync(Guid id, CancellationToken ct = default) => Task.FromResult(Details.GetValueOrDefault(id));

    public static FailedTaskRow Row(string type = "send_email", string error = "TimeoutError: POST https://x timed out after 1200 ms") =>
        new(Guid.NewGuid(), type, 0, DateTimeOffset.UtcNow.AddHours(-2), DateTimeOffset.UtcNow.AddHours(-1), error, "fp-timeout");
}

/// <summary>The operator actions: records what was asked; a test decides what each answers and when.</summary>
public sealed class FakeTaskActions : ITaskActions
{
    public long Matched { get; set; }
    /// <summary>Thrown by the dry run when set (a filter the service refuses, a Viewer).</summary>
    public Exception? CountError { get; set; }
    public List<RequeueRequest> Counted { get; } = [];
    public List<(OperatorIdentity Actor, RequeueRequest Request, Guid? Confirmation)> Requeued { get; } = [];
    /// <summary>The confirmations the dry runs answered, in order.</summary>
    public List<RequeueConfirmation> Confirmations { get; } = [];
    public List<IReadOnlyList<Guid>> Deleted { get; } = [];
    public List<IReadOnlyList<Guid>> Cancelled { get; } = [];
    public List<IReadOnlyList<Guid>> StuckRequeued { get; } = [];

    /// <summary>The bulk requeue: by default one batch that requeues everything matched.</summary>
    public Func<RequeueRequest, IProgress<RequeueProgress>?, CancellationToken, Task<RequeueReport>> Requeue { get; set; }

    public FakeTaskActions() => Requeue = (_, progress, _) =>
    {
        progress?.Report(new RequeueProgress(Matched, Matched, 0, 0, 1));
        return Task.FromResult(new RequeueReport(Matched, Matched, 0, 0, 1, false, 42));
    };

    public Task<RequeueConfirmation> ConfirmRequeueAsync(OperatorIdentity actor, RequeueRequest request, CancellationToken ct = default)
    {
        Counted.Add(request);
        if (CountError is { } e) return Task.FromException<RequeueConfirmation>(e);
        var confirmation = new RequeueConfirmation(Guid.NewGuid(), Matched, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddMinutes(15));
        Confirmations.Add(confirmation);
        return Task.FromResult(confirmation);
    }

    public Task<RequeueReport> RequeueAsync(OperatorIdentity actor, RequeueRequest request, Guid? confirmation = null,
        IProgress<RequeueProgress>? progress = null, CancellationToken ct = default)
    {
        Requeued.Add((actor, request, confirmation));
        return Requeue(request, progress, ct);
    }

    public Task<RequeueReport> RequeueStuckAsync(OperatorIdentity actor, IReadOnlyList<Guid> ids, CancellationToken ct = default)
    {
        StuckRequeued.Add(ids);
        return Task.FromResult(new RequeueReport(ids.Count, ids.Count, 0, 0, 1, false, 43));
    }

    public Task<ActionResult> CancelAsync(OperatorIdentity actor, IReadOnlyList<Guid> ids, CancellationToken ct = default)
    {
        Cancelled.Add(ids);
        return Task.FromResult(new ActionResult(ids.Count, 44));
    }

    public Task<ActionResult> DeleteAsync(OperatorIdentity actor, IReadOnlyList<Guid> ids, CancellationToken ct = default)
    {
        Deleted.Add(ids);
        return Task.FromResult(new ActionResult(ids.Count, 45));
    }
}
