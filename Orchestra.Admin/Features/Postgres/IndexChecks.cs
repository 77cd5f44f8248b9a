using Orchestra.Admin.Data.Postgres;

namespace Orchestra.Admin.Features.Postgres;

/// <summary>An index never scanned since the statistics were reset (monitoring/indexes/unused).</summary>
public sealed record UnusedIndex
{
    public string TableName { get; init; } = "";
    public string IndexName { get; init; } = "";
    public string AccessMethod { get; init; } = "";
    public long IndexBytes { get; init; }
    public long IndexScans { get; init; }
    public string Definition { get; init; } = "";
    public string DropStatement { get; init; } = "";
}

/// <param name="StatisticsResetAt">UTC; null when this database's statistics were never reset.</param>
public sealed record UnusedIndexes(DateTime? StatisticsResetAt, IReadOnlyList<UnusedIndex> Indexes);

/// <summary>An index whose columns are the same as, or a leading prefix of, another's (monitoring/indexes/duplicates).</summary>
public sealed record RedundantIndex
{
    public string TableName { get; init; } = "";
    public string IndexName { get; init; } = "";
    public string Definition { get; init; } = "";
    public long IndexBytes { get; init; }
    public long IndexScans { get; init; }
    public string CoveringIndexName { get; init; } = "";
    public string CoveringDefinition { get; init; } = "";
    /// <summary>The same columns (INCLUDE too) as the covering index; otherwise a leading prefix of it.</summary>
    public bool IsExactDuplicate { get; init; }
    /// <summary>The constraint the redundant index backs (a unique constraint duplicating another), if any.</summary>
    public string? ConstraintName { get; init; }
    public string DropStatement { get; init; } = "";
}

/// <summary>An index left invalid, e.g. by a failed CREATE INDEX CONCURRENTLY (monitoring/indexes/invalid).</summary>
public sealed record InvalidIndex
{
    public string TableName { get; init; } = "";
    public string IndexName { get; init; } = "";
    public string AccessMethod { get; init; } = "";
    public long IndexBytes { get; init; }
    public bool IsReady { get; init; }
    /// <summary>A concurrent build of it is running right now: not a leftover.</summary>
    public bool BeingBuilt { get; init; }
    public string Definition { get; init; } = "";
    public string DropStatement { get; init; } = "";
}

/// <summary>A table read mostly by sequential scans: a hint that an index is missing (monitoring/indexes/seq_scan_heavy).</summary>
public sealed record SeqScanHeavyTable
{
    public string TableName { get; init; } = "";
    public long SeqScans { get; init; }
    public long SeqRowsRead { get; init; }
    public long IndexScans { get; init; }
    public long LiveRows { get; init; }
    public long TableBytes { get; init; }
    public double RowsPerSeqScan { get; init; }
    /// <summary>0..100: the share of scans that used an index.</summary>
    public double IndexScanPercent { get; init; }
}

/// <summary>One index with its size and use (monitoring/indexes/largest).</summary>
public sealed record IndexSize
{
    public string TableName { get; init; } = "";
    public string IndexName { get; init; } = "";
    public string AccessMethod { get; init; } = "";
    public bool IsUnique { get; init; }
    public bool IsPrimary { get; init; }
    public long IndexBytes { get; init; }
    public long IndexScans { get; init; }
    public long TuplesRead { get; init; }
    public string Definition { get; init; } = "";
}

public interface IIndexChecks
{
    Task<UnusedIndexes> UnusedIndexesAsync(CancellationToken ct = default);
    Task<IReadOnlyList<RedundantIndex>> DuplicateIndexesAsync(CancellationToken ct = default);
    Task<IReadOnlyList<InvalidIndex>> InvalidIndexesAsync(CancellationToken ct = default);
    /// <param name="minRows">Tables with fewer live rows are left out: reading a small table whole is right.</param>
    Task<IReadOnlyList<SeqScanHeavyTable>> SeqScanHeavyTablesAsync(long minRows = IndexChecks.DefaultMinRows, int limit = 50, CancellationToken ct = default);
    Task<IReadOnlyList<IndexSize>> LargestIndexesAsync(int limit, CancellationToken ct = default);
}

/// <summary>Index health: unused, redundant and invalid indexes, tables that look like they miss one, the largest ones.</summary>
public sealed class IndexChecks(PostgresQueryRunner queries) : IIndexChecks
{
    /// <summary>As PgHero: below 10,000 rows a sequential scan is fine.</summary>
    public const long DefaultMinRows = 10_000;

    public async Task<UnusedIndexes> UnusedIndexesAsync(CancellationToken ct = default)
    {
        var resetAt = await queries.QuerySingleAsync<DateTime?>("monitoring/indexes/statistics_reset", ct: ct);
        var indexes = await queries.QueryAsync<UnusedIndex>("monitoring/indexes/unused", ct: ct);
        return new UnusedIndexes(resetAt, indexes);
    }

    public Task<IReadOnlyList<RedundantIndex>> DuplicateIndexesAsync(CancellationToken ct = default) =>
        queries.QueryAsync<RedundantIndex>("monitoring/indexes/duplicates", ct: ct);

    public Task<IReadOnlyList<InvalidIndex>> InvalidIndexesAsync(CancellationToken ct = default) =>
        queries.QueryAsync<InvalidIndex>("monitoring/indexes/invalid", ct: ct);

    public Task<IReadOnlyList<SeqScanHeavyTable>> SeqScanHeavyTablesAsync(long minRows = DefaultMinRows, int limit = 50, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minRows);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return queries.QueryAsync<SeqScanHeavyTable>("monitoring/indexes/seq_scan_heavy", new { min_rows = minRows, limit }, ct: ct);
    }

    public Task<IReadOnlyList<IndexSize>> LargestIndexesAsync(int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return queries.QueryAsync<IndexSize>("monitoring/indexes/largest", new { limit }, ct: ct);
    }
}
