using System.Globalization;

namespace Orchestra.Admin.Features.Demo;

/// <summary>How many rows the demo seeder puts in each table.</summary>
public sealed record DemoSeedSize(int Documents, int Tasks, int Sessions, int CacheEntries, int EmbeddingCacheEntries)
{
    /// <summary>The demo as shipped: enough rows for the estimates, the pagers and the charts to look real.</summary>
    public static DemoSeedSize Full { get; } = new(Documents: 50_000, Tasks: 20_000, Sessions: 5_000, CacheEntries: 10_000, EmbeddingCacheEntries: 1_000);

    /// <summary>Every count times <paramref name="factor"/>, at least one row per table.</summary>
    public DemoSeedSize Scale(double factor)
    {
        if (!(factor > 0) || double.IsInfinity(factor))
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "must be a number greater than 0");
        int Of(int count) => (int)Math.Max(1, Math.Round(count * factor));
        return new(Of(Documents), Of(Tasks), Of(Sessions), Of(CacheEntries), Of(EmbeddingCacheEntries));
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Documents:N0} documents, {Tasks:N0} tasks, {Sessions:N0} sessions, {CacheEntries:N0} cache entries, {EmbeddingCacheEntries:N0} embedding cache entries");
}
