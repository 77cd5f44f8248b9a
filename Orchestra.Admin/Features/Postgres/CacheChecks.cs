using Orchestra.Admin.Data.Postgres;

namespace Orchestra.Admin.Features.Postgres;

/// <param name="TableHitRatio">Null: no table block read yet.</param>
/// <param name="IndexHitRatio">Null: no index block read yet.</param>
public sealed record CacheHitRatios
{
    public double? TableHitRatio { get; init; }
    public double? IndexHitRatio { get; init; }
}

public sealed record TableCacheHitRatio
{
    public string TableName { get; init; } = "";
    public long TotalBytes { get; init; }
    public long HeapBlocksHit { get; init; }
    public long HeapBlocksRead { get; init; }
    public double? TableHitRatio { get; init; }
    public double? IndexHitRatio { get; init; }
}

public interface ICacheChecks
{
    Task<CacheHitRatios> HitRatiosAsync(CancellationToken ct = default);
    Task<IReadOnlyList<TableCacheHitRatio>> HitRatiosByTableAsync(int limit, CancellationToken ct = default);
}

/// <summary>How much of what is read comes from shared_buffers, for tables and indexes, overall and per table.</summary>
public sealed class CacheChecks(PostgresQueryRunner queries) : ICacheChecks
{
    public Task<CacheHitRatios> HitRatiosAsync(CancellationToken ct = default) =>
        queries.QuerySingleAsync<CacheHitRatios>("monitoring/cache/hit_ratio_by_kind", ct: ct);

    public Task<IReadOnlyList<TableCacheHitRatio>> HitRatiosByTableAsync(int limit, CancellationToken ct = default) =>
        queries.QueryAsync<TableCacheHitRatio>("monitoring/cache/hit_ratio_by_table", new { limit }, ct: ct);
}
