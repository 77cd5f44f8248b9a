using Orchestra.Admin.Sampling;

namespace Orchestra.Admin.Features.Sessions;

/// <summary>
/// The session store's part of a sampler round: active, expired (not yet cleaned up) and revoked sessions, counted once
/// per round for every viewer (sql/sessions/counts.sql). The sessions page's counts and history chart read these.
/// </summary>
public sealed class SessionsMetricSource(IServiceProvider services, ILogger<SessionsMetricSource> logger) : IMetricSource
{
    public const string Active = "sessions.active";
    public const string Expired = "sessions.expired";
    public const string Deleted = "sessions.deleted";

    /// <summary>The counts a round read, or null when it did not (before the first round, or the read failed).</summary>
    public static SessionCounts? CountsOf(SampleRound? round) =>
        round != null && round.Values.TryGetValue(Active, out var active)
            && round.Values.TryGetValue(Expired, out var expired) && round.Values.TryGetValue(Deleted, out var revoked)
            ? new SessionCounts((long)active, (long)expired, (long)revoked)
            : null;

    public async Task<IReadOnlyDictionary<string, double>> ReadAsync(CancellationToken ct)
    {
        try
        {
            await using var scope = services.CreateAsyncScope();
            var counts = await scope.ServiceProvider.GetRequiredService<ISessionsService>().CountsAsync(ct);
            return new Dictionary<string, double> { [Active] = counts.Active, [Expired] = counts.Expired, [Deleted] = counts.Revoked };
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // No sessions table (another stack version), a missing grant, a timeout: the round keeps its other metrics.
            logger.LogWarning("Sampler: sessions not counted: {Error}", e.Message);
            return new Dictionary<string, double>();
        }
    }
}
