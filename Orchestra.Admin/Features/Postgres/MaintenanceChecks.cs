using Orchestra.Admin.Data.Postgres;

namespace Orchestra.Admin.Features.Postgres;

/// <summary>Vacuum and analyze state of one table (monitoring/maintenance/vacuum_stats). Times are UTC.</summary>
public sealed record TableVacuumStats
{
    public string TableName { get; init; } = "";
    public long LiveRows { get; init; }
    public long DeadRows { get; init; }
    /// <summary>0..1, dead / (live + dead); null for an empty table.</summary>
    public double? DeadRatio { get; init; }
    public long ModifiedSinceAnalyze { get; init; }
    public DateTime? LastVacuum { get; init; }
    public DateTime? LastAutovacuum { get; init; }
    public DateTime? LastAnalyze { get; init; }
    public DateTime? LastAutoanalyze { get; init; }
    public long VacuumCount { get; init; }
    public long AutovacuumCount { get; init; }
    public long AnalyzeCount { get; init; }
    public long AutoanalyzeCount { get; init; }
    public bool AutovacuumEnabled { get; init; }
}

/// <summary>A table with more dead rows than its autovacuum threshold (monitoring/maintenance/vacuum_overdue).</summary>
public sealed record VacuumOverdueTable
{
    public string TableName { get; init; } = "";
    public long DeadRows { get; init; }
    public long LiveRows { get; init; }
    /// <summary>base_threshold + scale_factor * reltuples, as autovacuum computes it.</summary>
    public double VacuumThreshold { get; init; }
    public long BaseThreshold { get; init; }
    public double ScaleFactor { get; init; }
    public bool AutovacuumEnabled { get; init; }
    public DateTime? LastVacuum { get; init; }
    public DateTime? LastAutovacuum { get; init; }
    public bool VacuumRunning { get; init; }
    public string VacuumStatement { get; init; } = "";
}

/// <summary>Transaction-ID age of one database of the server (monitoring/maintenance/wraparound_databases).</summary>
public sealed record DatabaseWraparound
{
    public string DatabaseName { get; init; } = "";
    public bool IsCurrent { get; init; }
    public long XidAge { get; init; }
    public long FreezeMaxAge { get; init; }
    public double PercentOfFreezeMaxAge { get; init; }
    public double PercentTowardsWraparound { get; init; }
    public long MultixactAge { get; init; }
    public long MultixactFreezeMaxAge { get; init; }
    public double MultixactPercentOfFreezeMaxAge { get; init; }
}

/// <summary>Transaction-ID age of one table (monitoring/maintenance/wraparound_tables).</summary>
public sealed record TableWraparound
{
    public string TableName { get; init; } = "";
    public long XidAge { get; init; }
    /// <summary>The table's effective autovacuum_freeze_max_age (its reloption when lower than the server's).</summary>
    public long FreezeMaxAge { get; init; }
    public double PercentOfFreezeMaxAge { get; init; }
    public double PercentTowardsWraparound { get; init; }
    public string FreezeStatement { get; init; } = "";
}

/// <summary>How far a sequence is from the last value it, or the column it feeds, can take (monitoring/maintenance/sequences).</summary>
public sealed record SequenceUsage
{
    public string SequenceName { get; init; } = "";
    public string SequenceType { get; init; } = "";
    /// <summary>Null before the first nextval.</summary>
    public long? LastValue { get; init; }
    public long IncrementBy { get; init; }
    /// <summary>The sequence's own limit or its column type's, whichever comes first.</summary>
    public long UsableLimit { get; init; }
    /// <summary>The owning column's type runs out before the sequence does.</summary>
    public bool LimitedByColumn { get; init; }
    public bool Cycles { get; init; }
    public string? OwnerTable { get; init; }
    public string? OwnerColumn { get; init; }
    public string? ColumnType { get; init; }
    /// <summary>0..100.</summary>
    public double PercentUsed { get; init; }
    public decimal? ValuesLeft { get; init; }
    public string? AlterStatement { get; init; }
}

public interface IMaintenanceChecks
{
    Task<IReadOnlyList<TableVacuumStats>> VacuumStatsAsync(int limit, CancellationToken ct = default);
    Task<IReadOnlyList<VacuumOverdueTable>> VacuumOverdueAsync(CancellationToken ct = default);
    Task<IReadOnlyList<DatabaseWraparound>> WraparoundDatabasesAsync(CancellationToken ct = default);
    Task<IReadOnlyList<TableWraparound>> WraparoundTablesAsync(int limit, CancellationToken ct = default);
    Task<IReadOnlyList<SequenceUsage>> SequencesAsync(CancellationToken ct = default);
}

/// <summary>Vacuum, analyze, transaction-ID wraparound and sequence exhaustion.</summary>
public sealed class MaintenanceChecks(PostgresQueryRunner queries) : IMaintenanceChecks
{
    public Task<IReadOnlyList<TableVacuumStats>> VacuumStatsAsync(int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return queries.QueryAsync<TableVacuumStats>("monitoring/maintenance/vacuum_stats", new { limit }, ct: ct);
    }

    public Task<IReadOnlyList<VacuumOverdueTable>> VacuumOverdueAsync(CancellationToken ct = default) =>
        queries.QueryAsync<VacuumOverdueTable>("monitoring/maintenance/vacuum_overdue", ct: ct);

    public Task<IReadOnlyList<DatabaseWraparound>> WraparoundDatabasesAsync(CancellationToken ct = default) =>
        queries.QueryAsync<DatabaseWraparound>("monitoring/maintenance/wraparound_databases", ct: ct);

    public Task<IReadOnlyList<TableWraparound>> WraparoundTablesAsync(int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return queries.QueryAsync<TableWraparound>("monitoring/maintenance/wraparound_tables", new { limit }, ct: ct);
    }

    public Task<IReadOnlyList<SequenceUsage>> SequencesAsync(CancellationToken ct = default) =>
        queries.QueryAsync<SequenceUsage>("monitoring/maintenance/sequences", ct: ct);
}
