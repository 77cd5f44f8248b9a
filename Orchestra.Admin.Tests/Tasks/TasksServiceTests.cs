using Dapper;
using Orchestra.Admin.Features.Tasks;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Tasks;

/// <summary>The read side against real PostgreSQL: filters, keyset pages, groups, detail, stuck tasks, index advice, overview.</summary>
public class TasksServiceTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private static readonly DateTimeOffset Base = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static string NewType() => "t_" + Guid.NewGuid().ToString("N")[..10];

    private async Task<List<FailedTaskRow>> AllPagesAsync(TasksService service, FailedTaskFilter filter, int pageSize = 25)
    {
        var rows = new List<FailedTaskRow>();
        TaskCursor? after = null;
        do
        {
            var page = await service.FailedAsync(new FailedTaskPageRequest(filter, pageSize, after));
            rows.AddRange(page.Rows);
            after = page.Next;
        } while (after != null);
        return rows;
    }

    [Fact]
    public async Task The_failed_list_pages_newest_first_by_keyset_forwards_and_backwards()
    {
        var type = NewType();
        await TaskRows.InsertManyFailedAsync(db, type, 60, Base);
        // Two failures at the same instant: the id orders them, nothing is skipped or repeated.
        await TaskRows.InsertAsync(db, type, completed: Base.AddSeconds(30));
        var service = new TasksHarness(db).Service;
        var filter = new FailedTaskFilter { TaskType = type };

        var all = await AllPagesAsync(service, filter);
        Assert.Equal(61, all.Count);
        Assert.Equal(61, all.Select(r => r.Id).Distinct().Count());
        Assert.Equal(all.OrderByDescending(r => r.FailedAt).ThenByDescending(r => r.Id).Select(r => r.Id), all.Select(r => r.Id));
        Assert.Equal(Base.AddSeconds(60), all[0].FailedAt);
        Assert.All(all, r => Assert.Equal(type, r.TaskType));
        Assert.StartsWith("TimeoutError: timed out after", all[0].ErrorFirstLine);

        var first = await service.FailedAsync(new FailedTaskPageRequest(filter, 25));
        Assert.Null(first.Previous);
        var second = await service.FailedAsync(new FailedTaskPageRequest(filter, 25, After: first.Next));
        Assert.Equal(all.Skip(25).Take(25).Select(r => r.Id), second.Rows.Select(r => r.Id));
        var back = await service.FailedAsync(new FailedTaskPageRequest(filter, 25, Before: second.Previous));
        Assert.Equal(first.Rows.Select(r => r.Id), back.Rows.Select(r => r.Id));
        Assert.Null(back.Previous);
        Assert.NotNull(back.Next);
    }

    [Fact]
    public async Task Each_filter_narrows_the_list_and_filters_combine()
    {
        var type = NewType();
        var other = NewType();
        var a = await TaskRows.InsertAsync(db, type, error: "ValueError: 100% off_price is wrong", payload: """{"customer": {"id": 42}, "plan": "pro"}""", priority: 5,
            created: Base.AddDays(-2), completed: Base.AddHours(-1));
        var b = await TaskRows.InsertAsync(db, type, error: "ValueError: 100 percent offXprice", payload: """{"customer": {"id": 7}}""", priority: 0,
            created: Base.AddDays(-1), completed: Base.AddHours(1));
        var c = await TaskRows.InsertAsync(db, other, error: "KeyError: 'x'", payload: """{"customer": {"id": 42}}""", completed: Base);
        await TaskRows.InsertAsync(db, type, status: "completed", error: null, payload: """{"customer": {"id": 42}}""");
        var service = new TasksHarness(db).Service;

        async Task<Guid[]> Ids(FailedTaskFilter f) =>
            (await AllPagesAsync(service, f)).Select(r => r.Id).Where(id => id == a || id == b || id == c).Order().ToArray();
        Guid[] Of(params Guid[] ids) => ids.Order().ToArray();

        Assert.Equal(Of(a, b), await Ids(new FailedTaskFilter { TaskType = type }));
        // LIKE's wildcards are the operator's literal characters: "100%" and "off_price" match only a.
        Assert.Equal(Of(a), await Ids(new FailedTaskFilter { ErrorContains = "100% off_price" }));
        Assert.Equal(Of(a, b), await Ids(new FailedTaskFilter { ErrorContains = "valueerror: 100" }));
        Assert.Equal(Of(a, c), await Ids(new FailedTaskFilter { PayloadContains = """{"customer": {"id": 42}}""" }));
        Assert.Equal(Of(a), await Ids(new FailedTaskFilter { PayloadContains = """{"customer": {"id": 42}}""", TaskType = type }));
        Assert.Equal(Of(a), await Ids(new FailedTaskFilter { TaskType = type, Priority = 5 }));
        Assert.Equal(Of(b), await Ids(new FailedTaskFilter { TaskType = type, CreatedFrom = Base.AddDays(-1).AddMinutes(-1) }));
        Assert.Equal(Of(a), await Ids(new FailedTaskFilter { TaskType = type, CreatedTo = Base.AddDays(-1).AddMinutes(-1) }));
        Assert.Equal(Of(b, c), await Ids(new FailedTaskFilter { FailedFrom = Base, FailedTo = Base.AddHours(2) }));
        Assert.Equal(Of(a), await Ids(new FailedTaskFilter { TaskType = type, FailedTo = Base }));
        var fingerprint = await TaskRows.ScalarAsync<string>(db, "SELECT orchestra_admin.error_fingerprint(error) FROM task_queue WHERE id = @c", new { c });
        Assert.Equal(Of(c), await Ids(new FailedTaskFilter { Fingerprint = fingerprint }));
    }

    [Fact]
    public async Task Bad_filters_are_refused_with_the_field_and_position_before_anything_runs()
    {
        var service = new TasksHarness(db).Service;
        var e = await Assert.ThrowsAsync<TaskFilterException>(() => service.FailedAsync(new FailedTaskPageRequest(new FailedTaskFilter { PayloadContains = """{"a": 1,}""" })));
        Assert.Equal("payloadContains", e.Field);
        Assert.Equal(8, e.Position);
        Assert.Contains("line 1, position 9", e.Message);

        e = await Assert.ThrowsAsync<TaskFilterException>(() => service.FailedAsync(new FailedTaskPageRequest(new FailedTaskFilter { PayloadContains = "[1, 2]" })));
        Assert.Equal("payloadContains", e.Field);
        Assert.Contains("must be a JSON object", e.Message);

        e = await Assert.ThrowsAsync<TaskFilterException>(() => service.FailedAsync(new FailedTaskPageRequest(new FailedTaskFilter { FailedFrom = Base, FailedTo = Base.AddDays(-1) })));
        Assert.Equal("failed", e.Field);

        e = await Assert.ThrowsAsync<TaskFilterException>(() => service.ErrorGroupsAsync(new FailedTaskFilter { Fingerprint = "not-a-fingerprint" }));
        Assert.Equal("fingerprint", e.Field);

        e = await Assert.ThrowsAsync<TaskFilterException>(() => service.FailedAsync(new FailedTaskPageRequest(new FailedTaskFilter(), PageSize: 7)));
        Assert.Equal("pageSize", e.Field);
    }

    [Fact]
    public async Task Error_groups_count_first_and_last_seen_with_a_sample_and_the_task_types()
    {
        var type = NewType();
        var other = NewType();
        await TaskRows.InsertManyFailedAsync(db, type, 30, Base, "TimeoutError: POST https://api.openai.com/v1/embeddings timed out after");
        await TaskRows.InsertManyFailedAsync(db, other, 5, Base.AddHours(1), "TimeoutError: POST https://api.cohere.com/v1/embed timed out after");
        var keyError = await TaskRows.InsertAsync(db, type, error: "Traceback (most recent call last):\n  File \"/app/w.py\", line 3, in f\nKeyError: 'email'", completed: Base.AddMinutes(5));
        var service = new TasksHarness(db).Service;

        var groups = await service.ErrorGroupsAsync(new FailedTaskFilter(), 50);
        var timeout = groups.Single(g => g.SampleError.StartsWith("TimeoutError: POST https://api", StringComparison.Ordinal) && g.TaskTypes.Contains(type));
        Assert.Equal(35, timeout.Count);
        Assert.Equal(new[] { type, other }.Order(StringComparer.Ordinal), timeout.TaskTypes);
        Assert.Equal(Base.AddSeconds(1), timeout.FirstSeen);
        Assert.Equal(Base.AddHours(1).AddSeconds(5), timeout.LastSeen);
        Assert.Contains("api.cohere.com", timeout.SampleError); // the newest failure is the sample

        var mine = await service.ErrorGroupsAsync(new FailedTaskFilter { TaskType = type });
        Assert.Equal([30L, 1L], mine.Select(g => g.Count));
        Assert.Equal(keyError, mine[1].SampleId);

        // The group's fingerprint, used as a filter, lists exactly the group's tasks.
        var listed = await AllPagesAsync(service, new FailedTaskFilter { Fingerprint = timeout.Fingerprint }, 100);
        Assert.Equal(35, listed.Count);
        Assert.All(listed, r => Assert.Equal(timeout.Fingerprint, r.Fingerprint));
    }

    [Fact]
    public async Task The_detail_has_the_whole_task_and_its_earlier_attempts_newest_first()
    {
        var type = NewType();
        var id = await TaskRows.InsertAsync(db, type, error: "first failure\n  at line 2", payload: """{"to":"a@b.c"}""", priority: 3);
        var harness = new TasksHarness(db);
        await harness.Actions.RequeueAsync(TasksHarness.Operator, new RequeueRequest(Ids: [id]));
        await using (var conn = await db.OpenOtherConnectionAsync("worker"))
            await conn.ExecuteAsync("UPDATE task_queue SET status = 'failed', started_at = now(), completed_at = now(), error = 'second failure' WHERE id = @id", new { id });
        var second = await harness.Actions.RequeueAsync(TasksHarness.Operator, new RequeueRequest(Ids: [id]));

        var detail = await harness.Service.GetAsync(id);
        Assert.NotNull(detail);
        Assert.Equal("pending", detail.Status);
        Assert.Equal(3, detail.Priority);
        Assert.Equal("""{"to": "a@b.c"}""", detail.PayloadJson);
        Assert.Null(detail.Error);
        Assert.Equal(["second failure", "first failure\n  at line 2"], detail.EarlierAttempts.Select(a => a.Error));
        Assert.All(detail.EarlierAttempts, a => { Assert.Equal("failed", a.Status); Assert.Equal("otto", a.RequeuedBy); Assert.NotNull(a.AuditId); Assert.NotNull(a.FinishedAt); });
        Assert.Equal(second.AuditId, detail.EarlierAttempts[0].AuditId);
        Assert.Null(await harness.Service.GetAsync(Guid.NewGuid()));
    }

    [Fact]
    public async Task Stuck_tasks_are_running_longer_than_their_types_threshold()
    {
        var slow = NewType();
        var fast = NewType();
        var now = DateTimeOffset.UtcNow;
        var stuckDefault = await TaskRows.InsertAsync(db, fast, status: "running", error: null, started: now.AddMinutes(-20));
        var fresh = await TaskRows.InsertAsync(db, fast, status: "running", error: null, started: now.AddMinutes(-10));
        var slowButFine = await TaskRows.InsertAsync(db, slow, status: "running", error: null, started: now.AddMinutes(-50));
        var slowStuck = await TaskRows.InsertAsync(db, slow, status: "running", error: null, started: now.AddMinutes(-70));
        var service = new TasksHarness(db, o => o.StuckThresholdMinutesByType[slow] = 60).Service;

        var stuck = (await service.StuckAsync()).Where(s => s.TaskType == slow || s.TaskType == fast).ToList();
        Assert.Equal([slowStuck, stuckDefault], stuck.Select(s => s.Id));
        Assert.Equal(TimeSpan.FromMinutes(60), stuck[0].Threshold);
        Assert.Equal(TimeSpan.FromMinutes(15), stuck[1].Threshold);
        Assert.InRange(stuck[1].RunningFor, TimeSpan.FromMinutes(19), TimeSpan.FromMinutes(25));
        Assert.DoesNotContain(stuck, s => s.Id == fresh || s.Id == slowButFine);
    }

    [Fact]
    public async Task Index_advice_names_what_task_queue_lacks_and_goes_away_once_it_exists()
    {
        var service = new TasksHarness(db).Service;
        var advice = await service.IndexAdviceAsync();
        Assert.Equal(["task_queue_dequeue_idx", "task_queue_failed_idx", "task_queue_running_idx"], advice.Select(a => a.Name));
        Assert.All(advice, a => Assert.StartsWith("CREATE INDEX CONCURRENTLY", a.CreateSql));

        // The advised statements are valid, and each one satisfies its advice (in this test database only).
        await using (var conn = await db.OpenOtherConnectionAsync("dba"))
            foreach (var a in advice) await conn.ExecuteAsync(a.CreateSql);
        Assert.Empty(await service.IndexAdviceAsync());

        // The failed list uses the advised index.
        await using (var conn = await db.OpenOtherConnectionAsync("dba"))
        {
            await conn.ExecuteAsync("SET enable_seqscan = off");
            var plan = string.Join('\n', await conn.QueryAsync<string>("EXPLAIN " + TaskFilterSql.Compose("tasks/failed_page", []).Replace("@limit", "51")));
            Assert.Contains("task_queue_failed_idx", plan);
            foreach (var a in advice) await conn.ExecuteAsync($"DROP INDEX {a.Name}");
        }
    }

    [Fact]
    public async Task The_overview_comes_from_the_samplers_round_and_before_it_from_one_read()
    {
        var type = NewType();
        await TaskRows.InsertAsync(db, type, status: "pending", error: null, created: DateTimeOffset.UtcNow.AddHours(-3));
        await TaskRows.InsertAsync(db, type, status: "failed", completed: DateTimeOffset.UtcNow.AddMinutes(-10));
        await TaskRows.InsertAsync(db, type, status: "completed", error: null, completed: DateTimeOffset.UtcNow.AddSeconds(-10));
        var harness = new TasksHarness(db);

        var before = await harness.Service.OverviewAsync();
        Assert.Contains(before.Counts, c => c.TaskType == type && c.Status == "pending" && c.Count == 1);
        Assert.True(before.OldestPendingAge >= TimeSpan.FromHours(3) - TimeSpan.FromMinutes(1));
        Assert.NotNull(before.FailureRateLastHour);
        Assert.Contains(type, await harness.Service.TaskTypesAsync());

        // A new task shows only with the next round: pages never count per view.
        await TaskRows.InsertAsync(db, type, status: "running", error: null);
        Assert.DoesNotContain((await harness.Service.OverviewAsync()).Counts, c => c.TaskType == type && c.Status == "running");
        var round = await harness.Sampler.SampleOnceAsync();
        Assert.True(round.Values[TasksMetricSource.CountMetric("running", type)] >= 1);
        Assert.True(round.Values[TasksMetricSource.CompletedPerMinute] >= 1);
        var after = await harness.Service.OverviewAsync();
        Assert.Equal(round.SampledAt, after.ReadAt);
        Assert.Contains(after.Counts, c => c.TaskType == type && c.Status == "running" && c.Count == 1);
        Assert.True(after.Running >= 1);
        // Stored with the round, for the history charts.
        Assert.True(await TaskRows.ScalarAsync<long>(db, "SELECT count(*) FROM orchestra_admin.metric_samples WHERE metric = @m", new { m = TasksMetricSource.CountMetric("running", type) }) >= 1);
    }
}
