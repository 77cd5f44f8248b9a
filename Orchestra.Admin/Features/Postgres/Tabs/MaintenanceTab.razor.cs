using System.Globalization;
using Microsoft.AspNetCore.Components;
using Orchestra.Admin.Components.Controls;

namespace Orchestra.Admin.Features.Postgres.Tabs;

public partial class MaintenanceTab
{
    internal const int StatsLimit = 50;
    internal const int WraparoundLimit = 10;
    /// <summary>From this share of a limit on, a fix statement is shown next to the finding.</summary>
    internal const double FixFromPercent = 50;

    [Inject] private IMaintenanceChecks Checks { get; set; } = null!;

    private DataPanel<IReadOnlyList<VacuumOverdueTable>>? overduePanel;
    private DataPanel<IReadOnlyList<DatabaseWraparound>>? databasesPanel;
    private DataPanel<IReadOnlyList<TableWraparound>>? tablesAgePanel;
    private DataPanel<IReadOnlyList<SequenceUsage>>? sequencesPanel;
    private DataPanel<IReadOnlyList<TableVacuumStats>>? statsPanel;

    private Task RefreshAsync() => Task.WhenAll(
        overduePanel?.RefreshAsync() ?? Task.CompletedTask,
        databasesPanel?.RefreshAsync() ?? Task.CompletedTask,
        tablesAgePanel?.RefreshAsync() ?? Task.CompletedTask,
        sequencesPanel?.RefreshAsync() ?? Task.CompletedTask,
        statsPanel?.RefreshAsync() ?? Task.CompletedTask);

    // Npgsql reads timestamptz as UTC.
    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    private static DateTime? Latest(DateTime? a, DateTime? b) => a > b || b == null ? a : b;

    /// <summary>Small shares keep their first significant digits, so a young database does not read as 0 %,
    /// and a share just under 100 % never rounds up to it.</summary>
    internal static string Percent(double percent)
    {
        if (percent == 0) return "0 %";
        if (percent < 0.01) return "< 0.01 %";
        var decimals = percent < 10 ? 2 : 1;
        while (percent < 100 && Math.Round(percent, decimals, MidpointRounding.AwayFromZero) >= 100)
        {
            if (++decimals > 6) return "> 99.999999 %";
        }
        return Math.Round(percent, decimals, MidpointRounding.AwayFromZero).ToString("0." + new string('#', decimals), CultureInfo.InvariantCulture) + " %";
    }

    private static string ValuesLeft(SequenceUsage s) =>
        s.ValuesLeft is { } left ? $"{left:N0} values left" : "not used yet";

    private static bool AnyFreezeDue(IReadOnlyList<TableWraparound> tables) => tables.Any(t => t.PercentOfFreezeMaxAge >= FixFromPercent);

    private static string AgeColor(double percent) => percent switch
    {
        >= 90 => "var(--mud-palette-error)",
        >= FixFromPercent => "var(--mud-palette-warning)",
        _ => "inherit",
    };
}
