using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Orchestra.Admin.Components.Controls;
using Orchestra.Admin.Sampling;

namespace Orchestra.Admin.Tests.Infrastructure;

/// <summary>The one setup for component tests: MudBlazor's services, loose JS interop, the app's per-circuit helpers.</summary>
public abstract class BunitSetup : BunitContext, IAsyncLifetime
{
    // Some MudBlazor services are only IAsyncDisposable: dispose the context asynchronously.
    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;
    async Task IAsyncLifetime.DisposeAsync() => await base.DisposeAsync();

    protected BunitSetup()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddScoped<BrowserTimeZone>();
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(new Orchestra.Admin.Hosting.OrchestraAdminOptions()));
        Services.AddSingleton(History);
        Services.AddSingleton<IMetricHistory>(History);
        Services.AddSingleton(Sampler);
        Services.AddSingleton<PerRoundCache>();
        Services.AddSingleton<Orchestra.Admin.Data.Embeddings.EmbeddingProviders>();
        Services.AddScoped<Orchestra.Admin.Features.VectorSearch.TextQueries>();
    }

    /// <summary>The charts' data, set by the test.</summary>
    protected FakeMetricHistory History { get; } = new();

    /// <summary>A real sampler that is never started (its database is unreachable): pages subscribe to it,
    /// and a test raises a round with <see cref="MetricSampler"/>'s event through <c>RaiseSampled</c>.</summary>
    protected MetricSampler Sampler { get; } = TestServices.Sampler(
        Npgsql.NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Timeout=1"), new Orchestra.Admin.Hosting.OrchestraAdminOptions());
}

public sealed class FakeMetricHistory : IMetricHistory
{
    public Func<HistoryRange, IReadOnlyList<string>, MetricHistorySnapshot> Snapshot { get; set; } =
        (range, _) => new MetricHistorySnapshot(range, DateTimeOffset.UnixEpoch, TimeSpan.FromSeconds(15), new Dictionary<string, IReadOnlyList<MetricPoint>>());

    public List<HistoryRange> Requests { get; } = [];

    public Task<MetricHistorySnapshot> GetAsync(HistoryRange range, IReadOnlyList<string> metrics, CancellationToken ct = default)
    {
        Requests.Add(range);
        return Task.FromResult(Snapshot(range, metrics));
    }
}
