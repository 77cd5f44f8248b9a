using System.Diagnostics;
using System.Globalization;
using Orchestra.Admin.Benchmarks.Shared;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Orchestra.Admin.CacheBenchmarks;

// The /cache key list on a cache table of 1,000,000 entries: page 1 and page 5,000 (100 keys a page, by the keyset cursor)
// through the app's CacheService.PageAsync, sorted by key (the primary key serves it) and by TTL (expires_at), in the same
// run (target: page 5,000 within 2× of page 1). Measured with the stack's indexes as they are (only the primary key), then
// with an index on (expires_at, key) created in this benchmark's throwaway database only (the dashboard never changes
// the stack's tables).
// Usage: dotnet run -c Release --project bench/Orchestra.Admin.CacheBenchmarks [-- BenchmarkDotNet options | --paired]
//   --paired: no BenchmarkDotNet; only the plans and the paired check (a quick look).
// BENCH_POSTGRES_DSN: a server to use instead of a throwaway cluster (BENCH_KEEP_DATABASE=1 keeps the database).
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
try
{
    return await RunAsync(args);
}
catch (Exception e)
{
    Console.Error.WriteLine($"[bench] failed: {e}");
    return 2;
}

static async Task<int> RunAsync(string[] args)
{
    var total = Stopwatch.StartNew();
    void Log(string line) => Console.WriteLine($"[bench] {line}");
    Log($"Load average at start: {BenchServer.LoadAverage()}.");

    Log("Building the dataset…");
    await using var database = await CacheBenchDatabase.CreateAsync(Log);
    Log($"Dataset ready in {database.BuildTime.TotalSeconds:0} s: database {database.Name}: {database.Figures}.");

    await using var sides = await CachePagingSides.CreateAsync(database);
    var sorts = Enum.GetValues<CacheSort>();
    var setups = Enum.GetValues<IndexSetup>();
    var paired = new Dictionary<(IndexSetup, CacheSort), (double Ratio, string Detail)>();
    foreach (var setup in setups)
    {
        await sides.SetIndexAsync(setup, Log);
        await sides.VerifyAsync();
        Log($"{Describe(setup)}: the app's page 1 and page 5,000 equal OFFSET's, by key and by TTL.");
        foreach (var sort in sorts)
        {
            foreach (var page in new[] { 1, CachePagingSides.DeepPage })
                Console.WriteLine($"--- plan, by {sort}, page {page:N0}, {Describe(setup)}\n{await sides.PlanAsync(sort, page)}");
            paired[(setup, sort)] = await PairedAsync(sides, sort);
            Log($"Paired check, by {sort}, {Describe(setup)}: {paired[(setup, sort)].Detail}");
        }
    }

    Dictionary<(IndexSetup, string), double> means = [];
    if (!args.Contains("--paired"))
    {
        CachePagingBenchmarks.Current = sides;
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
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "orchestra-cachebench-artifacts"))
            .WithOptions(ConfigOptions.JoinSummary);
        var summary = BenchmarkRunner.Run<CachePagingBenchmarks>(config, args);
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
        foreach (var sort in sorts)
        {
            var (first, deep) = sort == CacheSort.Key
                ? (nameof(CachePagingBenchmarks.KeyPage1), nameof(CachePagingBenchmarks.KeyPage5000))
                : (nameof(CachePagingBenchmarks.ExpiryPage1), nameof(CachePagingBenchmarks.ExpiryPage5000));
            var pairedRatio = paired[(setup, sort)].Ratio;
            string line;
            if (means.TryGetValue((setup, first), out var p1) && means.TryGetValue((setup, deep), out var p5000))
            {
                var ratio = p5000 / p1;
                line = $"cache key list by {sort}: page 5,000 / page 1 = {ratio:0.00}× (target ≤ 2×{(ratio <= 2 ? "" : ": missed")}) — {Describe(setup)} " +
                       $"(means {p1:0.###} / {p5000:0.###} ms; paired median {pairedRatio:0.00}×)";
                if (setup == IndexSetup.StackOnly && ratio > 2) exitCode = 1;
            }
            else
            {
                line = $"cache key list by {sort}: page 5,000 / page 1 = {pairedRatio:0.00}× (target ≤ 2×{(pairedRatio <= 2 ? "" : ": missed")}) — {Describe(setup)} (paired check only)";
            }
            Console.WriteLine(line);
        }
    }
    return exitCode;
}

static string Describe(IndexSetup setup) => setup == IndexSetup.StackOnly
    ? "the stack's indexes (primary key on key only)"
    : $"with {CachePagingSides.ExpiryIndexSql.Replace("CREATE INDEX " + CachePagingSides.ExpiryIndexName + " ", "an index ")}";

// Page 1 and page 5,000 in alternation, the order swapped every round: the median of the per-round ratios shrugs off load
// that drifts during the run (other processes share the cores).
static async Task<(double Ratio, string Detail)> PairedAsync(CachePagingSides sides, CacheSort sort, int rounds = 11)
{
    static async Task<double> TimeAsync(Func<Task> read)
    {
        var started = Stopwatch.GetTimestamp();
        await read();
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }
    var pairs = new List<(double Page1, double Deep)>();
    for (var round = -2; round < rounds; round++)
    {
        double p1, deep;
        if (round % 2 == 0)
        {
            p1 = await TimeAsync(() => sides.PageAsync(sort, 1));
            deep = await TimeAsync(() => sides.PageAsync(sort, CachePagingSides.DeepPage));
        }
        else
        {
            deep = await TimeAsync(() => sides.PageAsync(sort, CachePagingSides.DeepPage));
            p1 = await TimeAsync(() => sides.PageAsync(sort, 1));
        }
        if (round >= 0) pairs.Add((p1, deep));
    }
    static double Median(IEnumerable<double> xs) { var s = xs.Order().ToList(); return s[s.Count / 2]; }
    var ratio = Median(pairs.Select(p => p.Deep / p.Page1));
    return (ratio, string.Create(CultureInfo.InvariantCulture,
        $"page 1 {Median(pairs.Select(p => p.Page1)):0.###} ms, page 5,000 {Median(pairs.Select(p => p.Deep)):0.###} ms (ratio {ratio:0.00}×); medians of {rounds} rounds"));
}
