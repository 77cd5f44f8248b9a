using System.Globalization;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Microsoft.Extensions.Options;
using Orchestra.Admin.Components.Controls;
using Orchestra.Admin.Hosting;

namespace Orchestra.Admin.Features.Overview;

public partial class Overview
{
    internal const int TableLimit = 20;
    protected override string CachePrefix => "overview/";

    [Inject] private IOverviewService Service { get; set; } = null!;
    [Inject] private IStatusTilesService Tiles { get; set; } = null!;
    [Inject] private IOptions<OrchestraAdminOptions> Options { get; set; } = null!;

    private DataPanel<IReadOnlyList<StatusTile>>? tilesPanel;

    private DataPanel<CacheHitRatio>? cachePanel;
    private DataPanel<ConnectionSummary>? connectionsPanel;
    private DataPanel<IReadOnlyList<TableSize>>? tablesPanel;

    protected override Task RefreshAsync() => Task.WhenAll(
        tilesPanel?.RefreshAsync() ?? Task.CompletedTask,
        cachePanel?.RefreshAsync() ?? Task.CompletedTask,
        connectionsPanel?.RefreshAsync() ?? Task.CompletedTask,
        tablesPanel?.RefreshAsync() ?? Task.CompletedTask);

    // Two decimals: the difference between 99.9 % and 99.99 % matters for a cache.
    internal static string FormatRatio(double ratio) => (ratio * 100).ToString("0.00", CultureInfo.InvariantCulture) + " %";

    private static string RatioColor(double ratio) =>
        ratio >= 0.99 ? "var(--mud-palette-success)" : ratio >= 0.95 ? "var(--mud-palette-warning)" : "var(--mud-palette-error)";

    private static double UsedPercent(ConnectionSummary c) =>
        c.MaxConnections == 0 ? 0 : Math.Min(100, 100.0 * c.UsedOnServer / c.MaxConnections);

    private static Color UsedColor(ConnectionSummary c) =>
        UsedPercent(c) switch { >= 90 => Color.Error, >= 75 => Color.Warning, _ => Color.Success };

    internal static string LevelText(StatusLevel level) => level switch
    {
        StatusLevel.Ok => "OK",
        StatusLevel.Warning => "warning",
        StatusLevel.Critical => "critical",
        _ => "unknown",
    };

}
