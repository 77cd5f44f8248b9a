namespace Orchestra.Admin.Sampling;

/// <summary>
/// Metrics from a backend other than PostgreSQL, read once per sampler round and stored with the round.
/// A source reports its own failure as values (e.g. "reachable" = 0) instead of throwing, so a backend
/// that is down leaves a mark in the history and never costs the round its PostgreSQL metrics.
/// </summary>
public interface IMetricSource
{
    Task<IReadOnlyDictionary<string, double>> ReadAsync(CancellationToken ct);
}
