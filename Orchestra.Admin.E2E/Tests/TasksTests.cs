using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Npgsql;
using Orchestra.Admin.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestra.Admin.E2E.Tests;

/// <summary>
/// The task queue pages on the real app: filter the failed list, open an error group, requeue it after the dry run,
/// watch the rows leave the failed list and the counts move, open the audit entry. The test fails tasks of its own
/// type with an error of its own, so the group is its alone and the other tests (and the seed) are left as they were.
/// </summary>
public sealed class TasksTests(AppFixture app) : E2ETest(app)
{
    private const string TaskType = "e2e_tasks_ui";
    private const int GroupSize = 30;
    private const int OtherErrors = 2;

    [Fact]
    public Task Filter_open_a_group_requeue_it_after_the_dry_run_and_open_the_audit_entry() => WithPageAsync(async page =>
    {
        await InsertFailedTasksAsync();

        // The matrix counts the new failures once a sampler round has read them.
        await page.GotoAsync("/tasks");
        await WaitForInteractiveAsync(page);
        var failedCell = page.Locator($"tr[data-type='{TaskType}'] td[data-status='failed']");
        var pendingCell = page.Locator($"tr[data-type='{TaskType}'] td[data-status='pending']");
        await Expect(failedCell).ToHaveTextAsync((GroupSize + OtherErrors).ToString());
        await Expect(pendingCell).ToHaveTextAsync("0");

        // Filter the failed list by error text: only this test's group, newest failure first.
        await failedCell.GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"tab=failed&type={TaskType}"));
        await Expect(page.Locator("tr[data-id]")).ToHaveCountAsync(GroupSize + OtherErrors);
        await page.GetByLabel("Error contains", new() { Exact = true }).FillAsync("e2e-ui handler");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply filter" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("error=e2e-ui"));
        var rows = page.Locator("tr[data-id]");
        await Expect(rows).ToHaveCountAsync(GroupSize);
        await Expect(rows.First).ToHaveAttributeAsync("data-id", await NewestFailedAsync());

        // The error groups: ours, with its count; opening it lists its tasks.
        await page.GetByRole(AriaRole.Tab, new() { Name = "Error groups" }).ClickAsync();
        var group = page.Locator("tr[data-fingerprint]").Filter(new() { HasText = "E2eUiError" });
        await Expect(group.GetByTestId("group-count")).ToHaveTextAsync(GroupSize.ToString());
        await group.GetByRole(AriaRole.Link, new() { Name = "Open group" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("tab=failed.*group=[0-9a-f]{16}"));
        await Expect(page.GetByTestId("group-filter")).ToBeVisibleAsync();
        await Expect(rows).ToHaveCountAsync(GroupSize);
        await Expect(page.Locator($"tr[data-id]:not([data-type='{TaskType}'])")).ToHaveCountAsync(0);

        // Requeue the group: the dry run counts it, nothing changes before the confirmation.
        await page.GetByRole(AriaRole.Tab, new() { Name = "Error groups" }).ClickAsync();
        await group.GetByRole(AriaRole.Button, new() { Name = "Requeue group" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog.GetByTestId("requeue-count")).ToHaveTextAsync($"This will requeue {GroupSize} tasks.");
        Assert.Equal(GroupSize + OtherErrors, (int)await CountAsync("failed"));

        await dialog.GetByRole(AriaRole.Button, new() { Name = $"Requeue {GroupSize} tasks" }).ClickAsync();
        await Expect(dialog.GetByTestId("report-requeued")).ToHaveTextAsync(GroupSize.ToString());
        await Expect(dialog.GetByTestId("report-skipped")).ToHaveTextAsync("0");
        await Expect(dialog.GetByTestId("report-failed")).ToHaveTextAsync("0");
        var auditLink = await dialog.GetByRole(AriaRole.Link, new() { Name = "Open the audit entry" }).GetAttributeAsync("href");
        Assert.Matches(@"^audit\?id=\d+$", auditLink);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();

        // Exactly the group went back to pending, and every previous error is kept.
        Assert.Equal(OtherErrors, (int)await CountAsync("failed"));
        Assert.Equal(GroupSize, (int)await CountAsync("pending"));
        Assert.Equal((long)GroupSize, await ScalarAsync<long>($"""
            SELECT count(*) FROM orchestra_admin.task_attempts a JOIN task_queue t ON t.id = a.task_id
            WHERE t.task_type = '{TaskType}' AND a.error LIKE 'E2eUiError:%'
            """));

        // The group is gone from the groups and its tasks from the failed list; the matrix follows.
        await Expect(group).ToHaveCountAsync(0);
        await page.GotoAsync($"/tasks?tab=failed&type={TaskType}");
        await WaitForInteractiveAsync(page);
        await Expect(rows).ToHaveCountAsync(OtherErrors);
        await page.GetByRole(AriaRole.Tab, new() { Name = "Overview" }).ClickAsync();
        await Expect(failedCell).ToHaveTextAsync(OtherErrors.ToString());
        await Expect(pendingCell).ToHaveTextAsync(GroupSize.ToString());

        // The audit entry: who requeued what, opened.
        await page.GotoAsync("/" + auditLink);
        var json = page.GetByTestId("audit-json");
        await Expect(json).ToHaveCountAsync(1);
        await Expect(json).ToContainTextAsync("\"Action\": \"task.requeue\"");
        await Expect(json).ToContainTextAsync($"\"Actor\": \"{App.OperatorUserName}\"");
        await Expect(json).ToContainTextAsync($"\"RowsAffected\": {GroupSize}");
    });

    [Fact]
    public Task A_task_shows_its_whole_error_its_payload_and_the_earlier_attempts() => WithPageAsync(async page =>
    {
        var id = Guid.NewGuid();
        const string error = "E2eUiTrace: worker crashed\n   at Orchestra.Workers.Run() in Run.cs:line 12\n   at Orchestra.Workers.Loop() in Loop.cs:line 40";
        await ExecuteAsync($$"""
            INSERT INTO task_queue (id, task_type, payload, status, priority, created_at, started_at, completed_at, error)
            VALUES ('{{id}}', 'e2e_tasks_ui_detail', '{"order": {"id": 7} }', 'failed', 2,
                    now() - interval '10 min', now() - interval '9 min', now() - interval '8 min', @error)
            """, ("error", error));

        await page.GotoAsync($"/tasks/{id}");
        await WaitForInteractiveAsync(page);
        await Expect(page.GetByTestId("task-status")).ToHaveTextAsync("failed");
        // The stack trace keeps its lines.
        Assert.Equal(error, await page.GetByTestId("task-error").InnerTextAsync());
        await Expect(page.GetByRole(AriaRole.Tree, new() { Name = "Task payload" })).ToContainTextAsync("order");

        await page.GetByRole(AriaRole.Button, new() { Name = "Requeue", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Requeue" }).ClickAsync();

        await Expect(page.GetByTestId("task-status")).ToHaveTextAsync("pending");
        await Expect(page.GetByTestId("task-action-outcome")).ToContainTextAsync("Requeued 1 of 1");
        var attempt = page.Locator("li[data-attempt]");
        await Expect(attempt).ToHaveCountAsync(1);
        await attempt.Locator("summary").ClickAsync();
        await Expect(attempt.Locator("pre")).ToContainTextAsync("Loop.cs:line 40");
    });

    [Fact]
    public Task A_requeue_changes_only_the_tasks_the_dialog_confirmed() => WithPageAsync(async page =>
    {
        const string type = "e2e_tasks_ui_confirm";
        await ExecuteAsync($"""
            INSERT INTO task_queue (task_type, payload, status, created_at, started_at, completed_at, error)
            SELECT '{type}', '{"{}"}', 'failed', now() - interval '1 hour', now() - interval '50 minutes', now() - n * interval '1 second',
                   'E2eConfirmError: upstream timed out after ' || n || ' s'
            FROM generate_series(1, 10) AS n
            """);
        await page.GotoAsync($"/tasks?tab=failed&type={type}&error=E2eConfirmError");
        await WaitForInteractiveAsync(page);
        await Expect(page.Locator("tr[data-id]")).ToHaveCountAsync(10);

        // The dry run counts ten; the operator reads the count while the queue moves on.
        await page.GetByRole(AriaRole.Button, new() { Name = "Requeue all matching the filter" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog.GetByTestId("requeue-count")).ToHaveTextAsync("This will requeue 10 tasks.");
        await ExecuteAsync($"""
            UPDATE task_queue SET error = 'KeyError: ''e2e_field'''
            WHERE id IN (SELECT id FROM task_queue WHERE task_type = '{type}' ORDER BY id LIMIT 2);
            INSERT INTO task_queue (task_type, payload, status, created_at, completed_at, error)
            SELECT '{type}', '{"{}"}', 'failed', now() - interval '2 hours', now() - interval '2 hours', 'E2eConfirmError: failed after the count ' || n
            FROM generate_series(1, 3) AS n
            """);

        await dialog.GetByRole(AriaRole.Button, new() { Name = "Requeue 10 tasks" }).ClickAsync();

        // Only the eight confirmed tasks that still match: not the two whose error changed, not the three that failed since.
        await Expect(dialog.GetByTestId("report-requeued")).ToHaveTextAsync("8");
        Assert.Equal(8L, await ScalarAsync<long>($"SELECT count(*) FROM task_queue WHERE task_type = '{type}' AND status = 'pending'"));
        Assert.Equal(5L, await ScalarAsync<long>($"SELECT count(*) FROM task_queue WHERE task_type = '{type}' AND status = 'failed' AND (error LIKE 'KeyError%' OR error LIKE '%after the count%')"));
        await Expect(dialog.GetByTestId("report-matched")).ToHaveTextAsync("10");
        await Expect(dialog.GetByTestId("report-skipped")).ToHaveTextAsync("2");
        await Expect(dialog.GetByTestId("report-skipped-not-matching")).ToHaveTextAsync("2");
    });

    [Fact]
    public Task The_failed_lists_page_and_size_are_in_the_url_so_reload_and_back_keep_them() => WithPageAsync(async page =>
    {
        const string type = "e2e_tasks_ui_paging";
        await ExecuteAsync($"""
            INSERT INTO task_queue (task_type, payload, status, created_at, completed_at, error)
            SELECT '{type}', '{"{}"}', 'failed', now() - interval '1 hour', now() - n * interval '1 second', 'E2ePagingError'
            FROM generate_series(1, 30) AS n
            """);

        await page.GotoAsync($"/tasks?tab=failed&type={type}&size=25");
        await ExpectPagingKeptInTheUrlAsync(page, "Failed tasks", firstPageRows: 25, secondPageRows: 5);
    });

    /// <summary>This test's failures: one group (numbers differ, the fingerprint does not) and two other errors.</summary>
    private Task InsertFailedTasksAsync() => ExecuteAsync($"""
        INSERT INTO task_queue (task_type, payload, status, priority, created_at, started_at, completed_at, error)
        SELECT '{TaskType}', jsonb_build_object('e2e', 'tasks-ui', 'n', n), 'failed', 0,
               now() - interval '2 hours', now() - interval '1 hour', now() - interval '1 hour' + n * interval '1 second',
               CASE WHEN n <= {GroupSize}
                    THEN format('E2eUiError: the e2e-ui handler failed after %s ms on attempt %s', 1000 + n * 37, n % 5)
                    ELSE format('KeyError: ''e2e_ui_field_%s''', n) END
        FROM generate_series(1, {GroupSize + OtherErrors}) AS n
        """);

    private Task<string> NewestFailedAsync() => ScalarAsync<string>($"""
        SELECT id::text FROM task_queue WHERE task_type = '{TaskType}' AND status = 'failed' AND error LIKE 'E2eUiError:%'
        ORDER BY completed_at DESC, id DESC LIMIT 1
        """);

    private Task<long> CountAsync(string status) =>
        ScalarAsync<long>($"SELECT count(*) FROM task_queue WHERE task_type = '{TaskType}' AND status = '{status}'");

    private async Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var conn = new NpgsqlConnection(App.DatabaseConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        await cmd.ExecuteNonQueryAsync();
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var conn = new NpgsqlConnection(App.DatabaseConnectionString);
        await conn.OpenAsync();
        return (T)(await new NpgsqlCommand(sql, conn).ExecuteScalarAsync())!;
    }
}
