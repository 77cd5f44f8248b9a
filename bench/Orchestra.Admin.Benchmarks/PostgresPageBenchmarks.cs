using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Orchestra.Admin.Benchmarks;

/// <summary>
/// One full view of /postgres: the app's services against the same SQL straight through Npgsql, on the same
/// database and data source, in the same run. Two schedules, each with its raw baseline: "sequential" (every load
/// after the previous one: the headline, the app's cost per statement against the bare statements) and
/// "concurrent per tab" (as the page loads: the panels of a tab at once).
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class PostgresPageBenchmarks
{
    /// <summary>Set by Program before BenchmarkDotNet runs (in process): the database is built once per run.</summary>
    internal static BenchRun? Current;

    private BenchRun run = null!;

    [GlobalSetup]
    public void Setup() => run = Current ?? throw new InvalidOperationException("Run through Program.Main: it builds the database first.");

    [Benchmark(Baseline = true, Description = "Raw SQL (Npgsql)")]
    [BenchmarkCategory("sequential")]
    public Task RawSequential() => run.Raw.RunAsync(PageSchedule.Sequential);

    [Benchmark(Description = "App services")]
    [BenchmarkCategory("sequential")]
    public Task AppSequential() => run.App.RunAsync(PageSchedule.Sequential);

    [Benchmark(Baseline = true, Description = "Raw SQL (Npgsql)")]
    [BenchmarkCategory("concurrent per tab")]
    public Task RawConcurrentPerTab() => run.Raw.RunAsync(PageSchedule.ConcurrentPerTab);

    [Benchmark(Description = "App services")]
    [BenchmarkCategory("concurrent per tab")]
    public Task AppConcurrentPerTab() => run.App.RunAsync(PageSchedule.ConcurrentPerTab);
}

/// <summary>What one run shares: the database and both sides.</summary>
internal sealed record BenchRun(PostgresPageDatabase Database, AppPageView App, RawPageView Raw);
