using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;
using Orchestra.Admin.Components.Controls;

namespace Orchestra.Admin.Features.Tasks.Tabs;

/// <summary>The queue at a glance: the status × type matrix, running, oldest pending, failure rate, history and index advice.</summary>
public partial class OverviewTab
{
    private static readonly string[] KnownStatuses =
        [TaskStatuses.Pending, TaskStatuses.Running, TaskStatuses.Completed, TaskStatuses.Failed, TaskStatuses.Cancelled];

    [Inject] private ITasksService Tasks { get; set; } = null!;
    [Inject] private IJSRuntime JS { get; set; } = null!;
    [Inject] private ISnackbar Snackbar { get; set; } = null!;

    private DataPanel<QueueOverview>? overviewPanel;
    private DataPanel<IReadOnlyList<IndexAdvice>>? advicePanel;

    protected override string CachePrefix => "tasks/overview/";

    protected override Task RefreshAsync() => Task.WhenAll(
        new IRefreshable?[] { overviewPanel, advicePanel }.OfType<IRefreshable>().Select(p => p.RefreshAsync()));

    /// <summary>The stack's statuses in their order, then any other status a worker writes.</summary>
    internal static IReadOnlyList<string> StatusesOf(QueueOverview o) =>
        KnownStatuses.Concat(o.Counts.Select(c => c.Status).Where(s => !KnownStatuses.Contains(s)).Distinct().Order(StringComparer.Ordinal)).ToList();

    private static long CountOf(QueueOverview o, string type, string status) =>
        o.Counts.Where(c => c.TaskType == type && c.Status == status).Sum(c => c.Count);

    internal static string FormatRate(double rate) => (rate * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %";

    private async Task CopyAsync(string sql)
    {
        await JS.InvokeVoidAsync("navigator.clipboard.writeText", sql);
        Snackbar.Add("SQL copied.", Severity.Success);
    }
}
