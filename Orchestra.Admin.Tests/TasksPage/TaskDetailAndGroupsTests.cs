using Bunit;
using MudBlazor;
using Orchestra.Admin.Features.Tasks;
using Orchestra.Admin.Features.Tasks.Tabs;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.Tests.TasksPage;

public class TaskDetailTests : TasksPageTestBase
{
    private const string Trace = "System.NullReferenceException: Object reference not set to an instance of an object.\n"
        + "   at Orchestra.Imaging.ResizeHandler.ResizeAsync(ImageJob job) in ResizeHandler.cs:line 87\n"
        + "   at Orchestra.Workers.TaskRunner.ExecuteAsync(QueuedTask task) in TaskRunner.cs:line 131";

    private TaskDetail Failed(Guid id) => new(id, "resize_image", TaskStatuses.Failed, 2, """{"source":"s3://x/y.jpg","quality":80}""",
        DateTimeOffset.UtcNow.AddMinutes(-30), DateTimeOffset.UtcNow.AddMinutes(-29), DateTimeOffset.UtcNow.AddMinutes(-28), Trace,
        [new TaskAttempt(7, id, TaskStatuses.Failed, "TimeoutError: GET https://x timed out after 30000 ms\nsecond line", DateTimeOffset.UtcNow.AddHours(-2),
            DateTimeOffset.UtcNow.AddHours(-2), DateTimeOffset.UtcNow.AddHours(-1), "otto", 99)]);

    [Fact]
    public void A_failed_task_shows_its_whole_error_with_its_lines_the_payload_tree_the_timeline_and_earlier_attempts()
    {
        SignIn(AdminRoles.Operator);
        var id = Guid.NewGuid();
        Tasks.Details[id] = Failed(id);

        var page = Render<TaskDetailPage>(p => p.Add(x => x.Id, id));

        page.WaitForAssertion(() => Assert.Equal(Trace, page.Find("[data-testid=task-error]").TextContent));
        Assert.Equal("failed", page.Find("[data-testid=task-status]").TextContent.Trim());
        Assert.Contains("quality", page.Find("[role=tree][aria-label='Task payload']").TextContent);
        Assert.StartsWith("Created", Words(page.Find("[data-testid=timeline-created]").TextContent));
        Assert.Contains("after running 1 min 0 s", Words(page.Find("[data-testid=timeline-ended]").TextContent));
        var attempt = page.Find("li[data-attempt='7']");
        Assert.Contains("TimeoutError: GET https://x timed out after 30000 ms", attempt.QuerySelector("summary")!.TextContent);
        Assert.Contains("second line", attempt.QuerySelector("pre")!.TextContent);
        Assert.Equal("audit?id=99", attempt.QuerySelector("a")!.GetAttribute("href"));
        // Requeue and delete for a failed task; cancel only for a pending one.
        Assert.Single(page.FindAll("button"), b => b.TextContent.Trim() == "Requeue");
        Assert.DoesNotContain(page.FindAll("button"), b => b.TextContent.Trim() == "Cancel task");
    }

    [Fact]
    public async Task Requeueing_it_asks_first_then_requeues_exactly_this_task_and_links_the_audit_entry()
    {
        SignIn(AdminRoles.Operator);
        var id = Guid.NewGuid();
        Tasks.Details[id] = Failed(id);
        Actions.Matched = 1;
        var dialogs = Render<MudDialogProvider>();
        var page = Render<TaskDetailPage>(p => p.Add(x => x.Id, id));
        page.WaitForAssertion(() => Assert.False(Button(page, "Requeue").HasAttribute("disabled")));

        var clicked = Button(page, "Requeue").ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.Contains($"Set failed task {id}", dialogs.Markup));
        Assert.Empty(Actions.Requeued);
        await dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Requeue").ClickAsync(new());
        await clicked.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([id], Actions.Requeued.Single().Request.Ids);
        page.WaitForAssertion(() => Assert.Equal("audit?id=42", page.Find("[data-testid=task-action-outcome] a").GetAttribute("href")));
    }

    [Fact]
    public void A_task_that_is_gone_says_so()
    {
        SignIn(AdminRoles.Viewer);
        var page = Render<TaskDetailPage>(p => p.Add(x => x.Id, Guid.NewGuid()));

        page.WaitForAssertion(() => Assert.Contains("it may have been deleted", page.Markup));
    }
}

public class TasksErrorGroupsTests : TasksPageTestBase
{
    [Fact]
    public async Task A_group_opens_as_the_failed_list_of_its_fingerprint_and_requeueing_it_sends_that_fingerprint()
    {
        SignIn(AdminRoles.Operator);
        Tasks.Groups = [new ErrorGroup("0123456789abcdef", 3_000, DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow,
            "TimeoutError: POST https://api.openai.com/v1/embeddings timed out after 30000 ms\n  more", Guid.NewGuid(), ["generate_embedding"])];
        Actions.Matched = 3_000;
        var dialogs = Render<MudDialogProvider>();
        var tab = Render<ErrorGroupsTab>();

        tab.WaitForAssertion(() => Assert.Equal("3,000", tab.Find("[data-testid=group-count]").TextContent.Trim()));
        var row = tab.Find("tr[data-fingerprint='0123456789abcdef']");
        Assert.Contains("timed out after 30000 ms", row.TextContent);
        Assert.DoesNotContain("more", row.TextContent); // the first line only
        Assert.Equal("tasks?tab=failed&group=0123456789abcdef", row.QuerySelectorAll("a").Single(a => a.TextContent.Contains("Open group")).GetAttribute("href"));

        tab.WaitForAssertion(() => Assert.False(Button(tab, "Requeue group").HasAttribute("disabled")));
        _ = Button(tab, "Requeue group").ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.Equal("This will requeue 3,000 tasks.", dialogs.Find("[data-testid=requeue-count]").TextContent.Trim()));
        Assert.Equal(new FailedTaskFilter { Fingerprint = "0123456789abcdef" }, Actions.Counted.Single().Filter);
        await Button(dialogs, "Requeue 3,000 tasks").ClickAsync(new());

        dialogs.WaitForAssertion(() => Assert.Equal("3,000", dialogs.Find("[data-testid=report-requeued]").TextContent.Trim()));
        Assert.False(Actions.Requeued.Single().Request.All);
    }
}

public class TasksStuckTests : TasksPageTestBase
{
    [Fact]
    public async Task Stuck_tasks_show_how_long_they_run_against_their_threshold_and_the_selected_are_requeued_after_a_confirmation()
    {
        SignIn(AdminRoles.Operator);
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());
        Tasks.Stuck =
        [
            new StuckTask(a, "resize_image", 5, DateTimeOffset.UtcNow.AddHours(-3), TimeSpan.FromMinutes(185), TimeSpan.FromMinutes(15)),
            new StuckTask(b, "sync_crm", 0, DateTimeOffset.UtcNow.AddHours(-1), TimeSpan.FromMinutes(61), TimeSpan.FromMinutes(30)),
        ];
        var dialogs = Render<MudDialogProvider>();
        var tab = Render<StuckTab>();

        tab.WaitForAssertion(() => Assert.Contains("3 h 5 min", tab.Find($"tr[data-id='{a}']").TextContent));
        Assert.Contains("30 min 0 s", tab.Find($"tr[data-id='{b}']").TextContent);
        tab.Find($"tr[data-id='{b}'] input[type=checkbox]").Change(true);
        tab.WaitForAssertion(() => Assert.False(Button(tab, "Requeue stuck (1)").HasAttribute("disabled")));

        var clicked = Button(tab, "Requeue stuck (1)").ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.Contains("requeue only tasks whose worker is gone", dialogs.Markup));
        await dialogs.FindAll("button").Single(x => x.TextContent.Trim() == "Requeue").ClickAsync(new());
        await clicked.WaitAsync(TimeSpan.FromSeconds(10));

        tab.WaitForAssertion(() => Assert.Equal("audit?id=43", tab.Find("[data-testid=task-action-outcome] a").GetAttribute("href")));
        Assert.Contains("Requeued 1 of 1", tab.Find("[data-testid=task-action-outcome]").TextContent);
        Assert.Equal([b], Actions.StuckRequeued.Single());
    }
}
