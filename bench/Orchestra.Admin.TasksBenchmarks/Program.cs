using Orchestra.Admin.Benchmarks.Shared;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Features.Tasks;
using Orchestra.Admin.Hosting;
using Orchestra.Admin.Sampling;
using Orchestra.Admin.Security;
using Orchestra.Admin.TasksBenchmarks;
using static Orchestra.Admin.Benchmarks.Shared.BenchProgram;

// Issue 9's benchmark, in one run: on 5,000,000 tasks with 100,000 failed (BENCH_TASKS scales it, 1 in 50 failed),
//  1. the failed list (the app's TasksService.FailedAsync) at depth (half-way through the failed tasks) against page 1,
//     with the stack's indexes as they are and with the advised partial index (created in this throwaway database only);
//  2. requeue all failed through the app's bulk path (TaskActions.RequeueAsync: read the set once, batches of 1,000,
//     each its own transaction, FOR UPDATE SKIP LOCKED) while worker loops dequeue with the stack's query and complete
//     tasks: the total time (target ≤ 10 s), the longest batch transaction, i.e. the longest time its row locks were
//     held (target ≤ 200 ms), and the workers' longest dequeue (were they ever blocked?); first on the stack's indexes as
//     they are, then again (the same tasks failed again) with the advised dequeue and failed-list indexes.
// Usage: dotnet run -c Release --project bench/Orchestra.Admin.TasksBenchmarks
// BENCH_TASKS=500000 for a quick look; BENCH_POSTGRES_DSN to use a server; BENCH_KEEP_DATABASE=1 keeps the database.
return await BenchProgram.RunAsync(args, RunAsync);

static async Task<int> RunAsync(BenchProgram bench)
{
    Log($"Tasks: {TasksBenchDatabase.Total:N0} (BENCH_TASKS).");

    await using var database = await TasksBenchDatabase.CreateAsync(Log);

    // The app's services as the host wires them; the page reads get 60 s instead of the app's 5 s statement timeout, so a
    // slow page on the stack's indexes is measured rather than cut off.
    var settings = new OrchestraAdminOptions { Postgres = new PostgresOptions { ConnectionString = database.ConnectionString, StatementTimeoutSeconds = 60 } };
    var options = Options.Create(settings);
    await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
    var runner = new PostgresQueryRunner(dataSource, options, NullLogger<PostgresQueryRunner>.Instance);
    var source = new TasksMetricSource(runner, NullLogger<TasksMetricSource>.Instance);
    var sampler = new MetricSampler(runner, dataSource, options, TimeProvider.System, NullLogger<MetricSampler>.Instance, [source]);
    var cache = new PerRoundCache(sampler, TimeProvider.System);
    var service = new TasksService(runner, sampler, cache, source, options, TimeProvider.System);
    var audit = new AuditLog(dataSource, NullLogger<AuditLog>.Instance);
    var actions = new TaskActions(dataSource, runner, new OperatorActions(dataSource, audit), audit, cache, options, NullLogger<TaskActions>.Instance);
    await using var setup = NpgsqlDataSource.Create(database.SetupConnectionString);

    // ---- 1. the failed list at depth
    var failed = await Scalar<long>(setup, "SELECT count(*) FROM task_queue WHERE status = 'failed'");
    var depth = (int)(failed / 2 / 50) * 50; // half-way, on a page boundary
    TaskCursor deepCursor;
    await using (var conn = await setup.OpenConnectionAsync())
    {
        var row = await conn.QuerySingleAsync<(DateTime At, Guid Id)>(
            "SELECT COALESCE(completed_at, '-infinity'::timestamptz), id FROM task_queue WHERE status = 'failed' ORDER BY 1 DESC, 2 DESC OFFSET @skip LIMIT 1",
            new { skip = depth - 1 }, commandTimeout: 0);
        deepCursor = new TaskCursor(new DateTimeOffset(DateTime.SpecifyKind(row.At, DateTimeKind.Utc)), row.Id);
    }
    var deepPage = depth / 50 + 1;
    Log($"Failed list: page 1 against page {deepPage:N0} (after {depth:N0} of {failed:N0} failed tasks), 50 per page, newest first.");

    var stackOnly = await PagedAsync(service, deepCursor, Log, "stack's indexes (primary key only)");
    await Execute(setup, TaskIndexAdvice.FailedList.CreateSql.Replace("CONCURRENTLY ", ""));
    await Execute(setup, "ANALYZE task_queue");
    var advised = await PagedAsync(service, deepCursor, Log, "with the advised task_queue_failed_idx");
    await Execute(setup, "DROP INDEX task_queue_failed_idx");

    // The error groups of all failed tasks: every one fingerprinted (read once per sampler round by the page).
    var groupsClock = Stopwatch.StartNew();
    var groups = await service.ErrorGroupsAsync(new FailedTaskFilter(), 50);
    var groupsSeconds = groupsClock.Elapsed.TotalSeconds;
    Log(string.Create(CultureInfo.InvariantCulture,
        $"Error groups of {failed:N0} failed tasks: {groups.Count} groups in {groupsSeconds:0.00} s (largest: {groups[0].Count:N0} × {groups[0].SampleError.Split('\n')[0]})."));

    // ---- 2. requeue all failed while workers run: on the stack's indexes as they are, then with the advised indexes
    var asIs = await RequeueRunAsync(actions, setup, database.SetupConnectionString, failed, "stack's indexes (primary key only)", Log);
    // The same failed set again (each task back to its failed state as task_attempts kept it), with the dequeue and the
    // failed-list indexes the page advises.
    await Execute(setup, """
        UPDATE task_queue AS t SET status = 'failed', started_at = a.started_at, completed_at = a.finished_at, error = a.error
        FROM orchestra_admin.task_attempts AS a WHERE a.task_id = t.id
        """);
    await Execute(setup, "TRUNCATE orchestra_admin.task_attempts");
    foreach (var advice in new[] { TaskIndexAdvice.Dequeue, TaskIndexAdvice.FailedList })
        await Execute(setup, advice.CreateSql.Replace("CONCURRENTLY ", ""));
    await Execute(setup, "VACUUM (ANALYZE) task_queue");
    var indexed = await RequeueRunAsync(actions, setup, database.SetupConnectionString, failed, "advised indexes (dequeue, failed list)", Log);

    Console.WriteLine();
    Log($"Dataset: {database.Figures}.");
    bench.LogEnd(database.BuildTime);
    var ok = true;
    foreach (var run in new[] { asIs, indexed })
    {
        ok &= run.Seconds <= 10 && run.LongestBatchMs <= 200 && run.Requeued == failed;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"tasks requeue, {run.What}: {run.Requeued:N0} of {failed:N0} failed requeued in {run.Seconds:0.00} s (target ≤ 10 s{(run.Seconds <= 10 ? "" : ": missed")}; " +
            $"dry run {run.DryRunSeconds:0.00} s); longest batch transaction (row locks held) {run.LongestBatchMs:0.0} ms (target ≤ 200 ms{(run.LongestBatchMs <= 200 ? "" : ": missed")}), " +
            $"median batch-to-batch {run.MedianBatchMs:0.0} ms over {run.Batches} batches; workers meanwhile: {run.Dequeues:N0} dequeues, longest {run.LongestDequeueMs:0} ms"));
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"tasks failed list: page {deepPage:N0} / page 1 = {stackOnly.Ratio:0.00}× with the stack's indexes ({stackOnly.Page1:0.0} / {stackOnly.Deep:0.0} ms); " +
        $"{advised.Ratio:0.00}× with the advised partial index ({advised.Page1:0.00} / {advised.Deep:0.00} ms); medians of 7 paired rounds; " +
        $"error groups of all failed tasks {groupsSeconds:0.00} s"));
    return ok ? 0 : 1;
}

static async Task<RequeueRun> RequeueRunAsync(TaskActions actions, NpgsqlDataSource setup, string workerConnectionString, long failed, string what, Action<string> log)
{
    var request = new RequeueRequest(Filter: new FailedTaskFilter(), All: true);
    var dryRunClock = Stopwatch.StartNew();
    var actor = new OperatorIdentity("bench", AdminRoles.Operator, IPAddress.Loopback);
    var confirmed = await actions.ConfirmRequeueAsync(actor, request);
    var matched = confirmed.Matched;
    var dryRun = dryRunClock.Elapsed;
    using var stopWorkers = new CancellationTokenSource();
    var workers = Enumerable.Range(1, 2).Select(n => WorkerAsync(workerConnectionString, n, stopWorkers.Token)).ToList();
    await Task.Delay(TimeSpan.FromSeconds(2));
    log($"{what}: dry run {matched:N0} in {dryRun.TotalSeconds:0.00} s; requeueing them while 2 workers dequeue with the stack's query and complete tasks…");
    var batchTimes = new List<double>();
    var lastReport = Stopwatch.GetTimestamp();
    var progress = new BatchProgress(p =>
    {
        var now = Stopwatch.GetTimestamp();
        lock (batchTimes) batchTimes.Add(Stopwatch.GetElapsedTime(lastReport, now).TotalMilliseconds);
        lastReport = now;
    });
    var clock = Stopwatch.StartNew();
    lastReport = Stopwatch.GetTimestamp();
    var report = await actions.RequeueAsync(actor, request, confirmed.Id, progress);
    var seconds = clock.Elapsed.TotalSeconds;
    stopWorkers.Cancel();
    var workerStats = await Task.WhenAll(workers);
    var attempts = await Scalar<long>(setup, "SELECT count(*) FROM orchestra_admin.task_attempts");
    var stillFailed = await Scalar<long>(setup, "SELECT count(*) FROM task_queue WHERE status = 'failed'");
    log($"{what}: matched {report.Matched:N0}, requeued {report.Requeued:N0}, skipped {report.Skipped:N0}, failed {report.Failed:N0}, " +
        $"{report.Batches} batches; task_attempts rows {attempts:N0}; failed tasks left {stillFailed:N0}; first batch (with reading the set) {batchTimes.FirstOrDefault():0} ms.");
    return new RequeueRun(what, report.Requeued, seconds, dryRun.TotalSeconds, report.LongestBatch?.TotalMilliseconds ?? double.NaN,
        PairedCheck.Median(batchTimes.Skip(1)), report.Batches, workerStats.Sum(w => w.Dequeues), workerStats.Max(w => w.LongestMs));
}

static async Task<(double Page1, double Deep, double Ratio)> PagedAsync(TasksService service, TaskCursor deep, Action<string> log, string what)
{
    var filter = new FailedTaskFilter();
    var first = await service.FailedAsync(new FailedTaskPageRequest(filter, 50));
    var deepPage = await service.FailedAsync(new FailedTaskPageRequest(filter, 50, After: deep));
    if (first.Rows.Count != 50 || deepPage.Rows.Count != 50) throw new InvalidOperationException("a page came back short");
    // Page 1 against the deep page; one warm-up round.
    var check = await PairedCheck.RunAsync(7, 1,
        () => service.FailedAsync(new FailedTaskPageRequest(filter, 50)),
        () => service.FailedAsync(new FailedTaskPageRequest(filter, 50, After: deep)));
    var result = (check.MedianMs(0), check.MedianMs(1), check.MedianRatio(1, 0));
    log(string.Create(CultureInfo.InvariantCulture, $"Failed list, {what}: page 1 {result.Item1:0.00} ms, deep page {result.Item2:0.00} ms, ratio {result.Item3:0.00}×."));
    return result;
}

// A worker of the stack: take the next pending task with its query, mark it running, complete it.
static async Task<(long Dequeues, double LongestMs)> WorkerAsync(string connectionString, int n, CancellationToken stop)
{
    await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = $"bench-worker-{n}", Pooling = false }.ConnectionString);
    await conn.OpenAsync();
    long dequeues = 0;
    double longest = 0;
    while (!stop.IsCancellationRequested)
    {
        var started = Stopwatch.GetTimestamp();
        await using var tx = await conn.BeginTransactionAsync();
        var id = await conn.QuerySingleOrDefaultAsync<Guid?>(
            "SELECT id FROM task_queue WHERE status = 'pending' ORDER BY priority DESC, created_at LIMIT 1 FOR UPDATE SKIP LOCKED", transaction: tx, commandTimeout: 0);
        if (id is { } picked)
            await conn.ExecuteAsync("UPDATE task_queue SET status = 'running', started_at = now() WHERE id = @picked", new { picked }, tx);
        await tx.CommitAsync();
        longest = Math.Max(longest, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        if (id is not { } done) { await Task.Delay(50); continue; }
        dequeues++;
        await conn.ExecuteAsync("UPDATE task_queue SET status = 'completed', completed_at = now() WHERE id = @done AND status = 'running'", new { done });
    }
    return (dequeues, longest);
}

static async Task<T> Scalar<T>(NpgsqlDataSource ds, string sql)
{
    await using var conn = await ds.OpenConnectionAsync();
    return (await conn.ExecuteScalarAsync<T>(new CommandDefinition(sql, commandTimeout: 0)))!;
}

static async Task Execute(NpgsqlDataSource ds, string sql)
{
    await using var conn = await ds.OpenConnectionAsync();
    await conn.ExecuteAsync(new CommandDefinition(sql, commandTimeout: 0));
}

sealed record RequeueRun(string What, long Requeued, double Seconds, double DryRunSeconds, double LongestBatchMs, double MedianBatchMs, int Batches, long Dequeues, double LongestDequeueMs);

sealed class BatchProgress(Action<RequeueProgress> report) : IProgress<RequeueProgress>
{
    public void Report(RequeueProgress value) => report(value);
}
