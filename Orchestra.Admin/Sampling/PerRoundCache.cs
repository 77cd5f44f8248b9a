using System.Collections.Concurrent;

namespace Orchestra.Admin.Sampling;

/// <summary>
/// Shares one load among every open dashboard: a result is kept until the sampler's next round (or for
/// a longer time given per entry), so a page that refreshes on each round costs the database one query
/// per round, whatever the number of viewers. Failures are not kept: the next viewer tries again.
/// </summary>
public sealed class PerRoundCache
{
    // Lazy: AddOrUpdate may run its factory more than once under contention; only the winner's load starts.
    private sealed record Entry(Lazy<Task<object?>> Load, int Round, DateTimeOffset LoadedAt, TimeSpan? MaxAge)
    {
        public Task<object?> Value => Load.Value;
    }

    private readonly ConcurrentDictionary<string, Entry> entries = new();
    private readonly TimeProvider clock;
    private int round;

    public PerRoundCache(MetricSampler sampler, TimeProvider clock)
    {
        this.clock = clock;
        sampler.Sampled += _ => Interlocked.Increment(ref round);
    }

    /// <param name="maxAge">Keep the result this long across rounds (for slow-moving data); null: until the next round.</param>
    /// <param name="load">Runs without the caller's cancellation token: other viewers may be waiting for it.
    /// The statement timeout bounds it.</param>
    public async Task<T> GetAsync<T>(string key, Func<CancellationToken, Task<T>> load, TimeSpan? maxAge = null, CancellationToken ct = default)
    {
        var entry = entries.AddOrUpdate(key,
            _ => NewEntry(load, maxAge),
            (_, existing) => IsFresh(existing) ? existing : NewEntry(load, maxAge));
        try
        {
            return (T)(await entry.Value.WaitAsync(ct))!;
        }
        catch (Exception) when (entry.Value.IsFaulted)
        {
            entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
            throw;
        }
    }

    /// <summary>Drops the kept results whose key starts with the prefix, so the next read loads again (an operator's explicit Refresh).</summary>
    public void Forget(string keyPrefix)
    {
        foreach (var key in entries.Keys.Where(k => k.StartsWith(keyPrefix, StringComparison.Ordinal)))
            entries.TryRemove(key, out _);
    }

    private Entry NewEntry<T>(Func<CancellationToken, Task<T>> load, TimeSpan? maxAge) =>
        new(new Lazy<Task<object?>>(() => LoadBoxed(load)), Volatile.Read(ref round), clock.GetUtcNow(), maxAge);

    private static async Task<object?> LoadBoxed<T>(Func<CancellationToken, Task<T>> load) => await load(CancellationToken.None);

    private bool IsFresh(Entry entry) =>
        entry.Value.IsFaulted || entry.Value.IsCanceled ? false
        : entry.MaxAge is { } maxAge ? clock.GetUtcNow() - entry.LoadedAt < maxAge
        : entry.Round == Volatile.Read(ref round);
}
