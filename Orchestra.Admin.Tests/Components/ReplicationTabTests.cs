using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Orchestra.Admin.Features.Postgres;
using Orchestra.Admin.Features.Postgres.Tabs;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Components;

public class ReplicationTabTests : BunitSetup
{
    private sealed class FakeReplicationChecks : IReplicationChecks
    {
        public Func<Task<IReadOnlyList<Replica>>> Replicas { get; set; } = () => Task.FromResult<IReadOnlyList<Replica>>([]);
        public IReadOnlyList<ReplicationSlot> Slots { get; set; } = [];
        public ArchiverStatus Archiver { get; set; } = new() { ArchiveMode = "off", ArchiveCommandSet = false };

        public Task<IReadOnlyList<Replica>> ReplicasAsync(CancellationToken ct = default) => Replicas();
        public Task<IReadOnlyList<ReplicationSlot>> SlotsAsync(CancellationToken ct = default) => Task.FromResult(Slots);
        public Task<ArchiverStatus> ArchiverAsync(CancellationToken ct = default) => Task.FromResult(Archiver);
        public Task<CheckpointStats> CheckpointsAsync(CancellationToken ct = default) =>
            Task.FromResult(new CheckpointStats { CheckpointsTimed = 2, CheckpointsRequested = 18, BuffersAlloc = 100 });
        public Task<WalStatus> WalAsync(CancellationToken ct = default) =>
            Task.FromResult(new WalStatus { WalLevel = "replica", CurrentLsn = "0/3000000", WalFiles = 3, WalDirectoryBytes = 50_331_648, MaxWalSizeBytes = 1_073_741_824 });
    }

    private readonly FakeReplicationChecks checks = new();

    public ReplicationTabTests() => Services.AddSingleton<IReplicationChecks>(checks);

    [Fact]
    public void An_inactive_slot_holding_wal_is_flagged_with_the_statement_to_drop_it()
    {
        checks.Slots =
        [
            new ReplicationSlot { SlotName = "old_standby", SlotType = "physical", Active = false, RetainedBytes = 3L * 1024 * 1024 * 1024, WalStatus = "extended" },
            new ReplicationSlot { SlotName = "live", SlotType = "physical", Active = true, ActivePid = 4321, RetainedBytes = 1024, WalStatus = "reserved" },
        ];
        var tab = Render<ReplicationTab>();

        var old = tab.Find("[data-slot=old_standby]");
        Assert.Contains("inactive, holding WAL", old.TextContent);
        Assert.Contains("3.0 GB", old.TextContent);
        Assert.Contains("SELECT pg_drop_replication_slot('old_standby');", old.TextContent);
        var live = tab.Find("[data-slot=live]");
        Assert.Contains("active (pid 4321)", live.TextContent);
        Assert.DoesNotContain("pg_drop_replication_slot", live.TextContent);
    }

    [Fact]
    public void Archiving_off_forced_checkpoints_and_no_replicas_are_each_said()
    {
        var tab = Render<ReplicationTab>();

        Assert.Contains("archive_mode is off", tab.Find("[data-testid=archiving-off]").TextContent);
        Assert.Contains("Raise max_wal_size", tab.Find("[data-testid=checkpoints-requested]").TextContent);
        Assert.Contains("No replica is streaming", tab.Markup);
        Assert.Contains("No replication slots", tab.Markup);
        Assert.Equal(["Replicas", "Replication slots", "WAL archiving", "Checkpoints and background writer", "WAL"],
            tab.FindAll("section h2").Select(h => h.TextContent));
    }

    [Fact]
    public void A_failing_archiver_is_shown_as_failing()
    {
        var t = new DateTime(2025, 1, 1, 12, 0, 0, DateTimeKind.Utc);
        checks.Archiver = new ArchiverStatus
        {
            ArchiveMode = "on", ArchiveCommandSet = true, ArchivedCount = 10, LastArchivedWal = "000000010000000000000009", LastArchivedTime = t,
            FailedCount = 4, LastFailedWal = "00000001000000000000000A", LastFailedTime = t.AddMinutes(5),
        };
        var tab = Render<ReplicationTab>();
        Assert.Contains("00000001000000000000000A", tab.Find("[data-testid=archiving-failing]").TextContent);
    }

    [Fact]
    public void A_failing_panel_shows_its_error_and_the_others_still_render()
    {
        checks.Replicas = () => Task.FromException<IReadOnlyList<Replica>>(new InvalidOperationException("boom"));
        var tab = Render<ReplicationTab>();

        Assert.Contains("boom", tab.Find("[role=alert]").TextContent);
        Assert.Contains("archive_mode is off", tab.Markup);
        Assert.Contains("0/3000000", tab.Markup);
    }
}
