using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Features.Overview;

namespace Orchestra.Admin.Features.Postgres;

/// <summary>The size of this database (monitoring/space/database_size).</summary>
public sealed record DatabaseSize
{
    public string DatabaseName { get; init; } = "";
    public long DatabaseBytes { get; init; }
    public long TableCount { get; init; }
    public long IndexCount { get; init; }
}

public interface ISpaceChecks
{
    Task<DatabaseSize> DatabaseSizeAsync(CancellationToken ct = default);
    Task<IReadOnlyList<TableSize>> TableSizesAsync(int limit, CancellationToken ct = default);
}

/// <summary>Disk space: the database as a whole and per table (the Overview's table_sizes query).</summary>
public sealed class SpaceChecks(PostgresQueryRunner queries) : ISpaceChecks
{
    public Task<DatabaseSize> DatabaseSizeAsync(CancellationToken ct = default) =>
        queries.QuerySingleAsync<DatabaseSize>("monitoring/space/database_size", ct: ct);

    public Task<IReadOnlyList<TableSize>> TableSizesAsync(int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return queries.QueryAsync<TableSize>("monitoring/space/table_sizes", new { limit }, ct: ct);
    }
}
