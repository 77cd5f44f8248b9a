using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Orchestra.Admin.Features.VectorSearch;

namespace Orchestra.Admin.VectorSearchBenchmarks;

/// <summary>
/// One nearVector search, limit 1,000, on 1,536-dimensional vectors: the dashboard's <see cref="IVectorSearch"/>
/// against the bare HTTP round trip of the same GraphQL text to the same emulator, in the same run. The third
/// line is informative: the dashboard's CPU work alone (build the request; parse a captured 1,000-hit answer).
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class VectorSearchBenchmarks
{
    /// <summary>Set by Program before BenchmarkDotNet runs (in process): the emulator and its data are built once per run.</summary>
    internal static BenchRun? Current;

    private BenchRun run = null!;

    [GlobalSetup]
    public void Setup() => run = Current ?? throw new InvalidOperationException("Run through Program.Main: it starts the emulator first.");

    [Benchmark(Baseline = true, Description = "Raw HTTP round trip")]
    [BenchmarkCategory("search")]
    public Task<byte[]> Raw() => run.Raw.RoundTripAsync();

    [Benchmark(Description = "App: IVectorSearch.SearchAsync")]
    [BenchmarkCategory("search")]
    public Task<SearchResult> App() => run.App.SearchAsync(run.Request);

    [Benchmark(Description = "App CPU only (build + parse hits)")]
    [BenchmarkCategory("CPU only, informative")]
    public int CpuOnly() => run.Cpu.Run();
}

/// <summary>What one run shares: the emulator, the request and the three sides.</summary>
internal sealed record BenchRun(BenchDataset Dataset, SearchRequest Request, AppSide App, RawSide Raw, CpuSide Cpu);
