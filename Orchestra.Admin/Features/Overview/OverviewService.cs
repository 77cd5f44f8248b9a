using Orchestra.Admin.Data.Postgres;

namespace Orchestra.Admin.Features.Overview;

/// <param name="HitRatio">0..1, or null when nothing has been read yet (a fresh database).</param>
public sealed record CacheHitRatio(long HeapBlocksHit, long HeapBlocksRead, double? HitRatio);

public sealed record ConnectionSummary(
    long Active,
    long IdleInTransaction,
    long TotalInDatabase,
    long UsedOnServer,
    int MaxConnections,
    int ReservedConnections);

/// <param name="TableName">Schema-qualified, quoted by PostgreSQL where needed.</param>
/// <param name="EstimatedRows">pg_class.reltuples; null when the table was never analyzed.</param>
public sealed record TableSize(
    string TableName,
    string SchemaName,
    string RelationName,
    long TotalBytes,
    long TableBytes,
    long IndexBytes,
    long ToastBytes,
    long? EstimatedRows);

/// <param name="ExtraRights">Role attributes a dashboard does not need (SUPERUSER, REPLICATION…), comma-separated; empty when none.</param>
/// <param name="AdminGroups">The roles of sql/roles.sql the login is a member of, comma-separated.</param>
public sealed record DashboardLogin(string Login, bool IsSuperuser, string ExtraRights, string AdminGroups);

public interface IOverviewService
{
    /// <summary>The role the dashboard logs in as, and the rights it has beyond what it needs.</summary>
    Task<DashboardLogin> GetDashboardLoginAsync(CancellationToken ct = default);
    Task<CacheHitRatio> GetCacheHitRatioAsync(CancellationToken ct = default);
    Task<ConnectionSummary> GetConnectionSummaryAsync(CancellationToken ct = default);
    Task<IReadOnlyList<TableSize>> GetTableSizesAsync(int limit, CancellationToken ct = default);
}

/// <summary>The Overview page's three facts: the stack migration guide's monitoring queries, corrected.</summary>
public sealed class OverviewService(PostgresQueryRunner queries) : IOverviewService
{
    public Task<DashboardLogin> GetDashboardLoginAsync(CancellationToken ct = default) =>
        queries.QuerySingleAsync<DashboardLogin>("monitoring/settings/dashboard_login", ct: ct);

    public Task<CacheHitRatio> GetCacheHitRatioAsync(CancellationToken ct = default) =>
        queries.QuerySingleAsync<CacheHitRatio>("monitoring/cache/hit_ratio", ct: ct);

    public Task<ConnectionSummary> GetConnectionSummaryAsync(CancellationToken ct = default) =>
        queries.QuerySingleAsync<ConnectionSummary>("monitoring/connections/summary", ct: ct);

    public Task<IReadOnlyList<TableSize>> GetTableSizesAsync(int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return queries.QueryAsync<TableSize>("monitoring/space/table_sizes", new { limit }, ct: ct);
    }
}
