using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using MudBlazor;
using Orchestra.Admin.Components.Controls;
using Orchestra.Admin.Features.Overview;
using Orchestra.Admin.Hosting;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.Features.Postgres.Tabs;

public partial class ActivityTab
{
    protected override string CachePrefix => "postgres/activity/";

    private static readonly (string Dimension, Func<ConnectionGroup, string> Key)[] Dimensions =
    [
        ("state", g => g.State),
        ("application", g => g.ApplicationName),
        ("user", g => g.UserName),
        ("client address", g => g.ClientAddress),
    ];

    [Inject] private IActivityChecks Checks { get; set; } = null!;
    [Inject] private IOverviewService Overview { get; set; } = null!;
    [Inject] private IDialogService Dialogs { get; set; } = null!;
    [Inject] private ISnackbar Snackbar { get; set; } = null!;
    [Inject] private IOptions<OrchestraAdminOptions> Options { get; set; } = null!;

    private DataPanel<IReadOnlyList<LiveQuery>>? livePanel;
    private DataPanel<IReadOnlyList<BlockingNode>>? blockingPanel;
    private DataPanel<IReadOnlyList<IdleInTransaction>>? idlePanel;
    private DataPanel<ConnectionSummary>? usagePanel;
    private DataPanel<IReadOnlyList<ConnectionGroup>>? groupsPanel;
    protected override Task RefreshAsync() => Task.WhenAll(
        new IRefreshable?[] { livePanel, blockingPanel, idlePanel, usagePanel, groupsPanel }
            .OfType<IRefreshable>().Select(p => p.RefreshAsync()));

    private async Task SignalAsync(LiveQuery query, SignalKind kind)
    {
        var (title, verb, effect) = kind == SignalKind.Cancel
            ? ("Cancel query", "Cancel", "The query stops with an error; the connection stays open.")
            : ("Terminate connection", "Terminate", "The connection is closed; its open transaction is rolled back.");
        var confirmed = await Dialogs.ShowMessageBoxAsync(title,
            $"{verb} PID {query.Pid} ({query.UserName} · {query.ApplicationName}), running for {Durations.Format(query.DurationSeconds)}? {effect}",
            yesText: verb, cancelText: "Keep it");
        if (confirmed != true) return;
        try
        {
            var result = await Checks.SignalAsync(query, kind);
            if (result.RowsAffected == 1)
                Snackbar.Add($"{(kind == SignalKind.Cancel ? "Cancelled the query of" : "Terminated")} PID {query.Pid}.", Severity.Success);
            else
                Snackbar.Add($"Nothing changed: PID {query.Pid} {(kind == SignalKind.Cancel ? "had already finished that query" : "had already disconnected")}.", Severity.Info);
        }
        catch (Exception e) when (e is OperatorRequiredException or InvalidInputException)
        {
            Snackbar.Add(e.Message, Severity.Warning);
        }
        catch (Exception e)
        {
            Snackbar.Add(ErrorMessages.Describe(e), Severity.Error);
        }
        await RefreshNowAsync(); // show the effect now, not at the next round
    }

    private RenderFragment RenderNode(BlockingNode node) => builder =>
    {
        var b = node.Backend;
        builder.OpenElement(0, "li");
        builder.OpenElement(2, "div");
        builder.AddAttribute(3, "class", "blocking-node");
        builder.AddAttribute(4, "data-pid", b.Pid);
        builder.AddContent(5, $"PID {b.Pid} · {b.UserName} · {b.ApplicationName} · {b.State}"
            + (b.WaitEventType == "Lock" ? $" · waiting for a lock ({b.WaitEvent}) {Durations.Format(b.QuerySeconds)}" : $" · transaction open {Durations.Format(b.TransactionSeconds)}"));
        builder.OpenElement(6, "code");
        builder.AddAttribute(7, "class", "query-text");
        builder.AddAttribute(8, "title", b.Query);
        builder.AddContent(9, Truncate(b.Query));
        builder.CloseElement();
        builder.CloseElement();
        if (node.Waiters.Count > 0)
        {
            builder.OpenElement(10, "ul");
            foreach (var waiter in node.Waiters)
                builder.AddContent(11, RenderNode(waiter));
            builder.CloseElement();
        }
        builder.CloseElement();
    };

    private static string Truncate(string text) => text.Length <= 160 ? text : text[..160] + "…";
}
