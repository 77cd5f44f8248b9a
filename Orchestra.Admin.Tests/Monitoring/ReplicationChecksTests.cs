using Dapper;
using Npgsql.Replication;
using Orchestra.Admin.Features.Postgres;
using Orchestra.Admin.Tests.Infrastructure;
using ReplicationSlot = Orchestra.Admin.Features.Postgres.ReplicationSlot;

namespace Orchestra.Admin.Tests.Monitoring;

public class ReplicationChecksTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private ReplicationChecks Checks => new(TestServices.QueryRunner(db));

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> condition)
    {
        for (var i = 0; ; i++)
        {
            var value = await read();
            if (condition(value) || i == 100) return value;
            await Task.Delay(100);
        }
    }

    private async Task<T> ScalarAsync<T>(string sql, object? args = null)
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        return (await conn.ExecuteScalarAsync<T>(sql, args))!;
    }

    [Fact]
    public async Task An_inactive_slot_that_reserved_wal_is_reported_with_the_wal_it_holds()
    {
        // Slots are cluster-wide: a name of its own, dropped at the end.
        var name = "test_slot_" + Guid.NewGuid().ToString("N")[..12];
        await ScalarAsync<object>("SELECT pg_create_physical_replication_slot(@name, true)", new { name });
        try
        {
            // Write some WAL after the slot's position.
            await ScalarAsync<object>("INSERT INTO documents (collection, data) SELECT 'wal', jsonb_build_object('n', g) FROM generate_series(1, 500) AS g");

            var slot = Assert.Single(await Checks.SlotsAsync(), s => s.SlotName == name);

            Assert.Equal("physical", slot.SlotType);
            Assert.False(slot.Active);
            Assert.Null(slot.ActivePid);
            Assert.False(slot.Temporary);
            Assert.NotNull(slot.RestartLsn);
            Assert.True(slot.RetainedBytes > 0, $"retained {slot.RetainedBytes}");
            Assert.True(slot.InactiveHoldingWal);
            Assert.Equal("reserved", slot.WalStatus);
            var expected = await ScalarAsync<long>(
                "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint FROM pg_replication_slots WHERE slot_name = @name", new { name });
            Assert.True(slot.RetainedBytes <= expected, $"{slot.RetainedBytes} then {expected}");
        }
        finally
        {
            await ScalarAsync<object>("SELECT pg_drop_replication_slot(@name)", new { name });
        }
        Assert.DoesNotContain(await Checks.SlotsAsync(), s => s.SlotName == name);
    }

    [Fact]
    public async Task A_streaming_replica_is_listed_and_its_slot_is_active()
    {
        // A real physical replication connection: the WAL sender shows in pg_stat_replication like a standby's.
        var application = "test-replica-" + Guid.NewGuid().ToString("N")[..8];
        var slotName = "test_replica_" + Guid.NewGuid().ToString("N")[..12];
        await using var replication = new PhysicalReplicationConnection(db.Server.ConnectionStringFor(db.Name, application));
        await replication.Open();
        var slot = await replication.CreateReplicationSlot(slotName, isTemporary: true, reserveWal: true);
        var system = await replication.IdentifySystem();
        using var stop = new CancellationTokenSource();
        var streaming = Task.Run(async () =>
        {
            try
            {
                await foreach (var _ in replication.StartReplication(slot, system.XLogPos, stop.Token)) { }
            }
            catch (Exception) when (stop.IsCancellationRequested) { /* stopped by the test */ }
        });
        try
        {
            var replicas = await EventuallyAsync(() => Checks.ReplicasAsync(), rs => rs.Any(r => r.ApplicationName == application && r.State == "streaming"));
            var replica = Assert.Single(replicas, r => r.ApplicationName == application);
            Assert.Equal(("streaming", "async", "127.0.0.1"), (replica.State, replica.SyncState, replica.ClientAddress));
            Assert.True(replica.Pid > 0);
            Assert.NotNull(replica.SentLsn);
            Assert.NotNull(replica.BackendStart);

            var active = Assert.Single(await Checks.SlotsAsync(), s => s.SlotName == slotName);
            Assert.True(active.Active);
            Assert.True(active.Temporary);
            Assert.Equal(replica.Pid, active.ActivePid);
            Assert.False(active.InactiveHoldingWal);
        }
        finally
        {
            stop.Cancel();
            await streaming;
        }
    }

    [Fact]
    public async Task No_replica_connected_gives_an_empty_list_rather_than_an_error()
    {
        var replicas = await Checks.ReplicasAsync();
        Assert.DoesNotContain(replicas, r => r.ApplicationName.StartsWith("never-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Archiving_off_is_reported_as_off()
    {
        var archiver = await Checks.ArchiverAsync();

        Assert.Equal(await ScalarAsync<string>("SELECT current_setting('archive_mode')"), archiver.ArchiveMode);
        if (archiver.ArchiveMode == "off") // the test cluster
        {
            Assert.True(archiver.IsOff);
            Assert.False(archiver.ArchiveCommandSet); // PostgreSQL shows "(disabled)" then
            Assert.Equal(0, archiver.ArchivedCount);
            Assert.False(archiver.FailingNow);
        }
        Assert.NotNull(archiver.StatsReset);
    }

    [Fact]
    public async Task A_requested_checkpoint_is_counted()
    {
        var before = await Checks.CheckpointsAsync();

        await using (var conn = await db.OpenOtherConnectionAsync())
        await using (var checkpoint = new Npgsql.NpgsqlCommand("CHECKPOINT", conn))
            await checkpoint.ExecuteNonQueryAsync();

        var after = await EventuallyAsync(() => Checks.CheckpointsAsync(), c => c.CheckpointsRequested > before.CheckpointsRequested);
        Assert.True(after.CheckpointsRequested > before.CheckpointsRequested, $"{before.CheckpointsRequested} → {after.CheckpointsRequested}");
        Assert.True(after.CheckpointsTimed >= before.CheckpointsTimed);
        Assert.True(after.BuffersAlloc > 0);
        Assert.NotNull(after.RequestedShare);
        Assert.NotNull(after.StatsReset);
    }

    [Fact]
    public async Task Wal_position_size_and_limits_are_read()
    {
        var wal = await Checks.WalAsync();

        Assert.Equal(await ScalarAsync<string>("SELECT current_setting('wal_level')"), wal.WalLevel);
        Assert.False(wal.InRecovery);
        Assert.Matches("^[0-9A-F]+/[0-9A-F]+$", wal.CurrentLsn);
        Assert.True(wal.WalFiles >= 1);
        Assert.True(wal.WalDirectoryBytes >= 1024 * 1024, $"pg_wal {wal.WalDirectoryBytes}");
        Assert.True(wal.WalBytes > 0 && wal.WalRecords > 0);
        Assert.Equal(await ScalarAsync<long>("SELECT pg_size_bytes(current_setting('max_wal_size'))"), wal.MaxWalSizeBytes);
    }
}

public class ReplicationRulesTests
{
    [Fact]
    public void Only_an_inactive_slot_with_retained_wal_is_flagged()
    {
        Assert.True(new ReplicationSlot { Active = false, RetainedBytes = 1 }.InactiveHoldingWal);
        Assert.False(new ReplicationSlot { Active = true, RetainedBytes = 1_000_000 }.InactiveHoldingWal);
        Assert.False(new ReplicationSlot { Active = false, RetainedBytes = null }.InactiveHoldingWal); // reserved nothing yet
        Assert.False(new ReplicationSlot { Active = false, RetainedBytes = 0 }.InactiveHoldingWal);
    }

    [Fact]
    public void Archiving_is_failing_when_the_last_failure_is_newer_than_the_last_success()
    {
        var t = new DateTime(2025, 1, 1, 12, 0, 0, DateTimeKind.Utc);
        Assert.True(new ArchiverStatus { LastFailedTime = t }.FailingNow);
        Assert.True(new ArchiverStatus { LastArchivedTime = t, LastFailedTime = t.AddMinutes(1) }.FailingNow);
        Assert.False(new ArchiverStatus { LastArchivedTime = t.AddMinutes(1), LastFailedTime = t }.FailingNow);
        Assert.False(new ArchiverStatus { LastArchivedTime = t }.FailingNow);
    }

    [Fact]
    public void Mostly_requested_checkpoints_are_flagged()
    {
        Assert.Null(new CheckpointStats().RequestedShare);
        Assert.True(new CheckpointStats { CheckpointsTimed = 2, CheckpointsRequested = 8 }.TooManyRequested);
        Assert.False(new CheckpointStats { CheckpointsTimed = 8, CheckpointsRequested = 2 }.TooManyRequested);
        Assert.False(new CheckpointStats { CheckpointsTimed = 0, CheckpointsRequested = 2 }.TooManyRequested); // too few to tell
    }
}
