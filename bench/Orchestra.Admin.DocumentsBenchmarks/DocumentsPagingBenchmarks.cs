using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Orchestra.Admin.Benchmarks.Shared;
using Orchestra.Admin.Features.Documents;

namespace Orchestra.Admin.DocumentsBenchmarks;

/// <summary>
/// Page 1 and page 10,000 of a 1,000,000-document collection, keyset (the app's PageAsync) against OFFSET (the same
/// statement with OFFSET), for each index setup. Page 1 is the baseline of its category, so BenchmarkDotNet's Ratio
/// column is page 10,000 / page 1.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByParams, BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class DocumentsPagingBenchmarks
{
    /// <summary>Set by Program before BenchmarkDotNet runs (in process): the database is built once per run.</summary>
    internal static PagingSides? Current;

    private PagingSides sides = null!;

    [Params(IndexSetup.StackOnly, IndexSetup.CreatedAtIndex, IndexSetup.SortKeyIndex)]
    public IndexSetup Index { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        sides = Current ?? throw new InvalidOperationException("Run through Program.Main: it builds the database first.");
        sides.SetIndexAsync(Index, BenchProgram.Log).GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, Description = "keyset, page 1")]
    [BenchmarkCategory("keyset")]
    public Task<DocumentPage> KeysetPage1() => sides.KeysetAsync(1);

    [Benchmark(Description = "keyset, page 10,000")]
    [BenchmarkCategory("keyset")]
    public Task<DocumentPage> KeysetPage10000() => sides.KeysetAsync(PagingSides.DeepPage);

    [Benchmark(Baseline = true, Description = "OFFSET, page 1")]
    [BenchmarkCategory("OFFSET")]
    public Task<IReadOnlyList<OffsetRow>> OffsetPage1() => sides.OffsetAsync(1);

    [Benchmark(Description = "OFFSET, page 10,000")]
    [BenchmarkCategory("OFFSET")]
    public Task<IReadOnlyList<OffsetRow>> OffsetPage10000() => sides.OffsetAsync(PagingSides.DeepPage);
}
