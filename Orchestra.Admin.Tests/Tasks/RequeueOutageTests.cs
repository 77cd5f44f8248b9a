using Dapper;
using Npgsql;
using Orchestra.Admin.Features.Tasks;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Tasks;

/// <summary>
/// PostgreSQL goes away in the middle of a bulk requeue (issue 10): the requeue stops, reports what it finished and
/// what it could not do, every finished batch is complete and recorded, and running it again finishes the rest.
/// </summary>
public sealed class RequeueOutageTests(OwnClusterDatabase db) : IClassFixture<OwnClusterDatabase>
{
    /// <summary>Runs inline, between batches (Progress&lt;T&gt; would post the report to the thread pool, too late).</summary>
    private sealed class InlineProgress(Action<RequeueProgress> report) : IProgress<RequeueProgress>
    {
        public void Report(RequeueProgress value) => report(value);
    }

    [Fact]
    public async Task A_requeue_cut_by_an_outage_reports_what_it_finished_and_running_it_again_completes_it()
    {
        await using (var seed = await db.OpenOtherConnectionAsync("test-seed"))
            await seed.ExecuteAsync("""
                INSERT INTO task_queue (task_type, payload, status, created_at, started_at, completed_at, error)
                SELECT 'outage.probe', jsonb_build_object('n', g), 'failed', now() - interval '1 hour', now() - interval '50 minutes',
                       now() - interval '40 minutes', 'timeout after ' || g || ' ms'
                FROM generate_series(1, 3000) AS g
                """);
        var harness = new TasksHarness(db, o => o.RequeueBatchSize = 100);
        var request = new RequeueRequest(Filter: new FailedTaskFilter { TaskType = "outage.probe" });

        // After the fifth batch PostgreSQL is stopped (pg_ctl stop -m fast), as in an outage.
        var stopped = false;
        var first = await harness.Actions.RequeueAsync(TasksHarness.Operator, request, progress: new InlineProgress(p =>
        {
            if (p.Batches != 5 || stopped) return;
            db.Cluster.Stop();
            stopped = true;
        }));

        Assert.True(stopped);
        Assert.Equal(3000, first.Matched);
        Assert.Equal(500, first.Requeued);       // the five batches before the outage
        Assert.Equal(2500, first.Failed);        // the rest: not done, and said so
        Assert.Equal(0, first.Skipped);
        Assert.False(first.Cancelled);
        Assert.Null(first.AuditId);              // the audit log was unreachable too: the report is all the operator has

        db.Cluster.Start();
        db.DataSource.Clear(); // the pool's connections died with the server
        Assert.Equal((500L, 2500L, 500L), await CountsAsync());

        var second = await harness.Actions.RequeueAsync(TasksHarness.Operator, request);
        Assert.Equal((2500L, 2500L, 0L, 0L), (second.Matched, second.Requeued, second.Failed, second.Skipped));
        Assert.NotNull(second.AuditId);
        Assert.Equal((3000L, 0L, 3000L), await CountsAsync());
    }

    /// <summary>Pending and failed tasks of the probe type, and the previous attempts kept for them.</summary>
    private async Task<(long Pending, long Failed, long Attempts)> CountsAsync()
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        return await conn.QuerySingleAsync<(long, long, long)>("""
            SELECT count(*) FILTER (WHERE status = 'pending'),
                   count(*) FILTER (WHERE status = 'failed'),
                   (SELECT count(*) FROM orchestra_admin.task_attempts AS a JOIN task_queue AS t ON t.id = a.task_id WHERE t.task_type = 'outage.probe')
            FROM task_queue WHERE task_type = 'outage.probe'
            """);
    }
}
