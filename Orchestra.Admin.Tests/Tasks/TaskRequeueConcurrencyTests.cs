using System.Collections.Concurrent;
using Dapper;
using Orchestra.Admin.Features.Tasks;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Tasks;

/// <summary>
/// Workers and two operators at once, on real PostgreSQL: worker loops dequeue with the stack's query
/// (… WHERE status = 'pending' ORDER BY priority DESC, created_at LIMIT 1 FOR UPDATE SKIP LOCKED) and fail some tasks,
/// while two operators bulk-requeue the same failed set again and again.
/// </summary>
public class TaskRequeueConcurrencyTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private const int Tasks = 1_200;
    private const int FailedAtStart = 500;
    private const int Workers = 4;

    private sealed record Processing(Guid Id, int Attempt, string? ErrorWritten);

    [Fact]
    public async Task Every_task_ends_processed_once_per_attempt_the_counts_add_up_and_every_previous_error_is_kept()
    {
        var type = "conc_" + Guid.NewGuid().ToString("N")[..8];
        await using (var seed = await db.OpenOtherConnectionAsync("test-seed"))
        {
            await seed.ExecuteAsync("""
                INSERT INTO task_queue (task_type, payload, status, priority, created_at, started_at, completed_at, error)
                SELECT @type, jsonb_build_object('n', g), CASE WHEN g <= @failed THEN 'failed' ELSE 'pending' END, g % 3,
                       now() - interval '1 hour' + g * interval '1 millisecond',
                       CASE WHEN g <= @failed THEN now() - interval '30 minutes' END,
                       CASE WHEN g <= @failed THEN now() - interval '29 minutes' END,
                       CASE WHEN g <= @failed THEN 'earlier failure ' || g END
                FROM generate_series(1, @tasks) AS g
                """, new { type, failed = FailedAtStart, tasks = Tasks });
        }
        var initialErrors = (await TaskRows.ListAsync<string>(db, "SELECT error FROM task_queue WHERE task_type = @type AND status = 'failed'", new { type })).ToHashSet();

        var processed = new ConcurrentBag<Processing>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var operatorsDone = 0;

        async Task WorkerAsync(int n)
        {
            await using var conn = await db.OpenOtherConnectionAsync($"test-worker-{n}");
            var random = new Random(n);
            var idleRounds = 0;
            while (!stop.IsCancellationRequested)
            {
                await using var tx = await conn.BeginTransactionAsync();
                var id = await conn.QuerySingleOrDefaultAsync<Guid?>("""
                    SELECT t.id
                    FROM task_queue AS t
                    WHERE t.status = 'pending' AND t.task_type = @type
                    ORDER BY t.priority DESC, t.created_at
                    LIMIT 1
                    FOR UPDATE SKIP LOCKED
                    """, new { type }, tx);
                // Which attempt this is: the earlier ones the requeues kept. Read by a statement of its own, after the row
                // lock: the dequeue's own snapshot can predate the requeue that made the row pending (PostgreSQL re-checks
                // a row updated meanwhile against its new version, but a subquery would still see the old snapshot).
                (Guid Id, long Attempt)? task = id is { } found
                    ? (found, await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM orchestra_admin.task_attempts WHERE task_id = @found", new { found }, tx))
                    : null;
                if (task is not { } picked)
                {
                    await tx.CommitAsync();
                    // Nothing pending: done once the operators are done and nothing is failed or running any more.
                    if (Volatile.Read(ref operatorsDone) == 2 && ++idleRounds > 20) return;
                    await Task.Delay(5);
                    continue;
                }
                idleRounds = 0;
                await conn.ExecuteAsync("UPDATE task_queue SET status = 'running', started_at = now() WHERE id = @id", new { id = picked.Id }, tx);
                await tx.CommitAsync();

                // The work; a third of first attempts fail (later attempts succeed, so the queue drains).
                if (random.Next(4) == 0) await Task.Delay(1);
                var fail = picked.Attempt == 0 && random.Next(3) == 0;
                var error = fail ? $"worker {n} failed {picked.Id} on attempt {picked.Attempt}" : null;
                var changed = await conn.ExecuteAsync(
                    "UPDATE task_queue SET status = @status, completed_at = now(), error = @error WHERE id = @id AND status = 'running'",
                    new { id = picked.Id, status = fail ? "failed" : "completed", error });
                Assert.Equal(1, changed); // nobody touched a running task under the worker
                processed.Add(new Processing(picked.Id, (int)picked.Attempt, error));
            }
        }

        var reports = new ConcurrentBag<RequeueReport>();
        async Task OperatorAsync(Orchestra.Admin.Security.OperatorIdentity who)
        {
            var actions = new TasksHarness(db, o => o.RequeueBatchSize = 50).Actions;
            var request = new RequeueRequest(Filter: new FailedTaskFilter { TaskType = type });
            try
            {
                // Again and again, until nothing of this type has been failed for a while.
                var quiet = 0;
                while (!stop.IsCancellationRequested && quiet < 10)
                {
                    var report = await actions.RequeueAsync(who, request);
                    reports.Add(report);
                    quiet = report.Matched == 0 && await TaskRows.ScalarAsync<long>(db,
                        "SELECT count(*) FROM task_queue WHERE task_type = @type AND status IN ('pending', 'running', 'failed')", new { type }) == 0 ? quiet + 1 : 0;
                    await Task.Delay(10);
                }
            }
            finally
            {
                Interlocked.Increment(ref operatorsDone);
            }
        }

        var all = Enumerable.Range(1, Workers).Select(WorkerAsync)
            .Append(OperatorAsync(TasksHarness.Operator))
            .Append(OperatorAsync(TasksHarness.SecondOperator))
            .ToList();
        await Task.WhenAll(all);
        Assert.False(stop.IsCancellationRequested, "the queue did not drain within the time limit");

        // Every task ends processed.
        Assert.Equal(Tasks, await TaskRows.ScalarAsync<long>(db, "SELECT count(*) FROM task_queue WHERE task_type = @type AND status = 'completed'", new { type }));

        // None processed twice for the same attempt, and each task was processed once per attempt the requeues kept plus the last.
        var byAttempt = processed.GroupBy(p => (p.Id, p.Attempt)).ToList();
        Assert.All(byAttempt, g => Assert.Single(g));
        var attempts = await TaskRows.ListAsync<(Guid TaskId, string Error, string RequeuedBy)>(db, """
            SELECT a.task_id, a.error, a.requeued_by FROM orchestra_admin.task_attempts AS a
            JOIN task_queue AS t ON t.id = a.task_id WHERE t.task_type = @type
            """, new { type });
        var attemptsPerTask = attempts.GroupBy(a => a.TaskId).ToDictionary(g => g.Key, g => g.Count());
        var processedPerTask = processed.GroupBy(p => p.Id).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Tasks, processedPerTask.Count);
        foreach (var (id, times) in processedPerTask)
        {
            var kept = attemptsPerTask.GetValueOrDefault(id);
            // A task failed before the test started has one attempt more than the workers saw.
            Assert.True(times == kept + 1 || times == kept, $"task {id}: processed {times} times, {kept} attempts kept");
        }

        // requeued + skipped add up for every operation, nothing failed, and all requeues together made exactly the attempts kept.
        Assert.All(reports, r => Assert.Equal(r.Matched, r.Requeued + r.Skipped + r.Failed));
        Assert.All(reports, r => Assert.Equal(0, r.Failed));
        Assert.Equal(attempts.Count, reports.Sum(r => r.Requeued));
        // Which operator got which batches depends on scheduling; each attempt names one of the two.
        Assert.All(attempts, a => Assert.Contains(a.RequeuedBy, new[] { "olga", "otto" }));

        // Every previous error is in task_attempts: the ones from before the test and every one a worker wrote.
        var workerErrors = processed.Where(p => p.ErrorWritten != null).Select(p => p.ErrorWritten!).ToHashSet();
        Assert.NotEmpty(workerErrors);
        Assert.Equal(initialErrors.Union(workerErrors).Order(), attempts.Select(a => a.Error).Order());
    }
}
