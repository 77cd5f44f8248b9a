using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Features.Overview;
using Orchestra.Admin.Features.Postgres;
using Orchestra.Admin.Features.Postgres.Tabs;
using Orchestra.Admin.Hosting;
using Orchestra.Admin.Sampling;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.Benchmarks;

/// <summary>How the loads of one page view are awaited.</summary>
public enum PageSchedule
{
    /// <summary>Every load after the previous one: the page's statements back to back.</summary>
    Sequential,
    /// <summary>As the page does: tabs one after another (each is opened once), the panels of a tab at the same time
    /// (each DataPanel starts its load when the tab renders).</summary>
    ConcurrentPerTab,
}

/// <summary>
/// What one full view of <c>/postgres</c> loads: every tab opened once (Activity, Cache, Space, Indexes, Maintenance,
/// Queries, Settings, Replication &amp; WAL), each panel's <c>Load</c> as in <c>Features/Postgres/Tabs/*.razor</c>
/// with the tabs' own limits. Not included: the Explain tab (it needs a statement typed in; its "pick one" list is a
/// collapsed expansion panel) and the operator actions (cancel, terminate, reset).
/// </summary>
public static class PostgresPage
{
    // The tabs' limits, read from the tab components themselves so a changed limit changes the benchmark too.
    public static readonly int CacheTableLimit = TabConstant<CacheTab>("TableLimit");
    public static readonly int SpaceTableLimit = TabConstant<SpaceTab>("TableLimit");
    public static readonly int IndexSeqScanLimit = TabConstant<IndexesTab>("SeqScanLimit");
    public static readonly int IndexLargestLimit = TabConstant<IndexesTab>("LargestLimit");
    public static readonly int MaintenanceStatsLimit = TabConstant<MaintenanceTab>("StatsLimit");
    public static readonly int MaintenanceWraparoundLimit = TabConstant<MaintenanceTab>("WraparoundLimit");
    public static readonly int StatementsLimit = TabConstant<StatementsTab>("Limit");
    public const StatementOrder StatementsOrder = StatementOrder.TotalTime; // the Queries tab's default order
    public const HistoryRange GrowthRange = HistoryRange.LastHour;         // HistoryCharts' default range
    /// <summary>The Space tab's "Growth" chart, as HistoryCharts computes its metrics.</summary>
    public static readonly string[] GrowthMetrics = HistoryChart.DatabaseSize.Series.Select(s => s.Metric).Distinct().ToArray();

    private static int TabConstant<TTab>(string name) =>
        typeof(TTab).GetField(name, BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)?.GetRawConstantValue() is int value
            ? value
            : throw new InvalidOperationException($"{typeof(TTab).Name}.{name} is gone: update bench/Orchestra.Admin.Benchmarks/PostgresPageViews.cs to what the tab loads now.");

    /// <summary>Monitoring queries that a view of /postgres does not run, and why. Every other query under
    /// sql/monitoring must be run by the page view, or the benchmark stops (a new panel must be added here).</summary>
    public static readonly IReadOnlyDictionary<string, string> NotOnThePage = new Dictionary<string, string>
    {
        ["monitoring/sampler/round"] = "the sampler's round (a hosted service), not a page's",
        ["monitoring/cache/hit_ratio"] = "the Overview page's tile",
        ["monitoring/statements/by_query_id"] = "the Explain tab, for a statement picked from the Queries tab",
    };

    /// <summary>Only one of them runs, by server version (ReplicationChecks.CheckpointsAsync).</summary>
    public static readonly string[] VersionAlternatives = ["monitoring/replication/checkpoints", "monitoring/replication/checkpoints_pg17"];
}

/// <summary>The app's side: the page's loads through the app's real services, built with the app's own registrations.</summary>
public sealed class AppPageView : IAsyncDisposable
{
    private readonly ServiceProvider services;
    private readonly PerRoundCache cache;

    /// <summary>One tab: its panels' loads against the services of one circuit (a DI scope).</summary>
    private static readonly (string Tab, Func<IServiceProvider, Task>[] Panels)[] Tabs =
    [
        ("activity",
        [
            // The Activity tab shares these through PerRoundCache (one load per sampler round for all viewers):
            // measured here as the first viewer of a round, i.e. the loads themselves.
            sp => sp.GetRequiredService<IActivityChecks>().LiveQueriesAsync(),
            sp => sp.GetRequiredService<IActivityChecks>().BlockingTreeAsync(),
            sp => sp.GetRequiredService<IActivityChecks>().IdleInTransactionAsync(),
            sp => sp.GetRequiredService<IOverviewService>().GetConnectionSummaryAsync(),
            sp => sp.GetRequiredService<IActivityChecks>().ConnectionGroupsAsync(),
        ]),
        ("cache",
        [
            sp => sp.GetRequiredService<ICacheChecks>().HitRatiosAsync(),
            sp => sp.GetRequiredService<ICacheChecks>().HitRatiosByTableAsync(PostgresPage.CacheTableLimit),
        ]),
        ("space",
        [
            sp => sp.GetRequiredService<ISpaceChecks>().DatabaseSizeAsync(),
            sp => sp.GetRequiredService<IMetricHistory>().GetAsync(PostgresPage.GrowthRange, PostgresPage.GrowthMetrics),
            sp => sp.GetRequiredService<ISpaceChecks>().TableSizesAsync(PostgresPage.SpaceTableLimit),
        ]),
        ("indexes",
        [
            sp => sp.GetRequiredService<IIndexChecks>().UnusedIndexesAsync(),
            sp => sp.GetRequiredService<IIndexChecks>().DuplicateIndexesAsync(),
            sp => sp.GetRequiredService<IIndexChecks>().InvalidIndexesAsync(),
            sp => sp.GetRequiredService<IIndexChecks>().SeqScanHeavyTablesAsync(IndexChecks.DefaultMinRows, PostgresPage.IndexSeqScanLimit),
            sp => sp.GetRequiredService<IIndexChecks>().LargestIndexesAsync(PostgresPage.IndexLargestLimit),
        ]),
        ("maintenance",
        [
            sp => sp.GetRequiredService<IMaintenanceChecks>().VacuumOverdueAsync(),
            sp => sp.GetRequiredService<IMaintenanceChecks>().WraparoundDatabasesAsync(),
            sp => sp.GetRequiredService<IMaintenanceChecks>().WraparoundTablesAsync(PostgresPage.MaintenanceWraparoundLimit),
            sp => sp.GetRequiredService<IMaintenanceChecks>().SequencesAsync(),
            sp => sp.GetRequiredService<IMaintenanceChecks>().VacuumStatsAsync(PostgresPage.MaintenanceStatsLimit),
        ]),
        ("queries",
        [
            sp => sp.GetRequiredService<IStatementChecks>().TopStatementsAsync(PostgresPage.StatementsOrder, PostgresPage.StatementsLimit),
        ]),
        ("settings",
        [
            sp => sp.GetRequiredService<ISettingsChecks>().RecommendedAsync(),
        ]),
        ("replication",
        [
            sp => sp.GetRequiredService<IReplicationChecks>().ReplicasAsync(),
            sp => sp.GetRequiredService<IReplicationChecks>().SlotsAsync(),
            sp => sp.GetRequiredService<IReplicationChecks>().ArchiverAsync(),
            sp => sp.GetRequiredService<IReplicationChecks>().CheckpointsAsync(),
            sp => sp.GetRequiredService<IReplicationChecks>().WalAsync(),
        ]),
    ];

    public AppPageView(string connectionString)
    {
        var settings = new OrchestraAdminOptions { Postgres = new PostgresOptions { ConnectionString = connectionString } };
        var s = new ServiceCollection();
        // As OrchestraAdminHosting.AddOrchestraAdmin registers them (logging without a provider: the app's Debug
        // lines are off in production, as here).
        s.AddLogging();
        s.AddSingleton(Options.Create(settings));
        s.AddSingleton(TimeProvider.System);
        OrchestraAdminHosting.AddPostgres(s, settings);
        s.AddSingleton<AuditLog>();
        s.AddSingleton<OperatorActions>();
        s.AddSingleton<MetricSampler>();
        s.AddSingleton<PerRoundCache>();
        s.AddSingleton<IMetricHistory, MetricHistory>();
        s.AddScoped<IOverviewService, OverviewService>();
        s.AddScoped<ICurrentOperator, BenchViewer>();
        s.AddPostgresMonitoring();
        services = s.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        cache = services.GetRequiredService<PerRoundCache>();
    }

    /// <summary>The app's one data source (pool), which the raw side uses too.</summary>
    public NpgsqlDataSource DataSource => services.GetRequiredService<NpgsqlDataSource>();

    public MetricHistory History => (MetricHistory)services.GetRequiredService<IMetricHistory>();

    /// <summary>One view of the page by a new circuit (a new DI scope, as a browser opening /postgres gets).</summary>
    public async Task RunAsync(PageSchedule schedule)
    {
        // The growth chart's history is shared per sampler round: forget it so every view loads it, as the first viewer does.
        cache.Forget("history/");
        await using var scope = services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        foreach (var (_, panels) in Tabs)
        {
            if (schedule == PageSchedule.Sequential)
                foreach (var load in panels)
                    await load(sp);
            else
                await Task.WhenAll(panels.Select(load => load(sp)));
        }
    }

    /// <summary>The page's panels, tab by tab, as one load each against a scope (for the per-panel profile).</summary>
    public IReadOnlyList<Func<Task>> Panels(IServiceProvider scope) =>
        Tabs.SelectMany(t => t.Panels).Select(load => (Func<Task>)(() =>
        {
            cache.Forget("history/");
            return load(scope);
        })).ToList();

    public AsyncServiceScope CreateScope() => services.CreateAsyncScope();

    public ValueTask DisposeAsync() => services.DisposeAsync();

    /// <summary>A signed-in Viewer: the page's reads ask nobody who is acting; only the actions (not benchmarked) would.</summary>
    private sealed class BenchViewer : ICurrentOperator
    {
        public Task<OperatorIdentity> GetAsync() => Task.FromResult(new OperatorIdentity("bench", AdminRoles.Viewer, null));
    }
}

/// <summary>
/// The raw side: the same SQL texts (from SqlCatalog) with the same parameter values, straight through Npgsql on an
/// open connection from the same data source: NpgsqlCommand, every row and every column read with GetValue; no Dapper,
/// no transaction, no SET LOCAL.
/// </summary>
public sealed class RawPageView(NpgsqlDataSource dataSource, MetricHistory history)
{
    private static readonly string[] RecommendedNames = RecommendedSettings.All.Select(r => r.Name).ToArray();

    private Func<NpgsqlConnection, Task>[][] Tabs() =>
    [
        [
            c => QueryAsync(c, "monitoring/activity/live_queries"),
            c => QueryAsync(c, "monitoring/locks/blocking"),
            c => QueryAsync(c, "monitoring/connections/idle_in_transaction"),
            c => QueryAsync(c, "monitoring/connections/summary"),
            c => QueryAsync(c, "monitoring/connections/by_client"),
        ],
        [
            c => QueryAsync(c, "monitoring/cache/hit_ratio_by_kind"),
            c => QueryAsync(c, "monitoring/cache/hit_ratio_by_table", ("limit", PostgresPage.CacheTableLimit)),
        ],
        [
            c => QueryAsync(c, "monitoring/space/database_size"),
            c => GrowthAsync(c),
            c => QueryAsync(c, "monitoring/space/table_sizes", ("limit", PostgresPage.SpaceTableLimit)),
        ],
        [
            async c =>
            {
                await QueryAsync(c, "monitoring/indexes/statistics_reset");
                await QueryAsync(c, "monitoring/indexes/unused");
            },
            c => QueryAsync(c, "monitoring/indexes/duplicates"),
            c => QueryAsync(c, "monitoring/indexes/invalid"),
            c => QueryAsync(c, "monitoring/indexes/seq_scan_heavy", ("min_rows", IndexChecks.DefaultMinRows), ("limit", PostgresPage.IndexSeqScanLimit)),
            c => QueryAsync(c, "monitoring/indexes/largest", ("limit", PostgresPage.IndexLargestLimit)),
        ],
        [
            c => QueryAsync(c, "monitoring/maintenance/vacuum_overdue"),
            c => QueryAsync(c, "monitoring/maintenance/wraparound_databases"),
            c => QueryAsync(c, "monitoring/maintenance/wraparound_tables", ("limit", PostgresPage.MaintenanceWraparoundLimit)),
            c => QueryAsync(c, "monitoring/maintenance/sequences"),
            c => QueryAsync(c, "monitoring/maintenance/vacuum_stats", ("limit", PostgresPage.MaintenanceStatsLimit)),
        ],
        [
            TopStatementsAsync,
        ],
        [
            c => QueryAsync(c, "monitoring/settings/recommended", ("names", RecommendedNames)),
        ],
        [
            c => QueryAsync(c, "monitoring/replication/replicas"),
            c => QueryAsync(c, "monitoring/replication/slots"),
            c => QueryAsync(c, "monitoring/replication/archiver"),
            async c =>
            {
                var version = Convert.ToInt32((await QueryAsync(c, "monitoring/settings/server_version_num"))[0][0]);
                await QueryAsync(c, version >= 170000 ? "monitoring/replication/checkpoints_pg17" : "monitoring/replication/checkpoints");
            },
            c => QueryAsync(c, "monitoring/replication/wal"),
        ],
    ];

    /// <summary>The page's panels, tab by tab, each as one load on the given connection (for the per-panel profile).</summary>
    public IReadOnlyList<Func<NpgsqlConnection, Task>> Panels() => Tabs().SelectMany(t => t).ToList();

    public async Task RunAsync(PageSchedule schedule)
    {
        if (schedule == PageSchedule.Sequential)
        {
            // The sum of the page's SQL: one connection, one statement after another.
            await using var conn = await dataSource.OpenConnectionAsync();
            foreach (var tab in Tabs())
                foreach (var load in tab)
                    await load(conn);
            return;
        }
        foreach (var tab in Tabs())
            await Task.WhenAll(tab.Select(async load =>
            {
                await using var conn = await dataSource.OpenConnectionAsync();
                await load(conn);
            }));
    }

    /// <summary>As StatementChecks.TopStatementsAsync: where is the extension, is it usable, then the top list from its schema.</summary>
    private static async Task TopStatementsAsync(NpgsqlConnection conn)
    {
        var row = (await QueryAsync(conn, "monitoring/statements/availability"))[0];
        var (version, schema, preload) = (row[0] as string, row[1] as string, row[2] as string);
        var preloaded = preload?.Split(',').Any(l => l.Trim().Trim('"') == "pg_stat_statements");
        if (preloaded == false || version is null) return;
        var sql = SqlCatalog.Get("monitoring/statements/top")
            .Replace("FROM pg_stat_statements AS s", $"FROM {schema ?? "public"}.pg_stat_statements AS s", StringComparison.Ordinal);
        try
        {
            await QuerySqlAsync(conn, sql, ("order", StatementChecksOrderName), ("limit", PostgresPage.StatementsLimit));
        }
        catch (PostgresException e) when (e.SqlState == "55000") { /* not preloaded: the app reports it the same way */ }
    }

    // StatementChecks.OrderName(TotalTime), the only value the SQL receives for the default order.
    private const string StatementChecksOrderName = "total_time";

    /// <summary>As MetricHistory.LoadAsync computes its parameters for the range.</summary>
    private Task GrowthAsync(NpgsqlConnection conn)
    {
        var bucket = history.BucketFor(PostgresPage.GrowthRange);
        var start = TimeProvider.System.GetUtcNow() - MetricHistory.Duration(PostgresPage.GrowthRange);
        var since = new DateTimeOffset(start.UtcTicks - start.UtcTicks % bucket.Ticks, TimeSpan.Zero);
        return QueryAsync(conn, "monitoring/history/series",
            ("metrics", PostgresPage.GrowthMetrics), ("since", since.UtcDateTime), ("bucketSeconds", bucket.TotalSeconds));
    }

    private static Task<List<object[]>> QueryAsync(NpgsqlConnection conn, string name, params (string Name, object Value)[] parameters) =>
        QuerySqlAsync(conn, SqlCatalog.Get(name), parameters);

    private static async Task<List<object[]>> QuerySqlAsync(NpgsqlConnection conn, string sql, params (string Name, object Value)[] parameters)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (name, value) in parameters)
            cmd.Parameters.AddWithValue(name, value);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<object[]>();
        while (await reader.ReadAsync())
        {
            var row = new object[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
                row[i] = reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }
}
