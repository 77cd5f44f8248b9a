using Microsoft.AspNetCore.Components;
using MudBlazor;
using Orchestra.Admin.Components.Controls;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.Features.Tasks;

public partial class RequeueDialog : IDisposable
{
    private enum Step { Counting, Confirm, Running, Done, Error }

    [CascadingParameter] private IMudDialogInstance Dialog { get; set; } = null!;
    [Inject] private ITaskActions Actions { get; set; } = null!;
    [Inject] private ICurrentOperator CurrentOperator { get; set; } = null!;

    /// <summary>What to requeue; its priority is set from the dialog.</summary>
    [Parameter, EditorRequired] public RequeueRequest Request { get; set; } = null!;
    /// <summary>What the request covers, in words (e.g. "The 3 selected tasks.").</summary>
    [Parameter, EditorRequired] public string Scope { get; set; } = "";

    private Step step = Step.Counting;
    private RequeueConfirmation? confirmation;
    private long matched;
    private int? newPriority;
    private RequeueProgress progress = new(0, 0, 0, 0, 0);
    private RequeueReport? report;
    private string? error;
    private bool cancelling;
    private readonly CancellationTokenSource cts = new();

    /// <summary>Opens the flow; the result is the report once something ran, or null when the operator stopped before.</summary>
    public static async Task<RequeueReport?> ShowAsync(IDialogService dialogs, RequeueRequest request, string scope)
    {
        var parameters = new DialogParameters<RequeueDialog> { { d => d.Request, request }, { d => d.Scope, scope } };
        var options = new DialogOptions { BackdropClick = false, CloseOnEscapeKey = false, CloseButton = false, MaxWidth = MaxWidth.Small, FullWidth = true };
        var dialog = await dialogs.ShowAsync<RequeueDialog>("Requeue failed tasks", parameters, options);
        var result = await dialog.Result;
        return result is { Canceled: false, Data: RequeueReport r } ? r : null;
    }

    protected override async Task OnInitializedAsync()
    {
        try
        {
            // The dry run pins what it counts: the run then requeues those tasks only, never one that failed since.
            confirmation = await Actions.ConfirmRequeueAsync(await CurrentOperator.GetAsync(), Request, cts.Token);
            matched = confirmation.Matched;
            step = Step.Confirm;
        }
        catch (Exception e) when (!cts.IsCancellationRequested)
        {
            Fail(e);
        }
    }

    private async Task RunAsync()
    {
        step = Step.Running;
        progress = new RequeueProgress(matched, 0, 0, 0, 0);
        try
        {
            var actor = await CurrentOperator.GetAsync();
            report = await Actions.RequeueAsync(actor, Request with { NewPriority = newPriority }, confirmation!.Id, new Reporter(this), cts.Token);
            step = Step.Done;
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            // The service stopped between batches by throwing: what the last progress said is what happened.
            report = new RequeueReport(matched, progress.Requeued, progress.Skipped, progress.Failed, progress.Batches, Cancelled: true, AuditId: null);
            step = Step.Done;
        }
        catch (Exception e)
        {
            Fail(e);
        }
    }

    private void Fail(Exception e)
    {
        error = e switch
        {
            TaskFilterException f => $"The filter cannot run: {f.Message}",
            RequeueConfirmationException c => c.Message,
            _ => ErrorMessages.Describe(e),
        };
        step = Step.Error;
    }

    private void CancelRun()
    {
        cancelling = true;
        cts.Cancel();
    }

    private void Dismiss()
    {
        cts.Cancel();
        Dialog.Cancel();
    }

    private void Close()
    {
        if (report != null || progress.Batches > 0) Dialog.Close(DialogResult.Ok(report ?? ReportOf(progress)));
        else Dialog.Cancel();
    }

    private RequeueReport ReportOf(RequeueProgress p) => new(matched, p.Requeued, p.Skipped, p.Failed, p.Batches, Cancelled: false, AuditId: null);

    private static long Done(RequeueProgress p) => p.Requeued + p.Skipped + p.Failed;

    private double Percent(RequeueProgress p) => matched == 0 ? 0 : Math.Min(100, 100.0 * Done(p) / matched);

    /// <summary>Each reason a confirmed task was skipped, in words.</summary>
    private static IEnumerable<(string TestId, long Count, (string Label, string Why) Reason)> SkipReasons(RequeueSkips s) =>
    [
        ("report-skipped-not-failed", s.NoLongerFailed, ("no longer failed", "a worker or another operator moved or deleted them")),
        ("report-skipped-not-matching", s.NoLongerMatching, ("no longer matching", "still failed, but no longer matching the filter (e.g. they failed again with another error)")),
        ("report-skipped-changed", s.ChangedSinceConfirmation, ("failed again", "still failed and matching, but not the failure you confirmed: they were retried and failed again since the count")),
        ("report-skipped-locked", s.Locked, ("busy", "held by a worker or another operator at that moment: requeue again to retry them")),
    ];

    internal static string Tasks(long n) => n == 1 ? "1 task" : $"{n:N0} tasks";

    // The dialog goes away with its circuit (the browser closed): the requeue stops after the batch in progress, every
    // finished batch stays done and the audit entry is written. Not disposed: the service may still look at the token.
    public void Dispose() => cts.Cancel();

    /// <summary>Shows each batch's progress as it is reported (from whatever thread the service reports on).</summary>
    private sealed class Reporter(RequeueDialog dialog) : IProgress<RequeueProgress>
    {
        public void Report(RequeueProgress value)
        {
            try
            {
                _ = dialog.InvokeAsync(() =>
                {
                    dialog.progress = value;
                    dialog.StateHasChanged();
                });
            }
            catch (Exception)
            {
                // The circuit is gone: nobody to show it to, and the requeue must not fail for that.
            }
        }
    }
}
