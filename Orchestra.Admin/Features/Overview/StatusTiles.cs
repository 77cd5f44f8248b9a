using System.Globalization;
using Microsoft.Extensions.Options;
using Orchestra.Admin.Components.Controls;
using Orchestra.Admin.Features.Postgres;
using Orchestra.Admin.Hosting;
using Orchestra.Admin.Sampling;

namespace Orchestra.Admin.Features.Overview;

public enum StatusLevel { Ok, Warning, Critical, Unknown }

/// <param name="Reason">Why this level, in words an operator acts on.</param>
/// <param name="Link">Where to look next.</param>
public sealed record StatusTile(string Title, StatusLevel Level, string Value, string Reason, string Link);

/// <summary>When a tile turns amber or red; under <c>OrchestraAdmin:Thresholds</c>.</summary>
public sealed class StatusThresholds
{
    public double CacheHitRatioWarning { get; set; } = 0.99;
    public double CacheHitRatioCritical { get; set; } = 0.95;
    public double ConnectionsWarningPercent { get; set; } = 75;
    public double ConnectionsCriticalPercent { get; set; } = 90;
    public int LongRunningWarning { get; set; } = 1;
    public int LongRunningCritical { get; set; } = 5;
    public int BlockedWarning { get; set; } = 1;
    public int BlockedCritical { get; set; } = 5;
    public double WraparoundWarningPercent { get; set; } = 50;
    public double WraparoundCriticalPercent { get; set; } = 80;
}

/// <summary>The rules behind each tile: pure, so each threshold is tested on its own.</summary>
public static class StatusRules
{
    private static StatusLevel AtLeast(double value, double warning, double critical) =>
        value >= critical ? StatusLevel.Critical : value >= warning ? StatusLevel.Warning : StatusLevel.Ok;

    public static StatusTile CacheHitRatio(double? ratio, StatusThresholds t)
    {
        if (ratio is not { } r)
            return new("Cache hit ratio", StatusLevel.Ok, "n/a", "No reads yet.", "postgres?tab=cache");
        var level = r < t.CacheHitRatioCritical ? StatusLevel.Critical : r < t.CacheHitRatioWarning ? StatusLevel.Warning : StatusLevel.Ok;
        var reason = level == StatusLevel.Ok
            ? "Reads are served from memory."
            : $"Below {t.CacheHitRatioWarning:P0}: the working set no longer fits in shared_buffers.";
        return new("Cache hit ratio", level, Overview.FormatRatio(r), reason, "postgres?tab=cache");
    }

    public static StatusTile Connections(long used, int max, StatusThresholds t)
    {
        var percent = max == 0 ? 0 : 100.0 * used / max;
        var level = AtLeast(percent, t.ConnectionsWarningPercent, t.ConnectionsCriticalPercent);
        var reason = level == StatusLevel.Ok
            ? $"{percent:0} % of max_connections in use."
            : $"{percent:0} % of max_connections in use: new connections will soon be refused.";
        return new("Connections", level, $"{used} / {max}", reason, "postgres?tab=activity");
    }

    public static StatusTile LongRunning(double count, StatusThresholds t, int thresholdSeconds) =>
        new("Long-running queries", AtLeast(count, t.LongRunningWarning, t.LongRunningCritical), count.ToString("0", CultureInfo.InvariantCulture),
            count == 0 ? $"None over {thresholdSeconds} s." : $"{count:0} running over {thresholdSeconds} s.", "postgres?tab=activity");

    public static StatusTile Blocked(double count, StatusThresholds t) =>
        new("Blocked queries", AtLeast(count, t.BlockedWarning, t.BlockedCritical), count.ToString("0", CultureInfo.InvariantCulture),
            count == 0 ? "No query waits for a lock." : $"{count:0} waiting for a lock held by another.", "postgres?tab=activity");

    public static StatusTile Wraparound(DatabaseWraparound? worst, StatusThresholds t)
    {
        if (worst == null) return new("Transaction-ID wraparound", StatusLevel.Unknown, "–", "No database reported.", "postgres?tab=maintenance");
        var level = AtLeast(worst.PercentOfFreezeMaxAge, t.WraparoundWarningPercent, t.WraparoundCriticalPercent);
        return new("Transaction-ID wraparound", level, $"{worst.PercentOfFreezeMaxAge:0} %",
            level == StatusLevel.Ok
                ? $"Oldest: {worst.DatabaseName}, well below autovacuum_freeze_max_age."
                : $"{worst.DatabaseName} is at {worst.PercentOfFreezeMaxAge:0} % of autovacuum_freeze_max_age: check that (auto)vacuum freezes it.",
            "postgres?tab=maintenance");
    }

    public static StatusTile Indexes(int invalid, int duplicate) =>
        new("Indexes", invalid > 0 || duplicate > 0 ? StatusLevel.Warning : StatusLevel.Ok, $"{invalid} invalid · {duplicate} duplicate",
            invalid > 0 ? $"{invalid} invalid index(es): a failed concurrent build; writes still maintain them."
            : duplicate > 0 ? $"{duplicate} duplicate index(es) cost writes and space for nothing."
            : "No invalid or duplicate index.", "postgres?tab=indexes");

    /// <summary>From the sampler's Weaviate metrics (see Features/Weaviate/WeaviateMetricSource).</summary>
    public static StatusTile WeaviateNodes(IReadOnlyDictionary<string, double> round)
    {
        const string title = "Weaviate nodes", link = "weaviate?tab=health";
        if (round.GetValueOrDefault("weaviate.reachable") != 1)
            return new(title, StatusLevel.Critical, "unreachable", "Weaviate did not answer the last sampler round; see the top bar for the error.", link);
        var healthy = round.GetValueOrDefault("weaviate.nodes.healthy");
        var notHealthy = round.GetValueOrDefault("weaviate.nodes.not_healthy");
        return new(title, notHealthy > 0 ? StatusLevel.Critical : StatusLevel.Ok, $"{healthy:0} / {healthy + notHealthy:0} healthy",
            notHealthy > 0 ? $"{notHealthy:0} node(s) UNHEALTHY, UNAVAILABLE or TIMEOUT." : "Every node is HEALTHY.", link);
    }

    public static StatusTile WeaviateShards(IReadOnlyDictionary<string, double> round)
    {
        const string title = "Weaviate shards", link = "weaviate?tab=health";
        if (round.GetValueOrDefault("weaviate.reachable") != 1) return Unknown(title, "Weaviate did not answer the last sampler round.", link);
        var readOnly = round.GetValueOrDefault("weaviate.shards.readonly");
        return new(title, readOnly > 0 ? StatusLevel.Critical : StatusLevel.Ok, $"{readOnly:0} READONLY",
            readOnly > 0 ? $"{readOnly:0} shard(s) refuse writes (usually a nearly full disk)." : "Every shard accepts writes.", link);
    }

    public static StatusTile DashboardLogin(DashboardLogin login)
    {
        const string title = "Dashboard's database login", link = "postgres?tab=settings";
        if (login.ExtraRights.Length > 0)
            return new(title, StatusLevel.Warning, login.Login,
                $"Logs in with {login.ExtraRights}: whatever the dashboard is made to run has those rights. Give it a login in " +
                "orchestra_admin_operator or orchestra_admin_viewer (sql/roles.sql; README, Least privilege).", link);
        return new(title, StatusLevel.Ok, login.Login,
            login.AdminGroups.Length > 0 ? $"Least privilege: a member of {login.AdminGroups}." : "Not a superuser.", link);
    }

    public static StatusTile Unknown(string title, string reason, string link) => new(title, StatusLevel.Unknown, "–", reason, link);
}

public interface IStatusTilesService
{
    Task<IReadOnlyList<StatusTile>> GetAsync(CancellationToken ct = default);
}

/// <summary>
/// The Overview's wall of tiles. Live figures come from the sampler's latest round (read once per interval for all
/// viewers); the rest are catalog queries. A source that fails makes its own tile Unknown, never the wall.
/// </summary>
public sealed class StatusTilesService(
    MetricSampler sampler,
    IOverviewService overview,
    IMaintenanceChecks maintenance,
    IIndexChecks indexes,
    IOptions<OrchestraAdminOptions> options) : IStatusTilesService
{
    public async Task<IReadOnlyList<StatusTile>> GetAsync(CancellationToken ct = default)
    {
        var t = options.Value.Thresholds;
        var round = sampler.Latest;
        const string waiting = "Waiting for the first sampler round.";

        var connections = Guard("Connections", "postgres?tab=activity", async () =>
        {
            var c = await overview.GetConnectionSummaryAsync(ct);
            return StatusRules.Connections(c.UsedOnServer, c.MaxConnections, t);
        });
        var wraparound = Guard("Transaction-ID wraparound", "postgres?tab=maintenance", async () =>
            StatusRules.Wraparound((await maintenance.WraparoundDatabasesAsync(ct)).MaxBy(d => d.PercentOfFreezeMaxAge), t));
        var loginTile = Guard("Dashboard's database login", "postgres?tab=settings", async () =>
            StatusRules.DashboardLogin(await overview.GetDashboardLoginAsync(ct)));
        var indexTile = Guard("Indexes", "postgres?tab=indexes", async () =>
            StatusRules.Indexes((await indexes.InvalidIndexesAsync(ct)).Count, (await indexes.DuplicateIndexesAsync(ct)).Count));

        return
        [
            round == null ? StatusRules.Unknown("Cache hit ratio", waiting, "postgres?tab=cache")
                : StatusRules.CacheHitRatio(round.Values.TryGetValue("cache.hit_ratio", out var r) ? r : null, t),
            await connections,
            round == null ? StatusRules.Unknown("Long-running queries", waiting, "postgres?tab=activity")
                : StatusRules.LongRunning(round.Values.GetValueOrDefault("queries.long_running"), t, options.Value.Postgres.LongRunningSeconds),
            round == null ? StatusRules.Unknown("Blocked queries", waiting, "postgres?tab=activity")
                : StatusRules.Blocked(round.Values.GetValueOrDefault("connections.waiting_on_locks"), t),
            await wraparound,
            await indexTile,
            .. WeaviateTiles(round),
            await loginTile,
        ];
    }

    private IEnumerable<StatusTile> WeaviateTiles(SampleRound? round)
    {
        if (!options.Value.Weaviate.IsConfigured) yield break;
        if (round == null)
        {
            yield return StatusRules.Unknown("Weaviate nodes", "Waiting for the first sampler round.", "weaviate?tab=health");
            yield break;
        }
        yield return StatusRules.WeaviateNodes(round.Values);
        yield return StatusRules.WeaviateShards(round.Values);
    }

    private static async Task<StatusTile> Guard(string title, string link, Func<Task<StatusTile>> build)
    {
        try { return await build(); }
        catch (Exception e) when (e is not OperationCanceledException) { return StatusRules.Unknown(title, ErrorMessages.Describe(e), link); }
    }
}
