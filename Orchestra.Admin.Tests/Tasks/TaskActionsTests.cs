using System.Text.Json;
using Dapper;
using Orchestra.Admin.Features.Tasks;
using Orchestra.Admin.Security;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Tasks;

/// <summary>The requeue engine and the other actions against real PostgreSQL: guards, batches, task_attempts, audit.</summary>
public class TaskActionsTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private static readonly DateTimeOffset Base = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static string NewType() => "a_" + Guid.NewGuid().ToString("N")[..10];

    private Task<long> CountAsync(string type, string status) =>
        TaskRows.ScalarAsync<long>(db, "SELECT count(*) FROM task_queue WHERE task_type = @type AND status = @status", new { type, status });

    private Task<dynamic> AuditAsync(long id) =>
        TaskRows.ListAsync<dynamic>(db, "SELECT *, parameters::text AS parameters_text, previous::text AS previous_text FROM orchestra_admin.audit_log WHERE id = @id", new { id })
            .ContinueWith(t => t.Result.Single());

    private sealed class Recorder : IProgress<RequeueProgress>
    {
        public List<RequeueProgress> Reports { get; } = [];
        public Action<RequeueProgress>? OnReport { get; init; }
        public void Report(RequeueProgress value) { lock (Reports) Reports.Add(value); OnReport?.Invoke(value); }
    }

    [Fact]
    public async Task Requeue_by_filter_runs_in_batches_keeps_every_previous_error_and_writes_one_audit_entry()
    {
        var type = NewType();
        await TaskRows.InsertManyFailedAsync(db, type, 250, Base);
        var harness = new TasksHarness(db, o => o.RequeueBatchSize = 100);
        var request = new RequeueRequest(Filter: new FailedTaskFilter { TaskType = type }, NewPriority: 9);

        var confirmed = await harness.Actions.ConfirmRequeueAsync(TasksHarness.Operator, request);
        Assert.Equal(250, confirmed.Matched);
        var progress = new Recorder();
        var report = await harness.Actions.RequeueAsync(TasksHarness.Operator, request, confirmed.Id, progress);

        Assert.Equal((250L, 250L, 0L, 0L, 3, false), (report.Matched, report.Requeued, report.Skipped, report.Failed, report.Batches, report.Cancelled));
        Assert.Equal([100L, 200L, 250L], progress.Reports.Select(p => p.Requeued));
        Assert.Equal(250, await CountAsync(type, "pending"));
        Assert.Equal(0, await TaskRows.ScalarAsync<long>(db,
            "SELECT count(*) FROM task_queue WHERE task_type = @type AND (error IS NOT NULL OR started_at IS NOT NULL OR completed_at IS NOT NULL OR priority <> 9)", new { type }));
        // Nothing lost: each task's error and timestamps are in task_attempts, tied to the operation's audit entry.
        var kept = await TaskRows.ListAsync<(string Error, DateTime? FinishedAt, string RequeuedBy)>(db, """
            SELECT a.error, a.finished_at, a.requeued_by FROM orchestra_admin.task_attempts AS a
            JOIN task_queue AS t ON t.id = a.task_id WHERE t.task_type = @type ORDER BY a.finished_at
            """, new { type });
        Assert.Equal(250, kept.Count);
        Assert.Equal("TimeoutError: timed out after 7 ms", kept[0].Error);
        Assert.Equal(Base.AddSeconds(1).UtcDateTime, kept[0].FinishedAt);
        Assert.All(kept, k => Assert.Equal("otto", k.RequeuedBy));

        Assert.NotNull(report.AuditId);
        var audit = await AuditAsync(report.AuditId.Value);
        Assert.Equal("task.requeue", (string)audit.action);
        Assert.Equal("otto", (string)audit.actor);
        Assert.True((bool)audit.succeeded);
        Assert.Equal(250L, (long)audit.rows_affected);
        Assert.Equal(250, ((string[])audit.target_ids).Length);
        using var parameters = JsonDocument.Parse((string)audit.parameters_text);
        Assert.Equal(type, parameters.RootElement.GetProperty("filter").GetProperty("TaskType").GetString());
        Assert.Equal(250, parameters.RootElement.GetProperty("matched").GetInt32());
        Assert.Equal(0, parameters.RootElement.GetProperty("skipped").GetInt32());
        Assert.Equal(9, parameters.RootElement.GetProperty("newPriority").GetInt32());
        var operationId = parameters.RootElement.GetProperty("operationId").GetGuid();
        Assert.Equal(250, await TaskRows.ScalarAsync<long>(db, "SELECT count(*) FROM orchestra_admin.task_attempts WHERE operation_id = @operationId", new { operationId }));
    }

    [Fact]
    public async Task A_task_that_is_no_longer_failed_is_skipped_and_counted_never_touched()
    {
        var type = NewType();
        var moved = await TaskRows.InsertAsync(db, type);
        var stays = await TaskRows.InsertAsync(db, type);
        var locked = await TaskRows.InsertAsync(db, type);
        var harness = new TasksHarness(db);
        var request = new RequeueRequest(Ids: [moved, stays, locked]);
        Assert.Equal(3, (await harness.Actions.ConfirmRequeueAsync(TasksHarness.Operator, request)).Matched);

        // After the dry run: a worker completes one (as if requeued and done meanwhile) and holds another's row lock.
        await using var worker = await db.OpenOtherConnectionAsync("worker");
        await worker.ExecuteAsync("UPDATE task_queue SET status = 'completed', error = NULL WHERE id = @moved", new { moved });
        await using var tx = await worker.BeginTransactionAsync();
        await worker.ExecuteAsync("SELECT 1 FROM task_queue WHERE id = @locked FOR UPDATE", new { locked }, tx);

        var progress = new Recorder();
        var report = await harness.Actions.RequeueAsync(TasksHarness.Operator, new RequeueRequest(Ids: [stays, locked]), progress: progress);
        await tx.RollbackAsync();
        Assert.Equal((2L, 1L, 1L), (report.Matched, report.Requeued, report.Skipped)); // the locked one is skipped, not waited for
        Assert.Equal(1, report.SkippedBecause!.Locked);
        Assert.Equal("completed", await TaskRows.ScalarAsync<string>(db, "SELECT status FROM task_queue WHERE id = @moved", new { moved }));
        Assert.Equal("failed", await TaskRows.ScalarAsync<string>(db, "SELECT status FROM task_queue WHERE id = @locked", new { locked }));
        Assert.Equal(0, await TaskRows.ScalarAsync<long>(db, "SELECT count(*) FROM orchestra_admin.task_attempts WHERE task_id = ANY(@ids)", new { ids = new[] { moved, locked } }));

        // Running it again continues with what is still failed.
        var again = await harness.Actions.RequeueAsync(TasksHarness.Operator, new RequeueRequest(Ids: [moved, stays, locked]));
        Assert.Equal((1L, 1L, 0L), (again.Matched, again.Requeued, again.Skipped));
        Assert.Equal(0, await CountAsync(type, "failed"));
    }

    [Fact]
    public async Task Cancelling_stops_between_batches_every_finished_batch_stays_done_and_a_rerun_continues()
    {
        var type = NewType();
        await TaskRows.InsertManyFailedAsync(db, type, 50, Base);
        var harness = new TasksHarness(db, o => o.RequeueBatchSize = 10);
        using var cts = new CancellationTokenSource();
        var progress = new Recorder { OnReport = p => { if (p.Batches == 2) cts.Cancel(); } };
        var request = new RequeueRequest(Filter: new FailedTaskFilter { TaskType = type });

        var report = await harness.Actions.RequeueAsync(TasksHarness.Operator, request, null, progress, cts.Token);
        Assert.True(report.Cancelled);
        Assert.Equal((50L, 20L, 2), (report.Matched, report.Requeued, report.Batches));
        Assert.Equal(30, await CountAsync(type, "failed"));
        var audit = await AuditAsync(report.AuditId!.Value);
        Assert.Contains("\"cancelled\": true", (string)audit.parameters_text);

        var rest = await harness.Actions.RequeueAsync(TasksHarness.Operator, request);
        Assert.Equal((30L, 30L, false), (rest.Matched, rest.Requeued, rest.Cancelled));
        Assert.Equal(50, await CountAsync(type, "pending"));
    }

    [Fact]
    public async Task A_whole_error_group_is_requeued_exactly_as_the_group_lists_it()
    {
        var type = NewType();
        await TaskRows.InsertManyFailedAsync(db, type, 40, Base, "TimeoutError: POST https://api.openai.com/v1/embeddings timed out after");
        var other = await TaskRows.InsertAsync(db, type, error: "KeyError: 'email'");
        var harness = new TasksHarness(db);
        var group = (await harness.Service.ErrorGroupsAsync(new FailedTaskFilter { TaskType = type })).First();
        Assert.Equal(40, group.Count);

        var request = new RequeueRequest(Filter: new FailedTaskFilter { Fingerprint = group.Fingerprint });
        var confirmed = await harness.Actions.ConfirmRequeueAsync(TasksHarness.Operator, request);
        Assert.Equal(40, confirmed.Matched);
        var report = await harness.Actions.RequeueAsync(TasksHarness.Operator, request, confirmed.Id);
        Assert.Equal(40, report.Requeued);
        Assert.Equal("failed", await TaskRows.ScalarAsync<string>(db, "SELECT status FROM task_queue WHERE id = @other", new { other }));
        // The groups are read again after an action (not kept until the next round).
        Assert.DoesNotContain(await harness.Service.ErrorGroupsAsync(new FailedTaskFilter { TaskType = type }), g => g.Fingerprint == group.Fingerprint);
    }

    [Fact]
    public async Task Viewers_are_refused_and_bad_requests_change_nothing()
    {
        var type = NewType();
        var id = await TaskRows.InsertAsync(db, type);
        var actions = new TasksHarness(db).Actions;

        await Assert.ThrowsAsync<OperatorRequiredException>(() => actions.RequeueAsync(TasksHarness.Viewer, new RequeueRequest(Ids: [id])));
        await Assert.ThrowsAsync<OperatorRequiredException>(() => actions.CancelAsync(TasksHarness.Viewer, [id]));
        await Assert.ThrowsAsync<OperatorRequiredException>(() => actions.DeleteAsync(TasksHarness.Viewer, [id]));
        await Assert.ThrowsAsync<OperatorRequiredException>(() => actions.RequeueStuckAsync(TasksHarness.Viewer, [id]));
        Assert.Equal(4, await TaskRows.ScalarAsync<long>(db,
            "SELECT count(*) FROM orchestra_admin.audit_log WHERE actor = 'vera' AND NOT succeeded AND error LIKE 'refused%' AND action LIKE 'task.%'"));

        var e = await Assert.ThrowsAsync<TaskFilterException>(() => actions.RequeueAsync(TasksHarness.Operator, new RequeueRequest(Filter: new FailedTaskFilter())));
        Assert.Equal("filter", e.Field);
        Assert.Contains("all = true", e.Message);
        e = await Assert.ThrowsAsync<TaskFilterException>(() => actions.RequeueAsync(TasksHarness.Operator, new RequeueRequest(Filter: new FailedTaskFilter { PayloadContains = "{oops" })));
        Assert.Equal("payloadContains", e.Field);
        Assert.NotNull(e.Position);
        e = await Assert.ThrowsAsync<TaskFilterException>(() => actions.RequeueAsync(TasksHarness.Operator, new RequeueRequest(Ids: [])));
        Assert.Equal("ids", e.Field);
        Assert.Equal("failed", await TaskRows.ScalarAsync<string>(db, "SELECT status FROM task_queue WHERE id = @id", new { id }));

        // The explicit "all" requeues every failed task.
        Assert.True((await actions.ConfirmRequeueAsync(TasksHarness.Operator, new RequeueRequest(Filter: new FailedTaskFilter(), All: true))).Matched >= 1);
    }

    [Fact]
    public async Task Stuck_tasks_are_requeued_only_while_still_stuck_and_their_attempt_is_kept()
    {
        var type = NewType();
        var stuck = await TaskRows.InsertAsync(db, type, status: "running", error: null, started: DateTimeOffset.UtcNow.AddHours(-1));
        var fresh = await TaskRows.InsertAsync(db, type, status: "running", error: null, started: DateTimeOffset.UtcNow.AddMinutes(-1));
        var harness = new TasksHarness(db);

        var report = await harness.Actions.RequeueStuckAsync(TasksHarness.Operator, [stuck, fresh]);
        Assert.Equal((2L, 1L, 1L), (report.Matched, report.Requeued, report.Skipped));
        Assert.Equal("pending", await TaskRows.ScalarAsync<string>(db, "SELECT status FROM task_queue WHERE id = @stuck AND started_at IS NULL", new { stuck }));
        Assert.Equal("running", await TaskRows.ScalarAsync<string>(db, "SELECT status FROM task_queue WHERE id = @fresh", new { fresh }));
        var attempt = (await harness.Service.GetAsync(stuck))!.EarlierAttempts.Single();
        Assert.Equal("running", attempt.Status);
        Assert.Equal(report.AuditId, attempt.AuditId);
        var audit = await AuditAsync(report.AuditId!.Value);
        Assert.Equal("task.requeue-stuck", (string)audit.action);
        Assert.Contains(stuck.ToString(), (string)audit.previous_text);
    }

    [Fact]
    public async Task Cancel_takes_only_pending_tasks_and_delete_keeps_the_whole_rows_in_the_audit_log()
    {
        var type = NewType();
        var pending = await TaskRows.InsertAsync(db, type, status: "pending", error: null, payload: """{"k": "v"}""");
        var failed = await TaskRows.InsertAsync(db, type, error: "the error text", payload: """{"to": "x@y.z"}""");
        var running = await TaskRows.InsertAsync(db, type, status: "running", error: null);
        var actions = new TasksHarness(db).Actions;

        var cancelled = await actions.CancelAsync(TasksHarness.Operator, [pending, failed]);
        Assert.Equal(1, cancelled.RowsAffected);
        Assert.Equal("cancelled", await TaskRows.ScalarAsync<string>(db, "SELECT status FROM task_queue WHERE id = @pending", new { pending }));
        Assert.Equal("failed", await TaskRows.ScalarAsync<string>(db, "SELECT status FROM task_queue WHERE id = @failed", new { failed }));

        var deleted = await actions.DeleteAsync(TasksHarness.Operator, [failed, running]);
        Assert.Equal(1, deleted.RowsAffected); // never a running task
        Assert.Equal(0, await TaskRows.ScalarAsync<long>(db, "SELECT count(*) FROM task_queue WHERE id = @failed", new { failed }));
        var audit = await AuditAsync(deleted.AuditId);
        Assert.Equal("task.delete", (string)audit.action);
        using var previous = JsonDocument.Parse((string)audit.previous_text);
        var row = previous.RootElement.EnumerateArray().Single();
        Assert.Equal("the error text", row.GetProperty("error").GetString());
        Assert.Equal("x@y.z", row.GetProperty("payload").GetProperty("to").GetString());
        Assert.Equal(type, row.GetProperty("task_type").GetString());
    }

    [Fact]
    public async Task A_very_large_operation_lists_at_most_the_cap_of_ids_in_its_audit_entry_and_says_how_many_it_left_out()
    {
        var type = NewType();
        await TaskRows.InsertManyFailedAsync(db, type, 120, Base);
        var harness = new TasksHarness(db, o => { o.AuditMaxIds = 50; o.RequeueBatchSize = 40; });
        var report = await harness.Actions.RequeueAsync(TasksHarness.Operator, new RequeueRequest(Filter: new FailedTaskFilter { TaskType = type }));
        var audit = await AuditAsync(report.AuditId!.Value);
        Assert.Equal(50, ((string[])audit.target_ids).Length);
        using var parameters = JsonDocument.Parse((string)audit.parameters_text);
        Assert.Equal(70, parameters.RootElement.GetProperty("idsNotInEntry").GetInt32());
        Assert.Equal(120L, (long)audit.rows_affected);
    }
}
