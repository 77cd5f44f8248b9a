using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Orchestra.Admin.E2E.Infrastructure;

/// <summary>What the browser reported while a test ran: console errors, uncaught exceptions, failed requests.</summary>
public sealed class BrowserProblems
{
    private readonly ConcurrentQueue<string> entries = new();

    public IReadOnlyList<string> All => entries.ToArray();

    internal void Attach(IPage page)
    {
        page.Console += (_, m) => { if (m.Type == "error") entries.Enqueue($"console error: {m.Text} ({m.Location})"); };
        page.PageError += (_, e) => entries.Enqueue($"page error: {e}");
        page.RequestFailed += (_, r) => entries.Enqueue($"request failed: {r.Method} {r.Url}: {r.Failure}");
        page.Response += (_, r) => { if (r.Status >= 400) entries.Enqueue($"HTTP {r.Status}: {r.Request.Method} {r.Url}"); };
    }
}

/// <summary>
/// Base of the E2E test classes: every test gets its own browser context (own localStorage) on the shared app,
/// and a failure is reported with the app's last log lines, what the browser complained about and a screenshot.
/// </summary>
[Collection(AppCollection.Name)]
public abstract class E2ETest(AppFixture app) : E2ETestBase(app);

/// <summary>What every E2E test class gets, whichever app fixture (collection) it runs against.</summary>
public abstract partial class E2ETestBase(AppFixture app)
{
    protected AppFixture App { get; } = app;

    /// <summary>
    /// Presses a dialog's button until the dialog closes: on a loaded machine a click that lands while the dialog is
    /// still opening can be lost (a second press is only made when the first visibly did nothing).
    /// </summary>
    protected static async Task PressUntilClosedAsync(ILocator dialog, string button)
    {
        for (var attempt = 1; ; attempt++)
        {
            await dialog.GetByRole(AriaRole.Button, new() { Name = button, Exact = true }).ClickAsync();
            try
            {
                await Assertions.Expect(dialog).ToBeHiddenAsync(new() { Timeout = 5_000 });
                return;
            }
            catch (PlaywrightException) when (attempt < 3) { /* still open: the click was lost */ }
        }
    }

    /// <summary>
    /// On a keyset list that shows its first page of <paramref name="firstPageRows"/> rows (<c>tr[data-id]</c>): the next
    /// page (<paramref name="secondPageRows"/> rows) is in the URL, a reload shows the same rows under the list's
    /// "<paramref name="title"/> · page 2" heading, and Back returns to the first page. <paramref name="cursorInUrl"/>: how the
    /// position reads in the URL (by default the plain keyset cursor, ticks and id).
    /// </summary>
    protected static async Task ExpectPagingKeptInTheUrlAsync(IPage page, string title, int firstPageRows, int secondPageRows, Regex? cursorInUrl = null)
    {
        var rows = page.Locator("tr[data-id]");
        await WaitForInteractiveAsync(page);
        var firstPage = await IdsAsync(firstPageRows);
        await page.GetByRole(AriaRole.Button, new() { Name = "Next page" }).ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(cursorInUrl ?? new Regex(@"after=\d+\.[0-9a-f]{32}"));
        var secondPage = await IdsAsync(secondPageRows);
        Assert.Empty(firstPage.Intersect(secondPage));

        await page.ReloadAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"{title} · page 2" })).ToBeVisibleAsync();
        await ExpectRowsAsync(secondPage);

        await page.GoBackAsync();
        await ExpectRowsAsync(firstPage);

        // The rows' ids once there are as many as expected: while a page becomes interactive its prerendered rows go
        // for a moment.
        async Task<string[]> IdsAsync(int count)
        {
            await Assertions.Expect(rows).ToHaveCountAsync(count);
            for (var waited = 0; ; waited += 100)
            {
                var found = await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.id)");
                if (found.Length == count) return found;
                if (waited >= 15_000) Assert.Fail($"expected {count} rows, the page kept showing {found.Length}");
                await Task.Delay(100);
            }
        }

        // Row by row, retrying: the prerendered rows are replaced once the page is interactive.
        async Task ExpectRowsAsync(string[] expected)
        {
            await Assertions.Expect(rows).ToHaveCountAsync(expected.Length);
            for (var i = 0; i < expected.Length; i++)
                await Assertions.Expect(rows.Nth(i)).ToHaveAttributeAsync("data-id", expected[i]);
        }
    }

    /// <summary>The page's circuit is still up: no reconnect dialog, no unhandled-error bar.</summary>
    protected static async Task ExpectCircuitAliveAsync(IPage page)
    {
        await Assertions.Expect(page.Locator("#components-reconnect-modal")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#blazor-error-ui")).ToBeHiddenAsync();
    }

    /// <summary>A page's panel (a DataPanel is a region named by its heading).</summary>
    protected static ILocator Panel(IPage page, string heading) =>
        page.GetByRole(AriaRole.Region, new PageGetByRoleOptions { Name = heading, Exact = true });

    protected Task WithPageAsync(Func<IPage, Task> test, [CallerMemberName] string testName = "") =>
        WithPageAsync((page, _) => test(page), testName);

    protected async Task WithPageAsync(Func<IPage, BrowserProblems, Task> test, [CallerMemberName] string testName = "")
    {
        await using var context = await App.NewContextAsync();
        var page = await context.NewPageAsync();
        var problems = new BrowserProblems();
        problems.Attach(page);
        try
        {
            await test(page, problems);
        }
        catch (Exception e)
        {
            var screenshot = await TryScreenshotAsync(page, testName);
            throw new E2EFailureException(Describe(e, problems, screenshot), e);
        }
    }

    /// <summary>For tests without a browser: still reports the app's log on failure.</summary>
    protected async Task WithAppDiagnosticsAsync(Func<Task> test)
    {
        try
        {
            await test();
        }
        catch (Exception e)
        {
            throw new E2EFailureException(Describe(e, null, null), e);
        }
    }

    /// <summary>Waits until the Blazor circuit drives the page (see <see cref="InteractivityProbe"/>): do this before
    /// clicking anything that is handled on the server.</summary>
    protected static Task WaitForInteractiveAsync(IPage page) => InteractivityProbe.WaitAsync(page);

    /// <summary>/vectors opens in search by text; a test that pastes a vector picks nearVector first.</summary>
    protected static Task NearVectorModeAsync(IPage page) => page.GetByRole(AriaRole.Radio, new() { Name = "nearVector" }).CheckAsync();

    private string Describe(Exception e, BrowserProblems? problems, string? screenshot)
    {
        var parts = new List<string> { e.Message, $"(failed at {DateTime.UtcNow:HH:mm:ss.fff} UTC)" };
        if (screenshot != null) parts.Add($"Screenshot: {screenshot}");
        if (problems?.All is { Count: > 0 } seen)
            parts.Add("--- browser ---\n" + string.Join('\n', seen.TakeLast(30)));
        parts.Add(App.Diagnostics());
        return string.Join("\n", parts);
    }

    private static async Task<string?> TryScreenshotAsync(IPage page, string testName)
    {
        try
        {
            var path = Path.Combine(SolutionLayout.ArtifactsDir, $"{UnsafeChars().Replace(testName, "_")}-{DateTime.UtcNow:HHmmss}-{Guid.NewGuid().ToString("N")[..4]}.png");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true, Timeout = 10_000 });
            return path;
        }
        catch (Exception)
        {
            return null; // the page may be gone; the message and the log still tell
        }
    }

    [GeneratedRegex(@"[^A-Za-z0-9_.-]")]
    private static partial Regex UnsafeChars();
}

/// <summary>A failed E2E test, with the app's log tail and the browser's complaints in its message.</summary>
public sealed class E2EFailureException(string message, Exception inner) : Exception(message, inner);
