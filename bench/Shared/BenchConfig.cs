using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Mathematics;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace Orchestra.Admin.Benchmarks.Shared;

/// <summary>The BenchmarkDotNet settings every benchmark program runs with, and reading its results back.</summary>
internal static class BenchConfig
{
    /// <summary>
    /// In process: the database (or the emulator) belongs to this process, and the throwaway cluster stops when it exits.
    /// <paramref name="oneCallPerIteration"/>: each iteration is one call (calls of milliseconds to seconds: a fixed count
    /// keeps the slow cases from taking minutes each); otherwise BenchmarkDotNet picks how many calls make an iteration.
    /// </summary>
    public static IConfig InProcess(string artifactsFolder, int warmupCount, int iterationCount,
        bool oneCallPerIteration = true, bool memory = false, TimeUnit? timeUnit = null)
    {
        var job = Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithWarmupCount(warmupCount)
            .WithIterationCount(iterationCount);
        if (oneCallPerIteration)
            job = job.WithInvocationCount(1).WithUnrollFactor(1);
        var style = SummaryStyle.Default.WithRatioStyle(RatioStyle.Value);
        if (timeUnit is not null)
            style = style.WithTimeUnit(timeUnit);
        var config = DefaultConfig.Instance
            .AddJob(job.WithId("InProcess"))
            .AddColumn(StatisticColumn.Median, StatisticColumn.Min, StatisticColumn.Max)
            .WithSummaryStyle(style)
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), artifactsFolder))
            .WithOptions(ConfigOptions.JoinSummary);
        return memory ? config.AddDiagnoser(MemoryDiagnoser.Default) : config;
    }

    /// <summary>BenchmarkDotNet's run of <typeparamref name="T"/> with the program's options; none (null) with <c>--paired</c>.</summary>
    public static Summary? RunBenchmarks<T>(this BenchProgram program, IConfig config) =>
        program.PairedOnly ? null : BenchmarkRunner.Run<T>(config, program.Args);

    /// <summary>The mean time of a benchmark method in ms (for one value of its <c>Index</c> parameter if given); null without a result.</summary>
    public static double? MeanMs(this Summary? summary, string method, object? index = null) => Statistics(summary, method, index)?.Mean / 1e6;

    /// <summary>The median time of a benchmark method in ms, as <see cref="MeanMs"/>.</summary>
    public static double? MedianMs(this Summary? summary, string method, object? index = null) => Statistics(summary, method, index)?.Median / 1e6;

    private static Statistics? Statistics(Summary? summary, string method, object? index) =>
        summary?.Reports.FirstOrDefault(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method
            && (index is null || Equals(r.BenchmarkCase.Parameters["Index"], index)))?.ResultStatistics;
}
