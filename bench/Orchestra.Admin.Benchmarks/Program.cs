using Orchestra.Admin.Benchmarks;
using Orchestra.Admin.Benchmarks.Shared;
using static Orchestra.Admin.Benchmarks.Shared.BenchProgram;

// The /postgres page's data: the app's services against the sum of the same SQL run directly through Npgsql.
// Usage: dotnet run -c Release --project bench/Orchestra.Admin.Benchmarks [-- BenchmarkDotNet options | --paired | --profile]
//   --paired: no BenchmarkDotNet; only the paired check (a quick look).
//   --profile: no BenchmarkDotNet; each panel timed alone on both sides, to see where a difference comes from.
// BENCH_POSTGRES_DSN: a server to use instead of a throwaway cluster (a database is created on it and dropped;
// BENCH_KEEP_DATABASE=1 keeps it). See docs/benchmarks.md.
return await BenchProgram.RunAsync(args, RunAsync);

static async Task<int> RunAsync(BenchProgram bench)
{
    await using var database = await PostgresPageDatabase.CreateAsync(Log);

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

    if (bench.Profile)
    {
        await Profile.RunAsync(app, raw, app.DataSource);
        return 0;
    }

    PostgresPageBenchmarks.Current = new BenchRun(database, app, raw);
    // One page view per iteration (about half a second on this dataset), 3 warm-up and 30 measured iterations: the
    // whole run takes about 3 minutes.
    var summary = bench.RunBenchmarks<PostgresPageBenchmarks>(
        BenchConfig.InProcess("orchestra-bench-artifacts", warmupCount: 3, iterationCount: 30, memory: true));

    // The raw side first on even rounds, the app's first on odd ones; no warm-up rounds (BenchmarkDotNet's run, or the
    // statement check above, warmed both up).
    var check = await PairedCheck.RunAsync(30, 0, () => raw.RunAsync(PageSchedule.Sequential), () => app.RunAsync(PageSchedule.Sequential));
    var pairRatios = check.Ratios(1, 0);
    var pairMedian = check.MedianRatio(1, 0);

    Console.WriteLine();
    Log($"Dataset: {database.Figures}.");
    Log($"Each page view: {statements.Count} statements (the app adds a SET LOCAL statement_timeout per statement).");
    if (summary.MeanMs(nameof(PostgresPageBenchmarks.AppConcurrentPerTab)) is { } appC && summary.MeanMs(nameof(PostgresPageBenchmarks.RawConcurrentPerTab)) is { } rawC)
        Log($"Concurrent per tab (as the page loads): app {appC:0.0} ms vs raw SQL {rawC:0.0} ms = {appC / rawC:0.00}×");
    Log($"Paired check, sequential ({check.Rounds} alternating page views per side, median of the per-pair ratios): {pairMedian:0.00}× (range {pairRatios[0]:0.00}–{pairRatios[^1]:0.00}).");
    bench.LogEnd(database.BuildTime);
    if (summary.MeanMs(nameof(PostgresPageBenchmarks.AppSequential)) is { } appS && summary.MeanMs(nameof(PostgresPageBenchmarks.RawSequential)) is { } rawS)
    {
        var ratio = appS / rawS;
        Console.WriteLine($"/postgres page data: app {appS:0.0} ms vs raw SQL {rawS:0.0} ms = {ratio:0.00}× (target ≤ 1.3×{(ratio <= 1.3 ? "" : ": missed")})");
        return 0;
    }
    if (bench.PairedOnly)
    {
        Console.WriteLine($"/postgres page data: app / raw SQL = {pairMedian:0.00}× (target ≤ 1.3×{(pairMedian <= 1.3 ? "" : ": missed")}) (paired check only)");
        return 0;
    }
    Console.WriteLine("/postgres page data: no result (see BenchmarkDotNet's output above).");
    return 1;
}
