using Dapper;
using Npgsql;
using Orchestra.Admin.Features.Tasks;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Tasks;

/// <summary>
/// Issue 15, finding 4: a requeue changes exactly the set the operator confirmed, on real PostgreSQL. Between the dry run
/// and the run (and between the run's batches), tasks stop matching the filter, fail again, and new matching failures
/// appear: none of them is requeued, and the report says how many matched at confirmation and why the rest was skipped.
/// </summary>
public class RequeueConfirmationTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private static readonly DateTimeOffset Base = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static string NewType() => "rc_" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>Runs inline, between batches.</summary>
    private sealed class InlineProgress(Action<RequeueProgress> report) : IProgress<RequeueProgress>
    {
        public void Report(RequeueProgress value) => report(value);
    }

    private Task<List<Guid>> IdsAsync(string type, string status) =>
        TaskRows.ListAsync<Guid>(db, "SELECT id FROM task_queue WHERE task_type = @type AND status = @status ORDER BY id", new { type, status });

    /// <summary>What a worker does: takes the (requeued) task, runs it and fails it again, each step committed.</summary>
    private static void FailAgain(NpgsqlConnection worker, IEnumerable<Guid> ids, string error)
    {
        foreach (var id in ids)
        {
            worker.Execute("UPDATE task_queue SET status = 'pending', error = NULL, completed_at = NULL WHERE id = @id", new { id });
            worker.Execute("UPDATE task_queue SET status = 'running', started_at = now() WHERE id = @id", new { id });
            worker.Execute("UPDATE task_queue SET status = 'failed', completed_at = now(), error = @error WHERE id = @id", new { id, error });
        }
    }

    [Fact]
    public async Task Tasks_that_changed_failed_again_or_appeared_after_the_dry_run_are_not_requeued_and_the_report_says_why()
    {
        var type = NewType();
        await TaskRows.InsertManyFailedAsync(db, type, 30, Base, "TimeoutError: timed out after");
        var pendingAtDryRun = new List<Guid>();
        for (var i = 0; i < 3; i++) pendingAtDryRun.Add(await TaskRows.InsertAsync(db, type, status: "pending", error: null));
        var harness = new TasksHarness(db, o => o.RequeueBatchSize = 7);
        var request = new RequeueRequest(Filter: new FailedTaskFilter { TaskType = type, ErrorContains = "timed out" });

        var confirmed = await harness.Actions.ConfirmRequeueAsync(TasksHarness.Operator, request);
        Assert.Equal(30, confirmed.Matched);

        // Between the dry run and the run.
        var matching = await IdsAsync(type, "failed");
        var edited = matching.Take(5).ToList();                  // still failed, error changed: no longer matches
        var failedDifferently = matching.Skip(5).Take(5).ToList(); // requeued elsewhere, failed again with another error
        var failedSame = matching.Skip(10).Take(5).ToList();      // requeued elsewhere, failed again with a matching error
        var untouched = matching.Skip(15).ToList();
        await using (var worker = await db.OpenOtherConnectionAsync("worker"))
        {
            await worker.ExecuteAsync("UPDATE task_queue SET error = 'KeyError: ''email''' WHERE id = ANY(@edited)", new { edited });
            FailAgain(worker, failedDifferently, "ConnectionError: connection refused");
            FailAgain(worker, failedSame, "TimeoutError: timed out after 9 ms");
            FailAgain(worker, pendingAtDryRun, "TimeoutError: timed out after 11 ms"); // pending at the dry run, failed since
        }
        var appeared = new List<Guid>();
        for (var i = 0; i < 7; i++) appeared.Add(await TaskRows.InsertAsync(db, type, error: "TimeoutError: timed out after 5 ms", completed: Base));

        var report = await harness.Actions.RequeueAsync(TasksHarness.Operator, request, confirmed.Id);

        var notConfirmed = edited.Concat(failedDifferently).Concat(failedSame).Concat(pendingAtDryRun).Concat(appeared).ToHashSet();
        var pending = (await IdsAsync(type, "pending")).ToHashSet();
        Assert.Empty(pending.Intersect(notConfirmed));
        Assert.Equal(untouched.ToHashSet(), pending);
        Assert.Equal(notConfirmed.Count, (await IdsAsync(type, "failed")).Count);
        Assert.Equal(0, await TaskRows.ScalarAsync<long>(db, "SELECT count(*) FROM orchestra_admin.task_attempts WHERE task_id = ANY(@ids) AND requeued_by = 'otto'",
            new { ids = notConfirmed.ToArray() }));

        Assert.Equal((30L, 15L, 15L, 0L), (report.Matched, report.Requeued, report.Skipped, report.Failed));
        Assert.Equal(new RequeueSkips(NoLongerFailed: 0, NoLongerMatching: 10, ChangedSinceConfirmation: 5, Locked: 0), report.SkippedBecause);
    }

    [Fact]
    public async Task A_task_that_stops_matching_while_the_run_is_between_batches_is_not_requeued()
    {
        var type = NewType();
        await TaskRows.InsertManyFailedAsync(db, type, 40, Base, "TimeoutError: timed out after");
        var harness = new TasksHarness(db, o => o.RequeueBatchSize = 10);
        var request = new RequeueRequest(Filter: new FailedTaskFilter { TaskType = type, ErrorContains = "timed out" });
        var confirmed = await harness.Actions.ConfirmRequeueAsync(TasksHarness.Operator, request);

        // After the first batch, a task the later batches hold gets another error (a worker wrote it, or an operator edited it).
        List<Guid> changed = [];
        var report = await harness.Actions.RequeueAsync(TasksHarness.Operator, request, confirmed.Id, new InlineProgress(p =>
        {
            if (p.Batches != 1) return;
            using var worker = db.OpenOtherConnectionAsync("worker").GetAwaiter().GetResult();
            changed = worker.Query<Guid>("""
                UPDATE task_queue SET error = 'KeyError: ''email'''
                WHERE id IN (SELECT id FROM task_queue WHERE task_type = @type AND status = 'failed' ORDER BY id DESC LIMIT 4)
                RETURNING id
                """, new { type }).AsList();
        }));

        Assert.Equal(4, changed.Count);
        Assert.Equal(changed.Order(), await IdsAsync(type, "failed"));
        Assert.Equal((40L, 36L, 4L), (report.Matched, report.Requeued, report.Skipped));
        Assert.Equal(4, report.SkippedBecause!.NoLongerMatching);
    }

    [Fact]
    public async Task A_confirmation_holds_only_for_its_operator_its_request_and_until_it_expires_and_a_refused_run_is_audited()
    {
        var type = NewType();
        await TaskRows.InsertManyFailedAsync(db, type, 5, Base);
        var harness = new TasksHarness(db);
        var request = new RequeueRequest(Filter: new FailedTaskFilter { TaskType = type });
        var confirmed = await harness.Actions.ConfirmRequeueAsync(TasksHarness.Operator, request);
        var auditBefore = await TaskRows.ScalarAsync<long>(db, "SELECT COALESCE(max(id), 0) FROM orchestra_admin.audit_log");

        async Task RefusedAsync(Task<RequeueReport> run, string reason)
        {
            var e = await Assert.ThrowsAsync<RequeueConfirmationException>(() => run);
            Assert.Contains(reason, e.Message);
        }
        await RefusedAsync(harness.Actions.RequeueAsync(TasksHarness.SecondOperator, request, confirmed.Id), "is otto's");
        // A wider filter with the same confirmation: refused, not widened.
        await RefusedAsync(harness.Actions.RequeueAsync(TasksHarness.Operator, new RequeueRequest(Filter: new FailedTaskFilter(), All: true), confirmed.Id), "another filter");
        await RefusedAsync(harness.Actions.RequeueAsync(TasksHarness.Operator, request, Guid.NewGuid()), "unknown or expired");
        await using (var conn = await db.OpenOtherConnectionAsync())
            await conn.ExecuteAsync("UPDATE orchestra_admin.requeue_confirmations SET expires_at = now() - interval '1 second' WHERE id = @id", new { id = confirmed.Id });
        await RefusedAsync(harness.Actions.RequeueAsync(TasksHarness.Operator, request, confirmed.Id), "unknown or expired");

        Assert.Equal(5, await TaskRows.ScalarAsync<long>(db, "SELECT count(*) FROM task_queue WHERE task_type = @type AND status = 'failed'", new { type }));
        Assert.Equal(4, await TaskRows.ScalarAsync<long>(db, """
            SELECT count(*) FROM orchestra_admin.audit_log
            WHERE id > @auditBefore AND action = 'task.requeue' AND NOT succeeded AND error LIKE 'refused: The confirmation %'
            """, new { auditBefore }));

        // The next dry run deletes the expired confirmation and its pinned tasks.
        var next = await harness.Actions.ConfirmRequeueAsync(TasksHarness.Operator, request);
        Assert.Equal(0, await TaskRows.ScalarAsync<long>(db, "SELECT count(*) FROM orchestra_admin.requeue_confirmed_tasks WHERE confirmation_id = @id", new { id = confirmed.Id }));
        var report = await harness.Actions.RequeueAsync(TasksHarness.Operator, request, next.Id);
        Assert.Equal((5L, 5L), (report.Matched, report.Requeued));

        // The same confirmation again never goes past it: everything it pinned is done.
        var again = await harness.Actions.RequeueAsync(TasksHarness.Operator, request, next.Id);
        Assert.Equal((5L, 0L, 5L), (again.Matched, again.Requeued, again.SkippedBecause!.NoLongerFailed));
    }

    [Fact]
    public async Task The_operator_role_of_roles_sql_can_confirm_and_run_a_requeue()
    {
        var type = NewType();
        await TaskRows.InsertManyFailedAsync(db, type, 12, Base);
        await using var op = await db.ConnectAsRoleAsync("orchestra_admin_operator");
        var harness = new TasksHarness(db, o => o.RequeueBatchSize = 5, dataSource: op);
        var request = new RequeueRequest(Filter: new FailedTaskFilter { TaskType = type });
        // An expired confirmation for the dry run to clear away (with its pinned tasks, by cascade).
        var stale = await harness.Actions.ConfirmRequeueAsync(TasksHarness.Operator, request);
        await using (var conn = await db.OpenOtherConnectionAsync())
            await conn.ExecuteAsync("UPDATE orchestra_admin.requeue_confirmations SET expires_at = now() - interval '1 second' WHERE id = @id", new { id = stale.Id });

        var confirmed = await harness.Actions.ConfirmRequeueAsync(TasksHarness.Operator, request);
        var report = await harness.Actions.RequeueAsync(TasksHarness.Operator, request, confirmed.Id);
        Assert.Equal((12L, 12L, 3), (report.Matched, report.Requeued, report.Batches));
        Assert.NotNull(report.AuditId);
        Assert.Equal(0, await TaskRows.ScalarAsync<long>(db, "SELECT count(*) FROM orchestra_admin.requeue_confirmations WHERE id = @id", new { id = stale.Id }));
    }
}
