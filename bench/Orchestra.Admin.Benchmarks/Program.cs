using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Orchestra.Admin.Benchmarks;

// The /postgres page's data: the app's services against the sum of the same SQL run directly through Npgsql.
// Usage: dotnet run -c Release --project bench/Orchestra.Admin.Benchmarks [-- BenchmarkDotNet options | --profile]
//   --profile: no BenchmarkDotNet; each panel timed alone on both sides, to see where a difference comes from.
// BENCH_POSTGRES_DSN: a server to use instead of a throwaway cluster (a database is created on it and dropped;
// BENCH_KEEP_DATABASE=1 keeps it). See docs/benchmarks.md.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var total = Stopwatch.StartNew();
void Log(string line) => Console.WriteLine($"[bench] {line}");

Log("Building the dataset…");
await using var database = await BenchDatabase.CreateAsync(Log);
Log($"Dataset ready in {database.BuildTime.TotalSeconds:0} s: database {database.Name}: {database.Figures}.");

await using var app = new AppPageView(database.ConnectionString);
var raw = new RawPageView(app.DataSource, app.History);

var statements = await StatementParity.VerifyAsync(
[
    ("app, sequential", () => app.RunAsync(PageSchedule.Sequential)),
    ("raw, sequential", () => raw.RunAsync(PageSchedule.Sequential)),
    ("app, concurrent per tab", () => app.RunAsync(PageSchedule.ConcurrentPerTab)),
    ("raw, concurrent per tab", () => raw.RunAsync(PageSchedule.ConcurrentPerTab)),
]);
Log($"Both sides run the same {statements.Count} statements per page view ({statements.Distinct().Count()} queries): {string.Join(", ", statements.Distinct().Select(s => s["monitoring/".Length..]))}.");

if (args.Contains("--profile"))
{
    await Profile.RunAsync(app, raw, app.DataSource);
    return 0;
}

PostgresPageBenchmarks.Current = new BenchRun(database, app, raw);
// In process: the database belongs to this process (the cluster stops when it exits). One page view per iteration
// (about half a second on this dataset), 3 warm-up and 30 measured iterations: the whole run takes about 3 minutes.
var job = Job.Default
    .WithToolchain(InProcessEmitToolchain.Instance)
    .WithWarmupCount(3)
    .WithIterationCount(30)
    .WithInvocationCount(1)
    .WithUnrollFactor(1)
    .WithId("InProcess");
var config = DefaultConfig.Instance
    .AddJob(job)
    .AddDiagnoser(MemoryDiagnoser.Default)
    .AddColumn(StatisticColumn.Median, StatisticColumn.Min, StatisticColumn.Max)
    .WithSummaryStyle(SummaryStyle.Default.WithRatioStyle(RatioStyle.Value))
    .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "orchestra-bench-artifacts"))
    .WithOptions(ConfigOptions.JoinSummary);
var summary = BenchmarkRunner.Run<PostgresPageBenchmarks>(config, args);

// A check on BenchmarkDotNet's figure that shrugs off drifting load from other processes: the two sides in alternation,
// the order swapped every round, the median of the per-pair ratios.
var pairRatios = new List<double>();
for (var round = 0; round < 30; round++)
{
    async Task<double> TimeAsync(Func<Task> view)
    {
        var started = Stopwatch.GetTimestamp();
        await view();
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }
    double appMs, rawMs;
    if (round % 2 == 0)
    {
        rawMs = await TimeAsync(() => raw.RunAsync(PageSchedule.Sequential));
        appMs = await TimeAsync(() => app.RunAsync(PageSchedule.Sequential));
    }
    else
    {
        appMs = await TimeAsync(() => app.RunAsync(PageSchedule.Sequential));
        rawMs = await TimeAsync(() => raw.RunAsync(PageSchedule.Sequential));
    }
    pairRatios.Add(appMs / rawMs);
}
pairRatios.Sort();

double? MeanMs(string method) =>
    summary.Reports.FirstOrDefault(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method)?.ResultStatistics?.Mean / 1e6;

Console.WriteLine();
Log($"Dataset: {database.Figures}.");
Log($"Each page view: {statements.Count} statements (the app adds a SET LOCAL statement_timeout per statement).");
if (MeanMs(nameof(PostgresPageBenchmarks.AppConcurrentPerTab)) is { } appC && MeanMs(nameof(PostgresPageBenchmarks.RawConcurrentPerTab)) is { } rawC)
    Log($"Concurrent per tab (as the page loads): app {appC:0.0} ms vs raw SQL {rawC:0.0} ms = {appC / rawC:0.00}×");
Log($"Paired check, sequential (30 alternating page views per side, median of the per-pair ratios): {pairRatios[pairRatios.Count / 2]:0.00}× (range {pairRatios[0]:0.00}–{pairRatios[^1]:0.00}).");
Log($"Total run time: {total.Elapsed.TotalMinutes:0.0} min (dataset {database.BuildTime.TotalSeconds:0} s).");
if (MeanMs(nameof(PostgresPageBenchmarks.AppSequential)) is { } appS && MeanMs(nameof(PostgresPageBenchmarks.RawSequential)) is { } rawS)
{
    var ratio = appS / rawS;
    Console.WriteLine($"/postgres page data: app {appS:0.0} ms vs raw SQL {rawS:0.0} ms = {ratio:0.00}× (target ≤ 1.3×{(ratio <= 1.3 ? "" : ": missed")})");
    return 0;
}
Console.WriteLine("/postgres page data: no result (see BenchmarkDotNet's output above).");
return 1;
