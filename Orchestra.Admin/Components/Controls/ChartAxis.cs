namespace Orchestra.Admin.Components.Controls;

/// <summary>
/// A readable y axis for MudBlazor's line charts, whose tick step (YAxisTicks) is a whole number: a range
/// such as 0.00–0.25 (distances) or 0–3 (nodes) would get one tick, and 120 GB would overflow it. Values are
/// plotted times <see cref="Factor"/> (a power of ten that puts the range between 100 and 1,000 units) and
/// each tick is labelled with its value divided by it.
/// </summary>
public sealed record ChartAxis(double Factor, int Ticks)
{
    public static ChartAxis For(IEnumerable<double> values)
    {
        var finite = values.Where(double.IsFinite).ToList();
        var span = finite.Count == 0 ? 1 : finite.Max() - finite.Min();
        if (span <= 0) span = finite.Count == 0 || finite[0] == 0 ? 1 : Math.Abs(finite[0]);
        var factor = Math.Pow(10, 2 - Math.Floor(Math.Log10(span)));
        return new ChartAxis(factor, (int)NiceStep(span * factor / 8)); // 4 to 8 ticks
    }

    public double Plot(double value) => value * Factor;

    public double Unplot(double plotted) => plotted / Factor;

    /// <summary>1, 2 or 5 times a power of ten, at least the raw step.</summary>
    private static double NiceStep(double raw)
    {
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var n = raw / magnitude;
        return Math.Max(1, (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * magnitude);
    }
}
