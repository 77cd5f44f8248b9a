using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Hosting;

namespace Orchestra.Admin.Sampling;

public sealed record MetricValue
{
    public string Metric { get; init; } = "";
    public double? Value { get; init; }
}

/// <summary>One sampler round: when, and the values it stored.</summary>
public sealed record SampleRound(DateTimeOffset SampledAt, IReadOnlyDictionary<string, double> Values);

/// <summary>
/// One round of cheap metrics every interval, whatever the number of open dashboards, stored in
/// orchestra_admin.metric_samples; rows older than the retention are deleted by the same round.
/// Pages read the latest round from here (and history from the table) instead of querying per viewer.
/// </summary>
public sealed class MetricSampler(
    PostgresQueryRunner queries,
    NpgsqlDataSource dataSource,
    IOptions<OrchestraAdminOptions> options,
    TimeProvider clock,
    ILogger<MetricSampler> logger,
    IEnumerable<IMetricSource>? otherSources = null) : BackgroundService
{
    private SamplingOptions Sampling => options.Value.Sampling;

    public SampleRound? Latest { get; private set; }

    /// <summary>Raised after each stored round; handlers must be quick and thread-safe.</summary>
    public event Action<SampleRound>? Sampled;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Sampling.IntervalSeconds), clock);
        do
        {
            try
            {
                await SampleOnceAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // PostgreSQL down or slow: the outage banner says so; the next round tries again.
                logger.LogWarning("Sampler round failed: {Error}", e.Message);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Reads the metrics, stores them and applies the retention, in one short transaction for the writes.</summary>
    public async Task<SampleRound> SampleOnceAsync(CancellationToken ct = default)
    {
        var values = (await queries.QueryAsync<MetricValue>("monitoring/sampler/round",
                new { longRunningSeconds = (double)options.Value.Postgres.LongRunningSeconds }, ct: ct))
            .Where(v => v.Value is { } d && double.IsFinite(d))
            .ToDictionary(v => v.Metric, v => v.Value!.Value);
        foreach (var source in otherSources ?? [])
            foreach (var (metric, value) in await source.ReadAsync(ct))
                if (double.IsFinite(value)) values[metric] = value;
        var sampledAt = clock.GetUtcNow();

        await using (var conn = await dataSource.OpenConnectionAsync(ct))
        await using (var tx = await conn.BeginTransactionAsync(ct))
        {
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO orchestra_admin.metric_samples (metric, sampled_at, value)
                SELECT m, @sampledAt, v FROM unnest(@metrics, @values) AS t(m, v)
                ON CONFLICT (metric, sampled_at) DO NOTHING
                """, new { sampledAt = sampledAt.UtcDateTime, metrics = values.Keys.ToArray(), values = values.Values.ToArray() }, tx, cancellationToken: ct));
            await conn.ExecuteAsync(new CommandDefinition(
                "DELETE FROM orchestra_admin.metric_samples WHERE sampled_at < @cutoff",
                new { cutoff = sampledAt.UtcDateTime.AddDays(-Sampling.RetentionDays) }, tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
        }

        var round = new SampleRound(sampledAt, values);
        Publish(round);
        return round;
    }

    internal void Publish(SampleRound round)
    {
        Latest = round;
        Sampled?.Invoke(round);
    }
}
