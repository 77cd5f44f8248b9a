using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Orchestra.Admin.Features.Overview;
using Orchestra.Admin.Features.Postgres;
using Orchestra.Admin.Features.Postgres.Tabs;
using Orchestra.Admin.Security;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Components;

public class ActivityTabTests : BunitSetup
{
    private sealed class FakeActivity : IActivityChecks
    {
        public TimeSpan LongRunningThreshold => TimeSpan.FromSeconds(60);
        public IReadOnlyList<LiveQuery> Live { get; set; } = [];
        public IReadOnlyList<BlockingNode> Tree { get; set; } = [];
        public Task<IReadOnlyList<ConnectionGroup>> ConnectionGroupsAsync(CancellationToken ct = default) =>
            Task.FromResult<IReadOnlyList<ConnectionGroup>>([new() { State = "idle", ApplicationName = "api", UserName = "app", ClientAddress = "10.0.0.5", Connections = 7 }]);
        public Task<IReadOnlyList<IdleInTransaction>> IdleInTransactionAsync(CancellationToken ct = default) => Task.FromResult<IReadOnlyList<IdleInTransaction>>([]);
        public Task<IReadOnlyList<LiveQuery>> LiveQueriesAsync(CancellationToken ct = default) => Task.FromResult(Live);
        public Task<IReadOnlyList<BlockingNode>> BlockingTreeAsync(CancellationToken ct = default) => Task.FromResult(Tree);
        public Task<ActionResult> SignalAsync(LiveQuery target, SignalKind kind, CancellationToken ct = default) => throw new InvalidOperationException("not clicked here");
    }

    private sealed class FakeOverview : IOverviewService
    {
        public Task<DashboardLogin> GetDashboardLoginAsync(CancellationToken ct = default) => throw new NotSupportedException();
        public Task<CacheHitRatio> GetCacheHitRatioAsync(CancellationToken ct = default) => throw new NotSupportedException();
        public Task<ConnectionSummary> GetConnectionSummaryAsync(CancellationToken ct = default) => Task.FromResult(new ConnectionSummary(1, 0, 8, 12, 100, 3));
        public Task<IReadOnlyList<TableSize>> GetTableSizesAsync(int limit, CancellationToken ct = default) => throw new NotSupportedException();
    }

    private sealed class AllowAll : IDatabasePrivileges
    {
        public Task<string?> MissingAsync(string table, string privilege, CancellationToken ct = default) => Task.FromResult<string?>(null);
    }

    private readonly FakeActivity activity = new();

    public ActivityTabTests()
    {
        Services.AddSingleton<IActivityChecks>(activity);
        Services.AddSingleton<IOverviewService>(new FakeOverview());
        Services.AddSingleton<IDatabasePrivileges>(new AllowAll());
        var auth = AddAuthorization();
        auth.SetAuthorized("otto");
        auth.SetRoles(AdminRoles.Operator);
    }

    [Fact]
    public void Long_running_queries_are_flagged_and_the_dashboards_own_get_no_actions()
    {
        activity.Live =
        [
            new LiveQuery { Pid = 101, ApplicationName = "report-job", State = "active", DurationSeconds = 125, Query = "SELECT slow()" },
            new LiveQuery { Pid = 102, ApplicationName = "api", State = "active", DurationSeconds = 0.2, Query = "SELECT 1" },
            new LiveQuery { Pid = 103, ApplicationName = "orchestra-admin", State = "active", DurationSeconds = 0.1, IsDashboard = true, Query = "SELECT …" },
        ];
        var cut = Render<ActivityTab>();

        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("tr[data-pid]").Count));
        var slow = cut.Find("tr[data-pid='101']");
        Assert.Contains("row-warning", slow.ClassName);
        Assert.Contains("2 min 5 s", slow.TextContent);
        Assert.Contains("long-running", slow.TextContent);
        Assert.DoesNotContain("long-running", cut.Find("tr[data-pid='102']").TextContent);
        Assert.Equal(["Cancel", "Terminate"], cut.Find("tr[data-pid='101']").QuerySelectorAll("button").Select(b => b.TextContent.Trim()));
        Assert.Empty(cut.Find("tr[data-pid='103']").QuerySelectorAll("button"));
        Assert.Contains("By application", cut.Markup);
        Assert.Contains("12 / 100", cut.Markup);
    }

    [Fact]
    public void The_blocking_tree_nests_waiters_under_their_blocker()
    {
        activity.Tree =
        [
            new BlockingNode(new BlockingBackend { Pid = 7, ApplicationName = "migration", State = "idle in transaction", Query = "LOCK ledger" },
                [new BlockingNode(new BlockingBackend { Pid = 8, BlockedBy = [7], ApplicationName = "api", WaitEventType = "Lock", WaitEvent = "relation", Query = "SELECT * FROM ledger" }, [])]),
        ];
        var cut = Render<ActivityTab>();

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find(".blocking-tree [data-pid='7']")));
        Assert.NotNull(cut.Find(".blocking-tree > li > ul > li > [data-pid='8']"));
        Assert.Contains("waiting for a lock (relation)", cut.Find("[data-pid='8']").TextContent);
    }
}
