using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Orchestra.Admin.Components.Controls;
using Orchestra.Admin.Security;
using static Orchestra.Admin.Features.Tasks.ActionOutcome;

namespace Orchestra.Admin.Features.Tasks;

/// <summary>One task: status, timeline, the full error, the payload as a tree, earlier attempts, and the actions its status allows.</summary>
public partial class TaskDetailPage
{
    [Inject] private ITasksService Tasks { get; set; } = null!;
    [Inject] private ITaskActions Actions { get; set; } = null!;
    [Inject] private ICurrentOperator CurrentOperator { get; set; } = null!;
    [Inject] private IDialogService Dialogs { get; set; } = null!;

    [Parameter] public Guid Id { get; set; }

    private DataPanel<TaskDetail?>? panel;
    private Outcome? outcome;
    private readonly Dictionary<string, JsonNode?> parsed = [];

    private async Task RequeueAsync(TaskDetail t)
    {
        if (!await ConfirmAsync("Requeue task",
                $"Set failed task {t.Id} ({t.TaskType}) back to pending? Its error and times are kept in its earlier attempts and the audit log.",
                "Requeue")) return;
        await RunAsync(async actor => Outcome.Of(await Actions.RequeueAsync(actor, new RequeueRequest(Ids: [t.Id])), "task"));
    }

    private async Task CancelAsync(TaskDetail t)
    {
        if (!await ConfirmAsync("Cancel task", $"Cancel pending task {t.Id} ({t.TaskType})? No worker will take it; its status becomes cancelled.", "Cancel task")) return;
        await RunAsync(async actor =>
        {
            var r = await Actions.CancelAsync(actor, [t.Id]);
            return r.RowsAffected == 1
                ? new Outcome("Cancelled.", Severity.Success, r.AuditId)
                : new Outcome("Nothing changed: the task was no longer pending (a worker took it).", Severity.Info, r.AuditId);
        });
    }

    private async Task DeleteAsync(TaskDetail t)
    {
        if (!await ConfirmAsync("Delete task",
                $"Delete task {t.Id} ({t.TaskType}, {t.Status})? The full row is kept in the audit log first, so nothing is lost.", "Delete")) return;
        await RunAsync(async actor =>
        {
            var r = await Actions.DeleteAsync(actor, [t.Id]);
            return r.RowsAffected == 1
                ? new Outcome("Deleted. The full row is kept in the audit log.", Severity.Success, r.AuditId)
                : new Outcome("Nothing changed: the task is gone, or a worker took it or holds it right now.", Severity.Info, r.AuditId);
        });
    }

    private async Task<bool> ConfirmAsync(string title, string message, string yes) =>
        await Dialogs.ShowMessageBoxAsync(title, message, yesText: yes, cancelText: "Keep it") == true;

    private async Task RunAsync(Func<OperatorIdentity, Task<Outcome>> action)
    {
        try
        {
            outcome = await action(await CurrentOperator.GetAsync());
        }
        catch (Exception e)
        {
            outcome = Outcome.Of(e);
        }
        parsed.Clear();
        if (panel != null) await panel.RefreshAsync();
    }

    // Parsed once per text: the tree keeps its open nodes across renders.
    private JsonNode? Parse(string json)
    {
        if (parsed.TryGetValue(json, out var node)) return node;
        try { node = JsonNode.Parse(json); }
        catch (JsonException) { node = null; }
        return parsed[json] = node;
    }

    internal static string FirstLine(string? error) =>
        error is null ? "(no error recorded)" : Tabs.ErrorGroupsTab.FirstLine(error);

    private static string EndedLabel(string status) => status switch
    {
        TaskStatuses.Failed => "Failed",
        TaskStatuses.Completed => "Completed",
        TaskStatuses.Cancelled => "Cancelled",
        _ => "Ended",
    };

    private static Color StatusColor(string status) => status switch
    {
        TaskStatuses.Failed => Color.Error,
        TaskStatuses.Completed => Color.Success,
        TaskStatuses.Running => Color.Info,
        TaskStatuses.Pending => Color.Warning,
        _ => Color.Default,
    };
}
