using Dapper;
using Orchestra.Admin.Features.Audit;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Security;

/// <summary>25 audit records one minute apart; every fifth by bob, every third a requeue of task "t&lt;i&gt;".</summary>
public sealed class AuditDatabase : PostgresDatabase
{
    public static readonly DateTime T0 = new(2026, 11, 1, 12, 0, 0, DateTimeKind.Utc);

    protected override async Task SeedAsync()
    {
        await using var conn = await OpenOtherConnectionAsync();
        for (var i = 0; i < 25; i++)
            await conn.ExecuteAsync("""
                INSERT INTO orchestra_admin.audit_log (occurred_at, actor, actor_role, action, target_table, target_ids, succeeded)
                VALUES (@at, @actor, 'Operator', @action, 'task_queue', @ids, true)
                """, new { at = T0.AddMinutes(i), actor = i % 5 == 0 ? "bob" : "alice", action = i % 3 == 0 ? "task.requeue" : "sign-in", ids = new[] { $"t{i}" } });
    }
}

public class AuditServiceTests(AuditDatabase db) : IClassFixture<AuditDatabase>
{
    private static readonly DateTime T0 = AuditDatabase.T0;

    [Fact]
    public async Task Pages_newest_first_by_keyset_in_both_directions()
    {
        var service = new AuditService(TestServices.QueryRunner(db));
        var first = await service.ListAsync(new AuditFilter(), 10);
        Assert.Equal(Enumerable.Range(15, 10).Reverse().Select(i => $"t{i}"), first.Records.Select(r => r.TargetIds[0]));
        Assert.False(first.HasNewer);
        Assert.True(first.HasOlder);

        var second = await service.ListAsync(new AuditFilter(), 10, olderThan: AuditCursor.Of(first.Records[^1]));
        Assert.Equal(Enumerable.Range(5, 10).Reverse().Select(i => $"t{i}"), second.Records.Select(r => r.TargetIds[0]));
        var third = await service.ListAsync(new AuditFilter(), 10, olderThan: AuditCursor.Of(second.Records[^1]));
        Assert.Equal(5, third.Records.Count);
        Assert.False(third.HasOlder);

        var back = await service.ListAsync(new AuditFilter(), 10, newerThan: AuditCursor.Of(third.Records[0]));
        Assert.Equal(second.Records.Select(r => r.Id), back.Records.Select(r => r.Id));
        Assert.True(back.HasNewer);
    }

    [Fact]
    public async Task Filters_combine()
    {
        var service = new AuditService(TestServices.QueryRunner(db));
        Assert.Equal(5, (await service.ListAsync(new AuditFilter(Actor: "bob"), 50)).Records.Count);
        Assert.Equal(9, (await service.ListAsync(new AuditFilter(Action: "task.requeue"), 50)).Records.Count);
        // bob at 0,5,10,15,20 and requeue at multiples of 3: 0 and 15.
        Assert.Equal(["t15", "t0"], (await service.ListAsync(new AuditFilter(Actor: "bob", Action: "task.requeue"), 50)).Records.Select(r => r.TargetIds[0]));
        Assert.Equal("t7", Assert.Single((await service.ListAsync(new AuditFilter(TargetId: "t7"), 50)).Records).TargetIds[0]);
        var window = await service.ListAsync(new AuditFilter(From: T0.AddMinutes(3), To: T0.AddMinutes(6)), 50);
        Assert.Equal(["t5", "t4", "t3"], window.Records.Select(r => r.TargetIds[0]));
        Assert.Empty((await service.ListAsync(new AuditFilter(Actor: "nobody'; DROP TABLE orchestra_admin.audit_log; --"), 50)).Records);
        Assert.Equal(10, (await service.ListAsync(new AuditFilter(), 10)).Records.Count);
        // One entry by its id: what an action's report links to.
        var seventh = Assert.Single((await service.ListAsync(new AuditFilter(TargetId: "t7"), 50)).Records);
        Assert.Equal(seventh.Id, Assert.Single((await service.ListAsync(new AuditFilter(EntryId: seventh.Id), 50)).Records).Id);
        Assert.Empty((await service.ListAsync(new AuditFilter(Actor: "bob", EntryId: seventh.Id), 50)).Records); // t7 is not bob's
    }

    [Fact]
    public async Task Bad_ranges_and_page_sizes_are_refused()
    {
        var service = new AuditService(TestServices.QueryRunner(db));
        await Assert.ThrowsAsync<ArgumentException>(() => service.ListAsync(new AuditFilter(From: T0, To: T0.AddMinutes(-1)), 10));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => service.ListAsync(new AuditFilter(), 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => service.ListAsync(new AuditFilter(), AuditService.MaxPageSize + 1));
    }
}
