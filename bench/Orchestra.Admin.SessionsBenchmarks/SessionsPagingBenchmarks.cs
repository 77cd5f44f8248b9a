using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Orchestra.Admin.Benchmarks.Shared;
using Orchestra.Admin.Features.Sessions;

namespace Orchestra.Admin.SessionsBenchmarks;

/// <summary>
/// Page 1 and page 2,000 of the sessions list (100 a page, 200,000 sessions), by the app's keyset <see cref="SessionsService.PageAsync"/>,
/// for the default sort (created, newest first) and the expiry sort, with each index setup. Page 1 is the baseline of its
/// category, so BenchmarkDotNet's Ratio column is page 2,000 / page 1.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByParams, BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class SessionsPagingBenchmarks
{
    /// <summary>Set by Program before BenchmarkDotNet runs (in process): the database is built once per run.</summary>
    internal static SessionsPagingSides? Current;

    private SessionsPagingSides sides = null!;

    [Params(IndexSetup.StackOnly, IndexSetup.AdvisedIndexes)]
    public IndexSetup Index { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        sides = Current ?? throw new InvalidOperationException("Run through Program.Main: it builds the database first.");
        sides.SetIndexAsync(Index, BenchProgram.Log).GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, Description = "created, page 1")]
    [BenchmarkCategory("created")]
    public Task<SessionPage> CreatedPage1() => sides.PageAsync(SessionSort.CreatedAt, 1);

    [Benchmark(Description = "created, page 2,000")]
    [BenchmarkCategory("created")]
    public Task<SessionPage> CreatedPage2000() => sides.PageAsync(SessionSort.CreatedAt, SessionsPagingSides.DeepPage);

    [Benchmark(Baseline = true, Description = "expiry, page 1")]
    [BenchmarkCategory("expiry")]
    public Task<SessionPage> ExpiryPage1() => sides.PageAsync(SessionSort.ExpiresAt, 1);

    [Benchmark(Description = "expiry, page 2,000")]
    [BenchmarkCategory("expiry")]
    public Task<SessionPage> ExpiryPage2000() => sides.PageAsync(SessionSort.ExpiresAt, SessionsPagingSides.DeepPage);
}
