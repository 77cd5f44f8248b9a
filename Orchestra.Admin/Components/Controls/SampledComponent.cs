using Microsoft.AspNetCore.Components;
using Orchestra.Admin.Sampling;

namespace Orchestra.Admin.Components.Controls;

/// <summary>
/// A page (or tab) that follows the sampler: it refreshes on each round and reads through the
/// <see cref="PerRoundCache"/>, so any number of viewers cost the database one query per round.
/// An operator's explicit Refresh (or an action that changes what is shown) loads fresh data.
/// </summary>
public abstract class SampledComponent : ComponentBase, IDisposable
{
    [Inject] protected MetricSampler Sampler { get; set; } = null!;
    [Inject] private PerRoundCache Cache { get; set; } = null!;

    /// <summary>Keys of this page's shared loads start with it, e.g. "overview/".</summary>
    protected abstract string CachePrefix { get; }

    /// <summary>Reloads the page's panels.</summary>
    protected abstract Task RefreshAsync();

    /// <summary>The refresh the last round started, while it runs.</summary>
    private Task roundRefresh = Task.CompletedTask;

    protected override void OnInitialized() => Sampler.Sampled += OnSampled;

    private void OnSampled(SampleRound round) => _ = InvokeAsync(() =>
    {
        StateHasChanged(); // e.g. the time of the last round
        // A panel slower than the interval (a query waiting up to its statement timeout) is not restarted by every
        // round: it would never finish, and never show its data or its "timed out" error.
        if (!roundRefresh.IsCompleted) return Task.CompletedTask;
        roundRefresh = RefreshAsync();
        return roundRefresh;
    });

    protected Task<T> Shared<T>(string key, Func<CancellationToken, Task<T>> load, CancellationToken ct) =>
        Cache.GetAsync(CachePrefix + key, load, ct: ct);

    protected Task RefreshNowAsync()
    {
        Cache.Forget(CachePrefix);
        return RefreshAsync();
    }

    public virtual void Dispose()
    {
        Sampler.Sampled -= OnSampled;
        GC.SuppressFinalize(this);
    }
}
