using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Orchestra.Admin.Benchmarks.Shared;
using Orchestra.Admin.Features.Cache;

namespace Orchestra.Admin.CacheBenchmarks;

/// <summary>
/// Page 1 and page 5,000 (100 keys a page) of a 1,000,000-entry cache table through the app's key list, sorted by key and by
/// TTL, for each index setup. Page 1 is the baseline of its sort, so BenchmarkDotNet's Ratio column is page 5,000 / page 1.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByParams, BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class CachePagingBenchmarks
{
    internal static CachePagingSides? Current;

    private CachePagingSides sides = null!;

    [Params(IndexSetup.StackOnly, IndexSetup.ExpiryIndex)]
    public IndexSetup Index { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        sides = Current ?? throw new InvalidOperationException("Run through Program.Main: it builds the database first.");
        sides.SetIndexAsync(Index, BenchProgram.Log).GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, Description = "by key, page 1")]
    [BenchmarkCategory("key")]
    public Task<CacheKeyPage> KeyPage1() => sides.PageAsync(CacheSort.Key, 1);

    [Benchmark(Description = "by key, page 5,000")]
    [BenchmarkCategory("key")]
    public Task<CacheKeyPage> KeyPage5000() => sides.PageAsync(CacheSort.Key, CachePagingSides.DeepPage);

    [Benchmark(Baseline = true, Description = "by TTL, page 1")]
    [BenchmarkCategory("TTL")]
    public Task<CacheKeyPage> ExpiryPage1() => sides.PageAsync(CacheSort.Expiry, 1);

    [Benchmark(Description = "by TTL, page 5,000")]
    [BenchmarkCategory("TTL")]
    public Task<CacheKeyPage> ExpiryPage5000() => sides.PageAsync(CacheSort.Expiry, CachePagingSides.DeepPage);
}
