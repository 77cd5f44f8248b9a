using System.Diagnostics;

namespace Orchestra.Admin.Benchmarks.Shared;

/// <summary>
/// The paired check beside BenchmarkDotNet's figures: the measured calls in alternation, the order reversed every round,
/// after warm-up rounds; the medians of the per-round ratios shrug off load that drifts during the run (other processes
/// share the cores), where BenchmarkDotNet measures one thing after the other.
/// </summary>
internal sealed class PairedCheck
{
    private readonly List<double>[] times;

    private PairedCheck(int sides, int rounds)
    {
        times = Enumerable.Range(0, sides).Select(_ => new List<double>(rounds)).ToArray();
        Rounds = rounds;
    }

    public int Rounds { get; }

    /// <summary>
    /// Times each call of <paramref name="calls"/> once per round, in the given order on even rounds and in the reverse
    /// order on odd ones; the first <paramref name="warmupRounds"/> rounds are not kept.
    /// </summary>
    public static async Task<PairedCheck> RunAsync(int rounds, int warmupRounds, params Func<Task>[] calls)
    {
        var check = new PairedCheck(calls.Length, rounds);
        var ms = new double[calls.Length];
        for (var round = -warmupRounds; round < rounds; round++)
        {
            for (var k = 0; k < calls.Length; k++)
            {
                var i = round % 2 == 0 ? k : calls.Length - 1 - k;
                var started = Stopwatch.GetTimestamp();
                await calls[i]();
                ms[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
            if (round < 0) continue;
            for (var i = 0; i < calls.Length; i++)
                check.times[i].Add(ms[i]);
        }
        return check;
    }

    /// <summary>The median time of call <paramref name="call"/> (its index in RunAsync's calls), in ms.</summary>
    public double MedianMs(int call) => Median(times[call]);

    /// <summary>The per-round ratios of one call's time to another's, sorted (the first is the lowest).</summary>
    public IReadOnlyList<double> Ratios(int numerator, int denominator) =>
        times[numerator].Zip(times[denominator], (n, d) => n / d).Order().ToList();

    public double MedianRatio(int numerator, int denominator) => Median(Ratios(numerator, denominator));

    /// <summary>Two calls' median times and the median of the per-round ratios, the second's to the first's: "page 1 3.3 ms, page 5,000 3.6 ms (ratio 1.05×)".</summary>
    public string Compare(int first, string firstName, int second, string secondName) =>
        $"{firstName} {MedianMs(first):0.###} ms, {secondName} {MedianMs(second):0.###} ms (ratio {MedianRatio(second, first):0.00}×)";

    /// <summary>The median (of an even count, the mean of the two middle values); NaN when there are none.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var s = values.Order().ToList();
        if (s.Count == 0) return double.NaN;
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }

    /// <summary>The nearest-rank percentile <paramref name="p"/> (0–1) of values sorted ascending: the spread of per-round values (p10–p90).</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
