using Orchestra.Admin.Data.Postgres;

namespace Orchestra.Admin.Features.Postgres;

public sealed record Replica
{
    public int Pid { get; init; }
    public string? UserName { get; init; }
    public string ApplicationName { get; init; } = "";
    public string? ClientAddress { get; init; }
    /// <summary>startup, catchup, streaming, backup or stopping.</summary>
    public string? State { get; init; }
    /// <summary>async, potential, sync or quorum.</summary>
    public string? SyncState { get; init; }
    public string? SentLsn { get; init; }
    public string? ReplayLsn { get; init; }
    public double? WriteLagSeconds { get; init; }
    public double? FlushLagSeconds { get; init; }
    public double? ReplayLagSeconds { get; init; }
    /// <summary>WAL not yet replayed by the replica; null on a standby.</summary>
    public double? ReplayLagBytes { get; init; }
    public DateTime? BackendStart { get; init; }
    public DateTime? ReplyTime { get; init; }
}

public sealed record ReplicationSlot
{
    public string SlotName { get; init; } = "";
    /// <summary>physical or logical.</summary>
    public string SlotType { get; init; } = "";
    public string? Plugin { get; init; }
    public string? DatabaseName { get; init; }
    public bool Temporary { get; init; }
    public bool Active { get; init; }
    public int? ActivePid { get; init; }
    public string? WalStatus { get; init; }
    public string? RestartLsn { get; init; }
    /// <summary>WAL kept on disk for this slot; null when the slot has reserved none yet.</summary>
    public long? RetainedBytes { get; init; }
    public long? SafeWalSize { get; init; }

    /// <summary>Nobody reads from it, yet it keeps WAL: it grows until it is used again or dropped.</summary>
    public bool InactiveHoldingWal => !Active && RetainedBytes > 0;
}

public sealed record ArchiverStatus
{
    /// <summary>off, on or always.</summary>
    public string ArchiveMode { get; init; } = "";
    /// <summary>Null when hidden from the dashboard's role.</summary>
    public bool? ArchiveCommandSet { get; init; }
    public string? ArchiveLibrary { get; init; }
    public long ArchivedCount { get; init; }
    public string? LastArchivedWal { get; init; }
    public DateTime? LastArchivedTime { get; init; }
    public long FailedCount { get; init; }
    public string? LastFailedWal { get; init; }
    public DateTime? LastFailedTime { get; init; }
    public DateTime? StatsReset { get; init; }

    public bool IsOff => ArchiveMode == "off";
    /// <summary>The last attempt failed: the last failure is newer than the last success.</summary>
    public bool FailingNow => LastFailedTime is { } failed && (LastArchivedTime is not { } archived || failed > archived);
}

public sealed record CheckpointStats
{
    public long CheckpointsTimed { get; init; }
    public long CheckpointsRequested { get; init; }
    public double CheckpointWriteSeconds { get; init; }
    public double CheckpointSyncSeconds { get; init; }
    public long BuffersCheckpoint { get; init; }
    public long BuffersClean { get; init; }
    public long MaxwrittenClean { get; init; }
    /// <summary>Null on PostgreSQL 17+, which counts these in pg_stat_io.</summary>
    public long? BuffersBackend { get; init; }
    public long BuffersAlloc { get; init; }
    public DateTime? StatsReset { get; init; }

    /// <summary>Share of checkpoints forced before checkpoint_timeout; null before the first.</summary>
    public double? RequestedShare =>
        CheckpointsTimed + CheckpointsRequested == 0 ? null : (double)CheckpointsRequested / (CheckpointsTimed + CheckpointsRequested);

    /// <summary>Most checkpoints are forced (and there have been a few): max_wal_size is likely too small.</summary>
    public bool TooManyRequested => RequestedShare > 0.5 && CheckpointsTimed + CheckpointsRequested >= 5;
}

public sealed record WalStatus
{
    public string WalLevel { get; init; } = "";
    public bool InRecovery { get; init; }
    public string? CurrentLsn { get; init; }
    public long WalRecords { get; init; }
    public long WalFullPageImages { get; init; }
    public long WalBytes { get; init; }
    public long WalBuffersFull { get; init; }
    public DateTime? StatsReset { get; init; }
    public long WalFiles { get; init; }
    public long WalDirectoryBytes { get; init; }
    public long MaxWalSizeBytes { get; init; }
}

public interface IReplicationChecks
{
    Task<IReadOnlyList<Replica>> ReplicasAsync(CancellationToken ct = default);
    Task<IReadOnlyList<ReplicationSlot>> SlotsAsync(CancellationToken ct = default);
    Task<ArchiverStatus> ArchiverAsync(CancellationToken ct = default);
    Task<CheckpointStats> CheckpointsAsync(CancellationToken ct = default);
    Task<WalStatus> WalAsync(CancellationToken ct = default);
}

/// <summary>Replicas and their lag, replication slots and the WAL they hold, WAL archiving, checkpoints.</summary>
public sealed class ReplicationChecks(PostgresQueryRunner queries) : IReplicationChecks
{
    private int? serverVersion;

    public Task<IReadOnlyList<Replica>> ReplicasAsync(CancellationToken ct = default) =>
        queries.QueryAsync<Replica>("monitoring/replication/replicas", ct: ct);

    public Task<IReadOnlyList<ReplicationSlot>> SlotsAsync(CancellationToken ct = default) =>
        queries.QueryAsync<ReplicationSlot>("monitoring/replication/slots", ct: ct);

    public Task<ArchiverStatus> ArchiverAsync(CancellationToken ct = default) =>
        queries.QuerySingleAsync<ArchiverStatus>("monitoring/replication/archiver", ct: ct);

    public async Task<CheckpointStats> CheckpointsAsync(CancellationToken ct = default)
    {
        serverVersion ??= await queries.QuerySingleAsync<int>("monitoring/settings/server_version_num", ct: ct);
        // PostgreSQL 17 moved the checkpoint counters from pg_stat_bgwriter to pg_stat_checkpointer.
        var name = serverVersion >= 170000 ? "monitoring/replication/checkpoints_pg17" : "monitoring/replication/checkpoints";
        return await queries.QuerySingleAsync<CheckpointStats>(name, ct: ct);
    }

    public Task<WalStatus> WalAsync(CancellationToken ct = default) =>
        queries.QuerySingleAsync<WalStatus>("monitoring/replication/wal", ct: ct);
}
