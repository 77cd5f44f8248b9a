using System.Diagnostics;
using System.Globalization;
using Orchestra.Admin.Benchmarks.Shared;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Orchestra.Admin.Features.Sessions;
using Orchestra.Admin.SessionsBenchmarks;

// The /sessions list on 200,000 sessions: page 1 and page 2,000 (100 a page, reached by the keyset cursor) through the
// app's SessionsService.PageAsync, for the default sort (created, newest first) and the expiry sort, in one run (issue:
// page 2,000 within 2× of page 1). Measured with the stack's table as it is (primary key only: the dashboard never
// changes the stack's tables) and with the two indexes to advise, created in this benchmark's throwaway database only.
// Usage: dotnet run -c Release --project bench/Orchestra.Admin.SessionsBenchmarks [-- BenchmarkDotNet options | --paired]
//   --paired: no BenchmarkDotNet; only the plans and the paired check (a quick look).
// BENCH_POSTGRES_DSN: a server to use instead of a throwaway cluster (BENCH_KEEP_DATABASE=1 keeps the database).
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
try
{
    return await RunAsync(args);
}
catch (Exception e)
{
    // Caught rather than unhandled, so the process exits normally and the throwaway cluster is stopped.
    Console.Error.WriteLine($"[bench] failed: {e}");
    return 2;
}

static async Task<int> RunAsync(string[] args)
{
    var total = Stopwatch.StartNew();
    void Log(string line) => Console.WriteLine($"[bench] {line}");
    Log($"Load average at start: {BenchServer.LoadAverage()}.");

    Log("Building the dataset…");
    await using var database = await SessionsBenchDatabase.CreateAsync(Log);
    Log($"Dataset ready in {database.BuildTime.TotalSeconds:0} s: database {database.Name}: {database.Figures}.");
    await using var sides = await SessionsPagingSides.CreateAsync(database, Log);

    var setups = new[] { IndexSetup.StackOnly, IndexSetup.AdvisedIndexes };
    var paired = new Dictionary<(IndexSetup, SessionSort), (double Ratio, string Detail)>();
    foreach (var setup in setups)
    {
        await sides.SetIndexAsync(setup, Log);
        await sides.VerifyAsync();
        Log($"{SessionsPagingSides.Describe(setup)}: page {SessionsPagingSides.DeepPage:N0} by keyset holds exactly the rows OFFSET {SessionsPagingSides.RowsBefore:N0} finds, for both sorts.");
        foreach (var sort in SessionsPagingSides.Sorts)
        {
            foreach (var page in new[] { 1, SessionsPagingSides.DeepPage })
                Console.WriteLine($"--- plan, sort {sort}, page {page:N0}, {SessionsPagingSides.Describe(setup)}\n{await sides.PlanAsync(sort, page)}");
            paired[(setup, sort)] = await PairedAsync(sides, sort);
            Log($"Paired check, sort {sort}, {SessionsPagingSides.Describe(setup)}: {paired[(setup, sort)].Detail}");
        }
    }

    Dictionary<(IndexSetup, string), (double Mean, double Median)> means = [];
    if (!args.Contains("--paired"))
    {
        SessionsPagingBenchmarks.Current = sides;
        // In process: the database belongs to this process. One page read per iteration, 3 warm-up and 20 measured iterations.
        var job = Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithWarmupCount(3)
            .WithIterationCount(20)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithId("InProcess");
        var config = DefaultConfig.Instance
            .AddJob(job)
            .AddColumn(StatisticColumn.Median, StatisticColumn.Min, StatisticColumn.Max)
            .WithSummaryStyle(SummaryStyle.Default.WithRatioStyle(RatioStyle.Value).WithTimeUnit(Perfolizer.Horology.TimeUnit.Millisecond))
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "orchestra-sessbench-artifacts"))
            .WithOptions(ConfigOptions.JoinSummary);
        var summary = BenchmarkRunner.Run<SessionsPagingBenchmarks>(config, args);
        foreach (var report in summary.Reports)
            if (report.ResultStatistics is { } stats && report.BenchmarkCase.Parameters["Index"] is IndexSetup setup)
                means[(setup, report.BenchmarkCase.Descriptor.WorkloadMethod.Name)] = (stats.Mean / 1e6, stats.Median / 1e6);
    }

    Console.WriteLine();
    Log($"Dataset: {database.Figures}.");
    Log($"Load average at the end: {BenchServer.LoadAverage()}. Total run time: {total.Elapsed.TotalMinutes:0.0} min (dataset {database.BuildTime.TotalSeconds:0} s).");
    var exitCode = 0;
    foreach (var setup in setups)
    {
        foreach (var (sort, first, deep) in new[]
                 {
                     (SessionSort.CreatedAt, nameof(SessionsPagingBenchmarks.CreatedPage1), nameof(SessionsPagingBenchmarks.CreatedPage2000)),
                     (SessionSort.ExpiresAt, nameof(SessionsPagingBenchmarks.ExpiryPage1), nameof(SessionsPagingBenchmarks.ExpiryPage2000)),
                 })
        {
            var name = sort == SessionSort.CreatedAt ? "default sort (created)" : "expiry sort";
            var pairedRatio = paired[(setup, sort)].Ratio;
            string line;
            if (means.TryGetValue((setup, first), out var p1) && means.TryGetValue((setup, deep), out var p2000))
            {
                // The verdict on the medians: on a shared machine a few iterations of a 1 ms page can take 100 ms, which moves a mean.
                var ratio = p2000.Median / p1.Median;
                line = $"sessions keyset, {name}: page 2,000 / page 1 = {ratio:0.00}× by medians (target ≤ 2×{(ratio <= 2 ? "" : ": missed")}), " +
                       $"{p2000.Mean / p1.Mean:0.00}× by means — {SessionsPagingSides.Describe(setup)} " +
                       $"(medians {p1.Median:0.###} / {p2000.Median:0.###} ms, means {p1.Mean:0.###} / {p2000.Mean:0.###} ms; paired median {pairedRatio:0.00}×)";
                // What the dashboard meets decides the exit code; the indexed setup shows what the advised indexes change.
                if (setup == IndexSetup.StackOnly && ratio > 2) exitCode = 1;
            }
            else
            {
                line = $"sessions keyset, {name}: page 2,000 / page 1 = {pairedRatio:0.00}× (target ≤ 2×{(pairedRatio <= 2 ? "" : ": missed")}) — " +
                       $"{SessionsPagingSides.Describe(setup)} (paired check only)";
            }
            Console.WriteLine(line);
        }
    }
    return exitCode;
}

// Page 1 and page 2,000 in alternation, the order swapped every round: the median of the per-round ratios shrugs off
// load that drifts during the run (other processes share the cores).
static async Task<(double Ratio, string Detail)> PairedAsync(SessionsPagingSides sides, SessionSort sort, int rounds = 11)
{
    static async Task<double> TimeAsync(Func<Task> read)
    {
        var started = Stopwatch.GetTimestamp();
        await read();
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }
    var times = new List<(double Page1, double Deep)>();
    for (var round = -2; round < rounds; round++) // two warm-up rounds
    {
        double p1, deep;
        if (round % 2 == 0)
        {
            p1 = await TimeAsync(() => sides.PageAsync(sort, 1));
            deep = await TimeAsync(() => sides.PageAsync(sort, SessionsPagingSides.DeepPage));
        }
        else
        {
            deep = await TimeAsync(() => sides.PageAsync(sort, SessionsPagingSides.DeepPage));
            p1 = await TimeAsync(() => sides.PageAsync(sort, 1));
        }
        if (round >= 0) times.Add((p1, deep));
    }
    static double Median(IEnumerable<double> xs) { var s = xs.Order().ToList(); return s[s.Count / 2]; }
    var ratio = Median(times.Select(t => t.Deep / t.Page1));
    return (ratio, string.Create(CultureInfo.InvariantCulture,
        $"page 1 {Median(times.Select(t => t.Page1)):0.###} ms, page 2,000 {Median(times.Select(t => t.Deep)):0.###} ms (ratio {ratio:0.00}×); medians of {rounds} rounds"));
}
