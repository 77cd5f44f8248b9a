using System.Diagnostics;
using System.Globalization;

namespace Orchestra.Admin.Benchmarks.Shared;

/// <summary>
/// What every benchmark program does around its measurements: the invariant culture, its options, the "[bench]" log with
/// the load average at the start and at the end, and exit code 2 with the exception when it fails. Compiled into each
/// benchmark program (a linked file), like <see cref="BenchServer"/>.
/// </summary>
internal sealed class BenchProgram
{
    private readonly Stopwatch total = Stopwatch.StartNew();

    private BenchProgram(string[] args) => Args = args;

    /// <summary>The command line, passed on to BenchmarkDotNet (its options: --filter, --job…).</summary>
    public string[] Args { get; }

    /// <summary><c>--paired</c>: no BenchmarkDotNet; the program's checks and the paired check only (a quick look).</summary>
    public bool PairedOnly => Args.Contains("--paired");

    /// <summary><c>--profile</c>: no BenchmarkDotNet; each part timed alone, to see where a difference comes from.</summary>
    public bool Profile => Args.Contains("--profile");

    /// <summary>Runs the program's body: logs the load average first, and turns an exception into exit code 2.</summary>
    public static async Task<int> RunAsync(string[] args, Func<BenchProgram, Task<int>> body)
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        try
        {
            var program = new BenchProgram(args);
            Log($"Load average at start: {LoadAverage()}.");
            return await body(program);
        }
        catch (Exception e)
        {
            // Caught rather than unhandled, so the process exits normally and the throwaway cluster is stopped.
            Console.Error.WriteLine($"[bench] failed: {e}");
            return 2;
        }
    }

    public static void Log(string line) => Console.WriteLine($"[bench] {line}");

    /// <summary>The last log line before the results: the load average now and how long the run took.</summary>
    public void LogEnd(TimeSpan datasetBuildTime) =>
        Log($"Load average at the end: {LoadAverage()}. Total run time: {total.Elapsed.TotalMinutes:0.0} min (dataset {datasetBuildTime.TotalSeconds:0} s).");

    /// <summary>The machine's load average (1, 5, 15 min), printed with every result: the machines are shared.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
