using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Orchestra.Admin.Features.Tasks;
using Orchestra.Admin.Features.Tasks.Tabs;
using Orchestra.Admin.Security;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.TasksPage;

public abstract class TasksPageTestBase : BunitSetup
{
    private sealed class AllowAll : IDatabasePrivileges
    {
        public Task<string?> MissingAsync(string table, string privilege, CancellationToken ct = default) => Task.FromResult<string?>(null);
    }

    protected FakeTasksService Tasks { get; } = new();
    protected FakeTaskActions Actions { get; } = new();

    protected TasksPageTestBase()
    {
        Services.AddSingleton<ITasksService>(Tasks);
        Services.AddSingleton<ITaskActions>(Actions);
        Services.AddSingleton<IDatabasePrivileges>(new AllowAll());
    }

    protected void SignIn(string role)
    {
        var auth = AddAuthorization();
        auth.SetAuthorized(role == AdminRoles.Operator ? "otto" : "vera");
        auth.SetRoles(role);
        Services.AddSingleton<ICurrentOperator>(role == AdminRoles.Operator ? FakeCurrentOperator.Operator : FakeCurrentOperator.Viewer);
    }

    protected void GoTo(string relative) => Services.GetRequiredService<NavigationManager>().NavigateTo(relative);

    /// <summary>A MudBlazor input by its label: its whole control, with the helper or error text under it.</summary>
    protected static IElement Field(IRenderedComponent<IComponent> cut, string label) =>
        cut.FindAll(".mud-input-control").Single(c => c.QuerySelector("label")?.TextContent.Trim() == label);

    /// <summary>Text as read: whitespace (markup line breaks) collapsed.</summary>
    protected static string Words(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ").Trim();

    protected static IElement Button(IRenderedComponent<IComponent> cut, string text) =>
        cut.FindAll("button").Single(b => b.TextContent.Trim().StartsWith(text, StringComparison.Ordinal));
}

public class TasksOverviewTests : TasksPageTestBase
{
    [Fact]
    public void The_matrix_shows_each_count_by_type_and_status_and_a_failed_count_opens_the_failed_tab_of_its_type()
    {
        SignIn(AdminRoles.Viewer);
        Tasks.Overview = new QueueOverview(
            [
                new("send_email", TaskStatuses.Pending, 120), new("send_email", TaskStatuses.Completed, 5_400), new("send_email", TaskStatuses.Failed, 37),
                new("resize_image", TaskStatuses.Running, 3), new("resize_image", TaskStatuses.Failed, 0),
            ],
            Running: 3, OldestPendingAge: TimeSpan.FromMinutes(75), FailureRateLastHour: 0.0425, ReadAt: DateTimeOffset.UtcNow);

        var tab = Render<OverviewTab>();

        tab.WaitForAssertion(() => Assert.NotNull(tab.Find("[data-testid=task-matrix]")));
        string Cell(string type, string status) => tab.Find($"tr[data-type='{type}'] td[data-status='{status}']").TextContent.Trim();
        Assert.Equal("120", Cell("send_email", "pending"));
        Assert.Equal("5,400", Cell("send_email", "completed"));
        Assert.Equal("37", Cell("send_email", "failed"));
        Assert.Equal("0", Cell("send_email", "running"));
        Assert.Equal("3", Cell("resize_image", "running"));
        Assert.Equal("37", Cell("", "failed")); // the totals row
        Assert.Equal("tasks?tab=failed&type=send_email", tab.Find("tr[data-type='send_email'] td[data-status='failed'] a").GetAttribute("href"));
        Assert.Empty(tab.FindAll("tr[data-type='resize_image'] td[data-status='failed'] a")); // nothing to open

        Assert.Equal("3", tab.Find("[data-testid=tasks-running]").TextContent.Trim());
        Assert.Equal("1 h 15 min", tab.Find("[data-testid=oldest-pending]").TextContent.Trim());
        Assert.Equal("4.3 %", tab.Find("[data-testid=failure-rate]").TextContent.Trim());
    }

    [Fact]
    public void Index_advice_shows_why_and_the_SQL_and_says_the_dashboard_never_runs_it()
    {
        SignIn(AdminRoles.Viewer);
        Tasks.Advice = [new("task_queue_dequeue_idx", "The workers' dequeue sorts every pending row.",
            "CREATE INDEX CONCURRENTLY task_queue_dequeue_idx ON task_queue (status, priority DESC, created_at);")];

        var tab = Render<OverviewTab>();

        tab.WaitForAssertion(() => Assert.Contains("never runs these statements", tab.Markup));
        var advice = tab.Find("[data-index=task_queue_dequeue_idx]");
        Assert.Contains("The workers' dequeue sorts every pending row.", advice.TextContent);
        Assert.Contains("(status, priority DESC, created_at)", advice.QuerySelector("pre code")!.TextContent);
    }
}

public class TasksFailedFilterTests : TasksPageTestBase
{
    public TasksFailedFilterTests()
    {
        SignIn(AdminRoles.Operator);
        GoTo("tasks?tab=failed");
    }

    [Fact]
    public void Bad_payload_JSON_is_shown_at_its_field_with_the_position()
    {
        Tasks.Failed = r => r.Filter.PayloadContains == null
            ? new FailedTaskPage([FakeTasksService.Row()], null, null)
            : throw new TaskFilterException("payloadContains", "'p' is an invalid start of a value", 9);
        var tab = Render<FailedTab>();
        tab.WaitForAssertion(() => Assert.Single(tab.FindAll("tr[data-id]")));

        Field(tab, "Payload contains (JSON)").QuerySelector("textarea")!.Change("{\"to\": pro}");
        tab.Find("form").Submit();

        tab.WaitForAssertion(() => Assert.Contains("'p' is an invalid start of a value (at position 9)",
            Field(tab, "Payload contains (JSON)").QuerySelector(".mud-input-helper-text.mud-input-error")?.TextContent));
        Assert.Contains("payload=", Services.GetRequiredService<NavigationManager>().Uri); // the filter is in the URL
    }

    [Fact]
    public void A_priority_that_is_not_a_number_is_refused_at_the_field_and_nothing_runs()
    {
        var tab = Render<FailedTab>();
        tab.WaitForAssertion(() => Assert.Single(Tasks.FailedRequests));

        Field(tab, "Priority").QuerySelector("input")!.Change("high");
        tab.Find("form").Submit();

        tab.WaitForAssertion(() => Assert.Contains("'high' is not a whole number",
            Field(tab, "Priority").QuerySelector(".mud-input-helper-text.mud-input-error")?.TextContent));
        Assert.Single(Tasks.FailedRequests); // only the first, unfiltered page
        Assert.DoesNotContain("priority=", Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Fact]
    public void The_filter_in_the_URL_is_what_the_list_asks_for()
    {
        GoTo("tasks?tab=failed&type=send_email&error=timed%20out&priority=5&group=fp-timeout");
        var tab = Render<FailedTab>();

        tab.WaitForAssertion(() => Assert.Single(Tasks.FailedRequests));
        var filter = Tasks.FailedRequests[0].Filter;
        Assert.Equal(new FailedTaskFilter { TaskType = "send_email", ErrorContains = "timed out", Priority = 5, Fingerprint = "fp-timeout" }, filter);
        Assert.NotNull(tab.Find("[data-testid=group-filter]"));
    }
}

public class TasksRequeueFlowTests : TasksPageTestBase
{
    public TasksRequeueFlowTests() => Tasks.Failed = _ => new FailedTaskPage([FakeTasksService.Row(), FakeTasksService.Row()], null, null);

    private (IRenderedComponent<MudDialogProvider> Dialogs, IRenderedComponent<FailedTab> Tab) RenderFailed(string url)
    {
        GoTo(url);
        var dialogs = Render<MudDialogProvider>();
        var tab = Render<FailedTab>();
        tab.WaitForAssertion(() => Assert.False(Button(tab, "Requeue all matching the filter").HasAttribute("disabled")));
        return (dialogs, tab);
    }

    [Fact]
    public async Task Requeue_all_matching_counts_first_asks_shows_progress_and_reports_with_the_audit_entry()
    {
        SignIn(AdminRoles.Operator);
        Actions.Matched = 12_345;
        var gate = new TaskCompletionSource();
        Actions.Requeue = async (_, progress, _) =>
        {
            progress!.Report(new RequeueProgress(12_345, 1_000, 0, 0, 1));
            await gate.Task;
            progress.Report(new RequeueProgress(12_345, 12_300, 45, 0, 13));
            return new RequeueReport(12_345, 12_300, 45, 0, 13, Cancelled: false, AuditId: 77);
        };
        var (dialogs, tab) = RenderFailed("tasks?tab=failed&type=send_email");

        var clicked = Button(tab, "Requeue all matching the filter").ClickAsync(new());

        // The dry run, and nothing requeued before the confirmation.
        dialogs.WaitForAssertion(() => Assert.Equal("This will requeue 12,345 tasks.", dialogs.Find("[data-testid=requeue-count]").TextContent.Trim()));
        Assert.Equal("send_email", Assert.Single(Actions.Counted).Filter!.TaskType);
        Assert.Empty(Actions.Requeued);
        Assert.DoesNotContain("every failed task", dialogs.Markup);

        var running = Button(dialogs, "Requeue 12,345 tasks").ClickAsync(new());

        dialogs.WaitForAssertion(() => Assert.Equal("1,000 of 12,345 handled: 1,000 requeued, 0 skipped, 0 failed (1 batch)",
            Words(dialogs.Find("[data-testid=requeue-progress]").TextContent)));
        Assert.NotNull(dialogs.Find("[aria-label='Requeue progress']"));
        Assert.Equal(("otto", false), (Actions.Requeued[0].Actor.Name, Actions.Requeued[0].Request.All));
        Assert.Equal("send_email", Actions.Requeued[0].Request.Filter!.TaskType);

        gate.SetResult();
        await running.WaitAsync(TimeSpan.FromSeconds(10));

        dialogs.WaitForAssertion(() => Assert.Equal("12,300", dialogs.Find("[data-testid=report-requeued]").TextContent.Trim()));
        Assert.Equal("45", dialogs.Find("[data-testid=report-skipped]").TextContent.Trim());
        Assert.Equal("0", dialogs.Find("[data-testid=report-failed]").TextContent.Trim());
        Assert.Equal("audit?id=77", dialogs.FindAll("a").Single(a => a.TextContent.Contains("Open the audit entry")).GetAttribute("href"));

        await Button(dialogs, "Close").ClickAsync(new());
        await clicked.WaitAsync(TimeSpan.FromSeconds(10));
        tab.WaitForAssertion(() => Assert.Contains("Requeued 12,300 of 12,345", tab.Find("[data-testid=task-action-outcome]").TextContent));
        Assert.Equal(2, Tasks.FailedRequests.Count); // the list was read again
    }

    [Fact]
    public async Task Cancel_stops_between_batches_and_the_report_says_what_was_done()
    {
        SignIn(AdminRoles.Operator);
        Actions.Matched = 5_000;
        Actions.Requeue = async (_, progress, ct) =>
        {
            progress!.Report(new RequeueProgress(5_000, 1_000, 0, 0, 1));
            try { await Task.Delay(Timeout.Infinite, ct); }
            catch (OperationCanceledException) { }
            return new RequeueReport(5_000, 1_000, 0, 0, 1, Cancelled: true, AuditId: 78);
        };
        var (dialogs, tab) = RenderFailed("tasks?tab=failed&type=send_email");
        _ = Button(tab, "Requeue all matching the filter").ClickAsync(new());
        dialogs.WaitForAssertion(() => Button(dialogs, "Requeue 5,000 tasks"));
        var running = Button(dialogs, "Requeue 5,000 tasks").ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.Contains("1,000 of 5,000", dialogs.Find("[data-testid=requeue-progress]").TextContent));

        await Button(dialogs, "Cancel").ClickAsync(new());
        await running.WaitAsync(TimeSpan.FromSeconds(10));

        dialogs.WaitForAssertion(() => Assert.StartsWith("Cancelled.", dialogs.Find("[data-testid=requeue-report]").TextContent.Trim()));
        Assert.Equal("1,000", dialogs.Find("[data-testid=report-requeued]").TextContent.Trim());
        Assert.Contains("continues with what is still failed", dialogs.Markup);
    }

    [Fact]
    public void With_an_empty_filter_the_confirmation_says_it_means_every_failed_task_and_asks_for_all()
    {
        SignIn(AdminRoles.Operator);
        Actions.Matched = 3_600;
        var (dialogs, tab) = RenderFailed("tasks?tab=failed");

        _ = Button(tab, "Requeue all matching the filter").ClickAsync(new());

        dialogs.WaitForAssertion(() => Assert.Contains("every failed task", dialogs.Find("[role=alert]").TextContent));
        Assert.True(Assert.Single(Actions.Counted).All);
    }

    [Fact]
    public async Task Stopping_at_the_confirmation_requeues_nothing()
    {
        SignIn(AdminRoles.Operator);
        Actions.Matched = 10;
        var (dialogs, tab) = RenderFailed("tasks?tab=failed&type=send_email");
        var clicked = Button(tab, "Requeue all matching the filter").ClickAsync(new());
        dialogs.WaitForAssertion(() => Button(dialogs, "Requeue 10 tasks"));

        await Button(dialogs, "Cancel").ClickAsync(new());
        await clicked.WaitAsync(TimeSpan.FromSeconds(10));

        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll("[data-testid=requeue-count]")));
        Assert.Empty(Actions.Requeued);
        Assert.Empty(tab.FindAll("[data-testid=task-action-outcome]"));
    }

    [Fact]
    public void When_the_dry_run_finds_nothing_there_is_nothing_to_confirm()
    {
        SignIn(AdminRoles.Operator);
        Actions.Matched = 0;
        var (dialogs, tab) = RenderFailed("tasks?tab=failed&type=send_email");

        _ = Button(tab, "Requeue all matching the filter").ClickAsync(new());

        dialogs.WaitForAssertion(() => Assert.Contains("Nothing to requeue", dialogs.Find("[data-testid=requeue-count]").TextContent));
        Assert.DoesNotContain(dialogs.FindAll("button"), b => b.TextContent.Trim().StartsWith("Requeue", StringComparison.Ordinal));
        Assert.Empty(Actions.Requeued);
    }

    [Fact]
    public void A_dry_run_the_service_refuses_says_why_and_requeues_nothing()
    {
        SignIn(AdminRoles.Operator);
        Actions.CountError = new TaskFilterException("fingerprint", "A fingerprint is 16 hexadecimal characters.");
        var (dialogs, tab) = RenderFailed("tasks?tab=failed&type=send_email");

        _ = Button(tab, "Requeue all matching the filter").ClickAsync(new());

        dialogs.WaitForAssertion(() => Assert.Equal("The filter cannot run: A fingerprint is 16 hexadecimal characters.",
            dialogs.Find("[data-testid=requeue-error]").TextContent.Trim()));
        Assert.Empty(Actions.Requeued);
    }

    [Fact]
    public async Task Requeue_selected_sends_exactly_the_checked_rows()
    {
        SignIn(AdminRoles.Operator);
        Actions.Matched = 1;
        var (dialogs, tab) = RenderFailed("tasks?tab=failed");
        var row = tab.FindAll("tr[data-id]")[1];
        var id = Guid.Parse(row.GetAttribute("data-id")!);
        row.QuerySelector("input[type=checkbox]")!.Change(true);
        tab.WaitForAssertion(() => Assert.Equal("Requeue selected (1)", Button(tab, "Requeue selected").TextContent.Trim()));

        _ = Button(tab, "Requeue selected").ClickAsync(new());
        dialogs.WaitForAssertion(() => Button(dialogs, "Requeue 1 task"));
        await Button(dialogs, "Requeue 1 task").ClickAsync(new());

        dialogs.WaitForAssertion(() => Assert.NotNull(dialogs.Find("[data-testid=requeue-report]")));
        Assert.Equal([id], Actions.Requeued.Single().Request.Ids);
    }

    [Fact]
    public void A_viewer_sees_every_action_disabled_with_the_reason()
    {
        SignIn(AdminRoles.Viewer);
        GoTo("tasks?tab=failed");
        var tab = Render<FailedTab>();

        foreach (var label in new[] { "Requeue selected", "Requeue all matching the filter", "Delete selected" })
        {
            tab.WaitForAssertion(() => Assert.Equal($"{label}: Needs the Operator role: you are signed in as a Viewer.",
                tab.Find($"span[aria-label^='{label}:']").GetAttribute("aria-label")));
            Assert.True(Button(tab, label).HasAttribute("disabled"));
        }
        Assert.Empty(Actions.Counted);
    }
}
