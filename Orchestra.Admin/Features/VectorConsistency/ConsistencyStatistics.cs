namespace Orchestra.Admin.Features.VectorConsistency;

/// <summary>One bar of the histogram: the distances in (<see cref="From"/>, <see cref="To"/>] (the first bar includes 0).</summary>
public sealed record HistogramBin(double From, double To, int Count);

/// <summary>The numbers behind "were these vectors made by this model?": cosine distances and their distribution.</summary>
public static class ConsistencyStatistics
{
    /// <summary>
    /// The histogram's edges in cosine distance (which runs from 0 to 2): fine where a model's own vectors lie (rounding,
    /// another runtime: below 0.01) and where a near miss lies, coarse beyond, so that a few bars tell the story. The
    /// check's threshold is added as an edge, so the bars above it are exactly the mismatches.
    /// </summary>
    public static readonly IReadOnlyList<double> Edges = [0, 0.001, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2];

    /// <summary>1 − a·b / (|a|·|b|), in double; null when either vector is all zeros (no direction to compare).</summary>
    public static double? CosineDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"vectors of {a.Length} and {b.Length} numbers cannot be compared");
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }
        if (na == 0 || nb == 0) return null;
        return 1 - dot / Math.Sqrt(na * nb);
    }

    /// <summary>
    /// The <paramref name="p"/>-quantile (0–1) of ascending <paramref name="sorted"/> values, interpolated linearly between
    /// the two nearest ranks (NumPy's default): the median of [1, 2, 3, 4] is 2.5. Null for no values.
    /// </summary>
    public static double? Quantile(IReadOnlyList<double> sorted, double p)
    {
        if (p is < 0 or > 1 || double.IsNaN(p)) throw new ArgumentOutOfRangeException(nameof(p), p, "a quantile is from 0 to 1");
        if (sorted.Count == 0) return null;
        var position = p * (sorted.Count - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Count - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }

    /// <summary>
    /// Counts per bar between <see cref="Edges"/> plus <paramref name="threshold"/>: a distance on an edge belongs to the bar
    /// that ends there (so one equal to the threshold is not counted above it, as it is no mismatch); a slightly negative
    /// distance (float rounding of identical vectors) counts in the first bar, one beyond 2 in the last.
    /// </summary>
    public static IReadOnlyList<HistogramBin> Histogram(IEnumerable<double> distances, double threshold)
    {
        var edges = Edges.Append(threshold).Where(e => e is >= 0 and <= 2).Distinct().Order().ToArray();
        var counts = new int[edges.Length - 1];
        foreach (var d in distances)
        {
            var bin = 0;
            while (bin < counts.Length - 1 && d > edges[bin + 1]) bin++;
            counts[bin]++;
        }
        return counts.Select((n, i) => new HistogramBin(edges[i], edges[i + 1], n)).ToList();
    }
}
