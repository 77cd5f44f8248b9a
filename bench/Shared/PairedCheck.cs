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

    /// <summary>
    /// The per-round ratios of one call's time to another's with their spread: the median, a 95 % confidence interval
    /// of the median, p10–p90, min–max, and the medians of the run's first and second halves (load that drifted during
    /// the run shows as halves that disagree).
    /// </summary>
    public RatioSpread Spread(int numerator, int denominator)
    {
        var inOrder = times[numerator].Zip(times[denominator], (n, d) => n / d).ToList();
        var sorted = inOrder.Order().ToList();
        var (low, high) = MedianInterval(inOrder);
        var half = inOrder.Count / 2;
        return new RatioSpread(inOrder.Count, Median(sorted), low, high, Percentile(sorted, 0.1), Percentile(sorted, 0.9),
            sorted.Count == 0 ? double.NaN : sorted[0], sorted.Count == 0 ? double.NaN : sorted[^1],
            Median(inOrder.Take(half)), Median(inOrder.Skip(half)));
    }

    /// <summary>
    /// A 95 % confidence interval of the median of <paramref name="inOrder"/> (values in the order they were measured):
    /// a circular block bootstrap, 2,000 resamples of blocks of <see cref="BootstrapBlock"/> consecutive rounds. Blocks,
    /// not single rounds, because neighbouring rounds share the machine's load of the moment: resampling rounds one by
    /// one would take them for independent and give an interval too narrow. A fixed seed: the same values, the same interval.
    /// </summary>
    public static (double Low, double High) MedianInterval(IReadOnlyList<double> inOrder, int resamples = 2000, int seed = 17)
    {
        var n = inOrder.Count;
        if (n == 0) return (double.NaN, double.NaN);
        // Each resample only counts how often each measured value is drawn; the median is then read off in sorted order.
        var bySize = Enumerable.Range(0, n).OrderBy(i => inOrder[i]).ToArray();
        var rank = new int[n];
        for (var r = 0; r < n; r++) rank[bySize[r]] = r;
        var block = Math.Min(BootstrapBlock, n);
        var random = new Random(seed);
        var counts = new int[n];
        var medians = new double[resamples];
        for (var s = 0; s < resamples; s++)
        {
            Array.Clear(counts);
            for (var drawn = 0; drawn < n;)
            {
                var start = random.Next(n);
                for (var k = 0; k < block && drawn < n; k++, drawn++) counts[rank[(start + k) % n]]++;
            }
            medians[s] = (NthOfCounts(counts, bySize, inOrder, (n - 1) / 2) + NthOfCounts(counts, bySize, inOrder, n / 2)) / 2;
        }
        Array.Sort(medians);
        return (Percentile(medians, 0.025), Percentile(medians, 0.975));
    }

    /// <summary>Consecutive rounds resampled together by <see cref="MedianInterval"/> (even: each block holds both orders of the calls equally often).</summary>
    public const int BootstrapBlock = 10;

    /// <summary>The <paramref name="k"/>-th smallest (0-based) of a resample given as counts per rank.</summary>
    private static double NthOfCounts(int[] counts, int[] bySize, IReadOnlyList<double> inOrder, int k)
    {
        for (int r = 0, seen = 0; r < counts.Length; r++)
        {
            seen += counts[r];
            if (seen > k) return inOrder[bySize[r]];
        }
        return inOrder[bySize[^1]];
    }

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

/// <summary>
/// The per-round ratios of two calls' times (see <see cref="PairedCheck.Spread"/>): their median with a 95 % confidence
/// interval, p10–p90, min–max and the medians of the first and second halves of the run.
/// </summary>
internal sealed record RatioSpread(int Pairs, double Median, double CiLow, double CiHigh, double P10, double P90, double Min, double Max,
    double FirstHalf, double SecondHalf)
{
    /// <summary>"+9.7 % (95 % CI +8.1 to +11.2 %; p10–p90 −6.0 to +31.5 %; min–max −52 to +283 %; halves +9.1 / +10.4 %; 1,000 pairs)".</summary>
    public string Overhead() =>
        $"{Percent(Median)} (95 % CI {Percent(CiLow)} to {Percent(CiHigh)}; p10–p90 {Percent(P10)} to {Percent(P90)}; "
        + $"min–max {Percent(Min, "0")} to {Percent(Max, "0")}; halves {Percent(FirstHalf)} / {Percent(SecondHalf)}; {Pairs:N0} pairs)";

    /// <summary>"1.097× (95 % CI 1.081–1.112×; p10–p90 0.94–1.32×; min–max 0.48–3.83×; halves 1.09× / 1.10×; 1,000 pairs)".</summary>
    public string Ratio() =>
        $"{Median:0.000}× (95 % CI {CiLow:0.000}–{CiHigh:0.000}×; p10–p90 {P10:0.00}–{P90:0.00}×; min–max {Min:0.00}–{Max:0.00}×; "
        + $"halves {FirstHalf:0.000}× / {SecondHalf:0.000}×; {Pairs:N0} pairs)";

    /// <summary>Against a target overhead in percent: met when the whole interval is at or under it, missed when it is all above.</summary>
    public string Verdict(double targetPercent) =>
        (CiHigh - 1) * 100 <= targetPercent ? $"target ≤ {targetPercent:0} %: met"
        : (CiLow - 1) * 100 > targetPercent ? $"target ≤ {targetPercent:0} %: missed"
        : $"target ≤ {targetPercent:0} %: not decided, the interval contains it";

    private static string Percent(double ratio, string format = "0.0") =>
        ((ratio - 1) * 100).ToString("+" + format + ";−" + format + ";" + format, System.Globalization.CultureInfo.InvariantCulture) + " %";
}
