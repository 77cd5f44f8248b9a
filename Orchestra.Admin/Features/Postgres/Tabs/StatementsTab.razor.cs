using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.WebUtilities;
using MudBlazor;
using Orchestra.Admin.Components.Controls;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.Features.Postgres.Tabs;

public partial class StatementsTab
{
    private const int Limit = 50;

    internal const string EnableSnippet = """
        # postgresql.conf (then restart PostgreSQL)
        shared_preload_libraries = 'pg_stat_statements'

        -- then, in this database:
        CREATE EXTENSION pg_stat_statements;
        """;

    // The order's name in the URL, its label, and what the list is "the most" of.
    internal static readonly IReadOnlyList<(StatementOrder Value, string Text, string Query)> Orders =
    [
        (StatementOrder.TotalTime, "Total time", "total"),
        (StatementOrder.MeanTime, "Mean time", "mean"),
        (StatementOrder.Calls, "Calls", "calls"),
        (StatementOrder.Rows, "Rows", "rows"),
    ];

    [Inject] private IStatementChecks Checks { get; set; } = null!;
    [Inject] private IDialogService Dialogs { get; set; } = null!;
    [Inject] private NavigationManager Navigation { get; set; } = null!;

    // The order lives in the URL (?order=mean) so a view can be shared and reloaded. Read from the URL directly, not
    // with [SupplyParameterFromQuery]: a tab is created and disposed while the location changes (switching tabs), and
    // the framework's query-parameter provider then fails enumerating its subscribers ("Collection was modified").

    private DataPanel<StatementsReport>? panel;
    private StatementOrder order = StatementOrder.TotalTime;
    private bool resetting;
    private string? actionMessage;
    private Severity actionSeverity = Severity.Success;

    private string OrderText => order switch
    {
        StatementOrder.TotalTime => "total time",
        StatementOrder.MeanTime => "mean time",
        StatementOrder.Calls => "calls",
        _ => "rows",
    };

    internal static StatementOrder ParseOrder(string? query) =>
        Orders.FirstOrDefault(o => string.Equals(o.Query, query, StringComparison.OrdinalIgnoreCase)) is { Text: not null } o ? o.Value : StatementOrder.TotalTime;

    protected override void OnInitialized() =>
        order = ParseOrder(QueryHelpers.ParseQuery(new Uri(Navigation.Uri).Query).TryGetValue("order", out var o) ? o.ToString() : null);

    private async Task OnOrderChangedAsync(StatementOrder value)
    {
        if (value == order) return;
        order = value;
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameter("order", Orders.First(o => o.Value == value).Query), replace: true);
        if (panel != null) await panel.RefreshAsync();
    }

    private Task RefreshAsync() => panel?.RefreshAsync() ?? Task.CompletedTask;

    private void Explain(long queryId) =>
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(new Dictionary<string, object?>
        {
            ["tab"] = "explain",
            ["queryid"] = queryId.ToString(CultureInfo.InvariantCulture),
        }));

    private async Task ConfirmResetAsync()
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync(
            "Reset statement statistics?",
            "This clears pg_stat_statements for this database: calls, times and rows of every statement start again from zero. " +
            "The count and the 50 statements that took the most time are kept in the audit log.",
            yesText: "Reset", cancelText: "Cancel");
        if (confirmed != true) return;

        resetting = true;
        try
        {
            var result = await Checks.ResetAsync();
            (actionMessage, actionSeverity) = ($"Statement statistics reset: {result.RowsAffected:N0} statements cleared (audit record {result.AuditId}).", Severity.Success);
            await RefreshAsync();
        }
        catch (Exception e) when (e is OperatorRequiredException or InvalidInputException)
        {
            (actionMessage, actionSeverity) = (e.Message, Severity.Warning);
        }
        catch (Exception e)
        {
            (actionMessage, actionSeverity) = ($"The reset failed: {ErrorMessages.Describe(e)}", Severity.Error);
        }
        finally
        {
            resetting = false;
        }
    }

    /// <summary>Milliseconds as people read them: 0.42 ms, 12.30 ms, 4.21 s, 3.5 min, 2.1 h.</summary>
    internal static string FormatMs(double ms) => ms switch
    {
        < 1_000 => ms.ToString("N2", CultureInfo.InvariantCulture) + " ms",
        < 60_000 => (ms / 1_000).ToString("N2", CultureInfo.InvariantCulture) + " s",
        < 3_600_000 => (ms / 60_000).ToString("N1", CultureInfo.InvariantCulture) + " min",
        _ => (ms / 3_600_000).ToString("N1", CultureInfo.InvariantCulture) + " h",
    };

    internal static string FormatRatio(double? ratio) =>
        ratio is { } r ? (r * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %" : "—";
}
