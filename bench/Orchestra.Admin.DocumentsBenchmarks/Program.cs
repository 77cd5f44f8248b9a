using System.Diagnostics;
using System.Globalization;
using Orchestra.Admin.Benchmarks.Shared;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Orchestra.Admin.DocumentsBenchmarks;

// The /documents grid on one collection of 1,000,000 documents: page 1 and page 10,000 by keyset (the app's
// DocumentsService.PageAsync) against OFFSET (the same statement with OFFSET 249,975), in the same run (issue 7: keyset
// at depth within 2× of page 1; the OFFSET ratio reported beside it). Measured three times: with the stack's indexes as
// they are (the dashboard never changes the stack's tables), with the index (collection, created_at DESC, id DESC), and
// with an index on the grid's own sort key, each created in this benchmark's throwaway database only.
// Usage: dotnet run -c Release --project bench/Orchestra.Admin.DocumentsBenchmarks [-- BenchmarkDotNet options | --paired]
//   --paired: no BenchmarkDotNet; only the plans and the paired check (a quick look, about 3 minutes).
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
    await using var database = await DocumentsBenchDatabase.CreateAsync(Log);
    Log($"Dataset ready in {database.BuildTime.TotalSeconds:0} s: database {database.Name}: {database.Figures}.");

    await using var sides = await PagingSides.CreateAsync(database);
    Log($"Columns shown (the grid's first four keys): {string.Join(", ", sides.Columns)}. Page 10,000 starts after row {PagingSides.DeepOffset:N0} " +
        $"(cursor {sides.DeepCursor.At:O}, {sides.DeepCursor.Id}).");

    var setups = new[] { IndexSetup.StackOnly, IndexSetup.CreatedAtIndex, IndexSetup.SortKeyIndex };
    var paired = new Dictionary<IndexSetup, (double Keyset, double Offset, string Detail)>();
    foreach (var setup in setups)
    {
        await sides.SetIndexAsync(setup, Log);
        await sides.VerifyAsync();
        Log($"{PagingSides.Describe(setup)}: keyset and OFFSET return the same 25 documents on page 1 and on page 10,000.");
        foreach (var page in new[] { 1, PagingSides.DeepPage })
        {
            var (keysetPlan, offsetPlan) = await sides.PlansAsync(page);
            Console.WriteLine($"--- plan, keyset page {page:N0}, {PagingSides.Describe(setup)}\n{keysetPlan}");
            Console.WriteLine($"--- plan, OFFSET page {page:N0}, {PagingSides.Describe(setup)}\n{offsetPlan}");
        }
        paired[setup] = await PairedAsync(sides);
        Log($"Paired check, {PagingSides.Describe(setup)}: {paired[setup].Detail}");
    }

    Dictionary<(IndexSetup, string), double> means = [];
    if (!args.Contains("--paired"))
    {
        DocumentsPagingBenchmarks.Current = sides;
        // In process: the database belongs to this process. One page read per iteration (from 1.5 ms to 2 s: a
        // fixed count keeps the slow cases from taking minutes each), 3 warm-up and 20 measured iterations per case.
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
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "orchestra-docbench-artifacts"))
            .WithOptions(ConfigOptions.JoinSummary);
        var summary = BenchmarkRunner.Run<DocumentsPagingBenchmarks>(config, args);
        foreach (var report in summary.Reports)
            if (report.ResultStatistics is { } stats && report.BenchmarkCase.Parameters["Index"] is IndexSetup setup)
                means[(setup, report.BenchmarkCase.Descriptor.WorkloadMethod.Name)] = stats.Mean / 1e6;
    }

    Console.WriteLine();
    Log($"Dataset: {database.Figures}.");
    Log($"Load average at the end: {BenchServer.LoadAverage()}. Total run time: {total.Elapsed.TotalMinutes:0.0} min (dataset {database.BuildTime.TotalSeconds:0} s).");
    var exitCode = 0;
    foreach (var setup in setups)
    {
        var (pairedKeyset, pairedOffset, _) = paired[setup];
        string line;
        if (means.TryGetValue((setup, nameof(DocumentsPagingBenchmarks.KeysetPage1)), out var k1)
            && means.TryGetValue((setup, nameof(DocumentsPagingBenchmarks.KeysetPage10000)), out var k10)
            && means.TryGetValue((setup, nameof(DocumentsPagingBenchmarks.OffsetPage1)), out var o1)
            && means.TryGetValue((setup, nameof(DocumentsPagingBenchmarks.OffsetPage10000)), out var o10))
        {
            line = $"documents keyset: page 10,000 / page 1 = {k10 / k1:0.00}× (target ≤ 2×{(k10 / k1 <= 2 ? "" : ": missed")}); " +
                   $"OFFSET: page 10,000 / page 1 = {o10 / o1:0.00}× — {PagingSides.Describe(setup)} " +
                   $"(means: keyset {k1:0.###} / {k10:0.###} ms, OFFSET {o1:0.###} / {o10:0.###} ms; paired medians {pairedKeyset:0.00}× and {pairedOffset:0.00}×)";
            if (setup == IndexSetup.StackOnly && k10 / k1 > 2) exitCode = 1;
        }
        else
        {
            line = $"documents keyset: page 10,000 / page 1 = {pairedKeyset:0.00}× (target ≤ 2×{(pairedKeyset <= 2 ? "" : ": missed")}); " +
                   $"OFFSET: page 10,000 / page 1 = {pairedOffset:0.00}× — {PagingSides.Describe(setup)} (paired check only)";
        }
        Console.WriteLine(line);
    }
    return exitCode;
}

// Page 1 and page 10,000 in alternation, the order swapped every round, for each side: the median of the per-round
// ratios shrugs off load that drifts during the run (other processes share the cores).
static async Task<(double Keyset, double Offset, string Detail)> PairedAsync(PagingSides sides, int rounds = 11)
{
    static async Task<double> TimeAsync(Func<Task> read)
    {
        var started = Stopwatch.GetTimestamp();
        await read();
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }
    var keyset = new List<(double Page1, double Deep)>();
    var offset = new List<(double Page1, double Deep)>();
    for (var round = -2; round < rounds; round++) // two warm-up rounds
    {
        double k1, k10, o1, o10;
        if (round % 2 == 0)
        {
            k1 = await TimeAsync(() => sides.KeysetAsync(1));
            k10 = await TimeAsync(() => sides.KeysetAsync(PagingSides.DeepPage));
            o1 = await TimeAsync(() => sides.OffsetAsync(1));
            o10 = await TimeAsync(() => sides.OffsetAsync(PagingSides.DeepPage));
        }
        else
        {
            o10 = await TimeAsync(() => sides.OffsetAsync(PagingSides.DeepPage));
            o1 = await TimeAsync(() => sides.OffsetAsync(1));
            k10 = await TimeAsync(() => sides.KeysetAsync(PagingSides.DeepPage));
            k1 = await TimeAsync(() => sides.KeysetAsync(1));
        }
        if (round < 0) continue;
        keyset.Add((k1, k10));
        offset.Add((o1, o10));
    }
    static double Median(IEnumerable<double> xs) { var s = xs.Order().ToList(); return s[s.Count / 2]; }
    var kr = Median(keyset.Select(p => p.Deep / p.Page1));
    var or = Median(offset.Select(p => p.Deep / p.Page1));
    var detail = string.Create(CultureInfo.InvariantCulture,
        $"keyset page 1 {Median(keyset.Select(p => p.Page1)):0.###} ms, page 10,000 {Median(keyset.Select(p => p.Deep)):0.###} ms (ratio {kr:0.00}×); " +
        $"OFFSET page 1 {Median(offset.Select(p => p.Page1)):0.###} ms, page 10,000 {Median(offset.Select(p => p.Deep)):0.###} ms (ratio {or:0.00}×); medians of {rounds} rounds");
    return (kr, or, detail);
}
