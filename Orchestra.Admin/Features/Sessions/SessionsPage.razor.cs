using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using Microsoft.JSInterop;
using MudBlazor;
using Orchestra.Admin.Components.Controls;
using Orchestra.Admin.Features.Overview;
using Orchestra.Admin.Hosting;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.Features.Sessions;

/// <summary>
/// The session store at a glance (counts, history, top entries; shared by all viewers once per sampler round), the list with
/// its filters in the URL and keyset pages, and the operator actions: revoke one, revoke a user's, clean up.
/// </summary>
public partial class SessionsPage
{
    public static readonly HistoryChart SessionsChart = new("Sessions",
        [new(SessionsMetricSource.Active, "active"), new(SessionsMetricSource.Expired, "expired"), new(SessionsMetricSource.Deleted, "revoked")],
        v => v.ToString("N0", CultureInfo.InvariantCulture));

    protected override string CachePrefix => "sessions/";

    [Inject] private ISessionsService Sessions { get; set; } = null!;
    [Inject] private ISessionActions Actions { get; set; } = null!;
    [Inject] private NavigationManager Navigation { get; set; } = null!;
    [Inject] private BrowserTimeZone TimeZone { get; set; } = null!;
    [Inject] private TimeProvider Clock { get; set; } = null!;
    [Inject] private IOptions<OrchestraAdminOptions> Options { get; set; } = null!;
    [Inject] private IDialogService Dialogs { get; set; } = null!;
    [Inject] private ISnackbar Snackbar { get; set; } = null!;
    [Inject] private IJSRuntime JS { get; set; } = null!;
    [Inject] private SessionReferences References { get; set; } = null!;

    // Filters and the order live in the URL, so a view can be shared and reloaded.
    [SupplyParameterFromQuery(Name = "user")] public string? UserQuery { get; set; }
    [SupplyParameterFromQuery(Name = "match")] public string? MatchQuery { get; set; }
    [SupplyParameterFromQuery(Name = "status")] public string? StatusQuery { get; set; }
    [SupplyParameterFromQuery(Name = "network")] public string? NetworkQuery { get; set; }
    [SupplyParameterFromQuery(Name = "ua")] public string? UserAgentQuery { get; set; }
    [SupplyParameterFromQuery(Name = "createdFrom")] public string? CreatedFromQuery { get; set; }
    [SupplyParameterFromQuery(Name = "createdTo")] public string? CreatedToQuery { get; set; }
    [SupplyParameterFromQuery(Name = "expiresFrom")] public string? ExpiresFromQuery { get; set; }
    [SupplyParameterFromQuery(Name = "expiresTo")] public string? ExpiresToQuery { get; set; }
    [SupplyParameterFromQuery(Name = "sort")] public string? SortQuery { get; set; }
    [SupplyParameterFromQuery(Name = "dir")] public string? DirectionQuery { get; set; }
    [SupplyParameterFromQuery(Name = "size")] public string? SizeQuery { get; set; }
    [SupplyParameterFromQuery(Name = KeysetPosition<SessionCursor>.AfterParameter)] public string? AfterQuery { get; set; }
    [SupplyParameterFromQuery(Name = KeysetPosition<SessionCursor>.BeforeParameter)] public string? BeforeQuery { get; set; }
    [SupplyParameterFromQuery(Name = KeysetPosition<SessionCursor>.PageParameter)] public string? PageQuery { get; set; }

    private readonly SessionsFilterForm form = new();
    private SessionFilter applied = new();
    private SessionSort sort = SessionSort.CreatedAt;
    private bool descending = true;
    private int pageSize = SessionsService.PageSizes[0];
    private readonly KeysetPosition<SessionCursor> position = new();
    private SessionPage? page;
    private string? actionMessage;
    private Severity actionSeverity = Severity.Info;

    private DataPanel<SessionCounts>? countsPanel;
    private DataPanel<SessionBreakdowns>? breakdownPanel;
    private DataPanel<SessionPage>? listPanel;

    private int cleanupDays = 30;
    private CleanupPlan? cleanupPlan;
    private CleanupProgress? cleanupProgress;
    private CancellationTokenSource? cleanupCts;
    private string? cleanupMessage;

    /// <summary>The user of the applied filter when it names one user exactly: their sessions can be revoked at once.</summary>
    private string? ExactUser => applied.UserMatch == UserMatch.Exact && !string.IsNullOrEmpty(applied.UserId) ? applied.UserId : null;

    protected override async Task OnParametersSetAsync()
    {
        form.FromQuery(UserQuery, MatchQuery, StatusQuery, NetworkQuery, UserAgentQuery, CreatedFromQuery, CreatedToQuery, ExpiresFromQuery, ExpiresToQuery);
        applied = form.ToFilter(TimeZone.Zone ?? TimeZoneInfo.Utc);
        sort = Enum.TryParse<SessionSort>(SortQuery, ignoreCase: true, out var s) ? s : SessionSort.CreatedAt;
        descending = !string.Equals(DirectionQuery, "asc", StringComparison.OrdinalIgnoreCase);
        pageSize = int.TryParse(SizeQuery, out var size) && SessionsService.PageSizes.Contains(size) ? size : SessionsService.PageSizes[0];
        position.FromQuery(References.OpenCursor(AfterQuery), References.OpenCursor(BeforeQuery), PageQuery);
        // The first render loads through the panel itself; a change of URL afterwards loads again here.
        if (listPanel != null) await listPanel.RefreshAsync();
    }

    /// <summary>The Refresh button: fresh counts and top entries, and the current page of the list again.</summary>
    private Task RefreshAllAsync() => Task.WhenAll(RefreshNowAsync(), listPanel?.RefreshAsync() ?? Task.CompletedTask);

    // Each sampler round refreshes the counts and the top entries; the list stays as the operator paged it.
    protected override Task RefreshAsync() => Task.WhenAll(
        countsPanel?.RefreshAsync() ?? Task.CompletedTask,
        breakdownPanel?.RefreshAsync() ?? Task.CompletedTask);

    // The sampler counts the sessions each round; only before the first round (or when its read failed) the page
    // reads them, once for every viewer.
    private Task<SessionCounts> LoadCountsAsync(CancellationToken ct) =>
        SessionsMetricSource.CountsOf(Sampler.Latest) is { } counts ? Task.FromResult(counts) : Shared("counts", Sessions.CountsAsync, ct);

    private async Task<SessionPage> LoadPageAsync(CancellationToken ct)
    {
        try
        {
            var loaded = await Sessions.PageAsync(new SessionPageRequest(applied, sort, descending, pageSize, position.After, position.Before), ct);
            if (!ct.IsCancellationRequested) page = loaded; // a load overtaken by a newer one must not set the cursors
            return loaded;
        }
        catch (SessionFilterException e)
        {
            form.Errors[e.Field] = e.Message;
            page = null;
            throw;
        }
        finally
        {
            StateHasChanged(); // the pager and the field errors live outside the panel
        }
    }

    private void Apply()
    {
        form.Errors.Clear();
        // Checked here too, so a bad network is refused at its field before the URL changes.
        try
        {
            if (!string.IsNullOrWhiteSpace(form.Network)) SessionsService.ParseNetwork(form.Network);
        }
        catch (SessionFilterException e)
        {
            form.Errors[e.Field] = e.Message;
            return;
        }
        Navigate();
    }

    private void ClearFilter()
    {
        form.Clear();
        Navigate();
    }

    /// <summary>The view goes into the URL, on its first page (OnParametersSetAsync loads it).</summary>
    private void Navigate()
    {
        var query = form.ToQuery(sort, descending);
        query["size"] = pageSize == SessionsService.PageSizes[0] ? null : pageSize.ToString(CultureInfo.InvariantCulture);
        foreach (var (name, value) in KeysetPosition<SessionCursor>.FirstPageQuery()) query[name] = value;
        GoTo(query);
    }

    private void OnSortChanged(SessionSort value) { sort = value; Navigate(); }
    private void ToggleDirection() { descending = !descending; Navigate(); }
    private void PageSizeChanged(int value) { pageSize = value; Navigate(); }

    // The page is in the URL too: a reload or a shared link shows it, and the browser's Back button goes to the previous one.
    private void FirstPage() => GoTo(KeysetPosition<SessionCursor>.FirstPageQuery());
    private void NextPage() { if (position.Next(page?.Next)) GoTo(PositionQuery()); }
    private void PreviousPage() { if (position.Previous(page?.Previous)) GoTo(PositionQuery()); }

    /// <summary>The position's query parameters with its cursors sealed: a cursor holds the id of the session at the page's edge.</summary>
    private Dictionary<string, object?> PositionQuery()
    {
        var query = position.ToQuery();
        foreach (var name in new[] { KeysetPosition<SessionCursor>.AfterParameter, KeysetPosition<SessionCursor>.BeforeParameter })
            if (query[name] is string cursor) query[name] = References.SealCursor(cursor);
        return query;
    }

    /// <summary>Navigates to the view with these query parameters changed; the view already shown loads afresh.</summary>
    private void GoTo(Dictionary<string, object?> query)
    {
        var target = Navigation.GetUriWithQueryParameters(query);
        if (target == Navigation.Uri) _ = listPanel?.RefreshAsync();
        else Navigation.NavigateTo(target);
    }

    /// <summary>This page filtered by one value (from a breakdown or a user cell).</summary>
    private string FilterLink(string field, string value) => "sessions?" + string.Join('&',
        new[] { (field, value) }.Concat(field == "user" ? [("match", "exact")] : []).Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2)}"));

    /// <summary>The full id goes to the clipboard through an Operator's audited reveal; the page itself never holds it.</summary>
    private async Task CopyIdAsync(SessionRow row)
    {
        var shortId = SessionReferences.ShortId(row.SessionId);
        try
        {
            if (await Actions.RevealIdAsync(row.SessionId) is not { } id)
            {
                Snackbar.Add($"Session {shortId} no longer exists (cleaned up?).", Severity.Warning);
                return;
            }
            await JS.InvokeVoidAsync("navigator.clipboard.writeText", id.ToString());
            Snackbar.Add($"Copied the full id of session {shortId}; your reveal is in the audit log.", Severity.Success);
        }
        catch (OperatorRequiredException e)
        {
            Snackbar.Add(e.Message, Severity.Warning);
        }
        catch (JSException)
        {
            Snackbar.Add("The browser refused the clipboard.", Severity.Warning);
        }
        catch (Exception e)
        {
            Snackbar.Add(ErrorMessages.Describe(e), Severity.Error);
        }
    }

    // ---------------------------------------------------------------- actions

    private async Task RevokeAsync(SessionRow row)
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync("Revoke session",
            $"Revoke session {SessionReferences.ShortId(row.SessionId)} of user {row.UserId}? It can no longer be used. The row stays (soft delete); the change is audited.",
            yesText: "Revoke", cancelText: "Keep it");
        if (confirmed != true) return;
        await RunAsync(() => Actions.RevokeAsync(row.SessionId));
    }

    private async Task RevokeUserAsync(string user)
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync("Revoke all sessions of a user",
            $"Revoke every active session of user {user}? They are signed out everywhere. The rows stay (soft delete); the change is audited.",
            yesText: "Revoke all", cancelText: "Keep them");
        if (confirmed != true) return;
        await RunAsync(() => Actions.RevokeUserAsync(user));
    }

    private async Task RunAsync(Func<Task<SessionActionOutcome>> action)
    {
        try
        {
            var outcome = await action();
            (actionMessage, actionSeverity) = (outcome.Message, outcome.Changed > 0 ? Severity.Success : Severity.Info);
        }
        catch (Exception e) when (e is OperatorRequiredException or InvalidInputException)
        {
            (actionMessage, actionSeverity) = (e.Message, Severity.Warning);
        }
        catch (Exception e)
        {
            (actionMessage, actionSeverity) = (ErrorMessages.Describe(e), Severity.Error);
        }
        await Task.WhenAll(listPanel?.RefreshAsync() ?? Task.CompletedTask, RefreshNowAsync());
    }

    private async Task PlanCleanupAsync()
    {
        form.Errors.Remove("olderThanDays");
        (cleanupPlan, cleanupProgress, cleanupMessage) = (null, null, null);
        try
        {
            cleanupPlan = await Actions.PlanCleanupAsync(cleanupDays);
        }
        catch (InvalidInputException e)
        {
            form.Errors[e.Field] = e.Message;
        }
        catch (Exception e)
        {
            cleanupMessage = e is OperatorRequiredException ? e.Message : ErrorMessages.Describe(e);
        }
    }

    private async Task RunCleanupAsync()
    {
        if (cleanupPlan is not { } plan) return;
        var confirmed = await Dialogs.ShowMessageBoxAsync("Clean up sessions",
            $"Delete {plan.Total:N0} sessions for good ({plan.Expired:N0} expired and {plan.Revoked:N0} revoked more than {plan.OlderThanDays} days ago)? " +
            "Each batch's deleted rows are kept in the audit log.",
            yesText: "Delete", cancelText: "Keep them");
        if (confirmed != true) return;

        cleanupCts = new CancellationTokenSource();
        cleanupProgress = new CleanupProgress(0, plan.Total, 0);
        cleanupMessage = null;
        var progress = new Progress<CleanupProgress>(p => _ = InvokeAsync(() => { cleanupProgress = p; StateHasChanged(); }));
        try
        {
            var outcome = await Actions.CleanupAsync(plan, progress, cleanupCts.Token);
            cleanupProgress = new CleanupProgress(outcome.Deleted, Math.Max(plan.Total, outcome.Deleted), outcome.Batches);
            cleanupMessage = (outcome.Cancelled ? "Stopped. " : "Done. ") +
                $"Deleted {outcome.Deleted:N0} sessions in {outcome.Batches} batch{(outcome.Batches == 1 ? "" : "es")}; the rows are in the audit log" +
                (outcome.Cancelled ? ". Run it again to continue." : ".");
        }
        catch (OperationCanceledException)
        {
            cleanupMessage = "Stopped between batches; every finished batch is complete and in the audit log. Run it again to continue.";
        }
        catch (Exception e)
        {
            cleanupMessage = e is OperatorRequiredException or InvalidInputException ? e.Message : ErrorMessages.Describe(e);
        }
        finally
        {
            cleanupCts.Dispose();
            cleanupCts = null;
            cleanupPlan = null;
        }
        await Task.WhenAll(listPanel?.RefreshAsync() ?? Task.CompletedTask, RefreshNowAsync());
    }

    private string? ErrorOf(string field) => form.Errors.GetValueOrDefault(field);

    public override void Dispose()
    {
        cleanupCts?.Cancel(); // a clean-up stops between batches when the page goes away
        base.Dispose();
    }
}

/// <summary>How a session's state reads on the pages.</summary>
public static class SessionText
{
    /// <summary>"expires in 3 h 10 min" or "expired 3 h 10 min ago".</summary>
    public static string Expiry(DateTimeOffset expiresAt, DateTimeOffset now)
    {
        var left = (expiresAt - now).TotalSeconds;
        return left > 0 ? $"expires in {Durations.Format(left)}" : $"expired {Durations.Format(-left)} ago";
    }

    public static string Status(SessionStatus status) => status.ToString().ToLowerInvariant();

    public static Color StatusColor(SessionStatus status) => status switch
    {
        SessionStatus.Active => Color.Success,
        SessionStatus.Expired => Color.Warning,
        _ => Color.Default,
    };
}

/// <summary>The filter fields as typed, to and from the URL; dates are days in the browser's time zone.</summary>
internal sealed class SessionsFilterForm
{
    public string? UserId { get; set; }
    public UserMatch UserMatch { get; set; } = UserMatch.Exact;
    public SessionStatus? Status { get; set; }
    public string? Network { get; set; }
    public string? UserAgent { get; set; }
    public DateTime? CreatedFrom { get; set; }
    public DateTime? CreatedTo { get; set; }
    public DateTime? ExpiresFrom { get; set; }
    public DateTime? ExpiresTo { get; set; }
    public Dictionary<string, string> Errors { get; } = [];

    public void FromQuery(string? user, string? match, string? status, string? network, string? ua,
        string? createdFrom, string? createdTo, string? expiresFrom, string? expiresTo)
    {
        UserId = Blank(user);
        UserMatch = string.Equals(match, "prefix", StringComparison.OrdinalIgnoreCase) ? UserMatch.Prefix : UserMatch.Exact;
        Status = Enum.TryParse<SessionStatus>(status, ignoreCase: true, out var s) ? s : null;
        Network = Blank(network);
        UserAgent = string.IsNullOrEmpty(ua) ? null : ua;
        (CreatedFrom, CreatedTo, ExpiresFrom, ExpiresTo) = (Day(createdFrom), Day(createdTo), Day(expiresFrom), Day(expiresTo));
    }

    public Dictionary<string, object?> ToQuery(SessionSort sort, bool descending) => new()
    {
        ["user"] = Blank(UserId),
        ["match"] = Blank(UserId) != null && UserMatch == UserMatch.Prefix ? "prefix" : null,
        ["status"] = Status?.ToString().ToLowerInvariant(),
        ["network"] = Blank(Network),
        ["ua"] = string.IsNullOrEmpty(UserAgent) ? null : UserAgent,
        ["createdFrom"] = Text(CreatedFrom),
        ["createdTo"] = Text(CreatedTo),
        ["expiresFrom"] = Text(ExpiresFrom),
        ["expiresTo"] = Text(ExpiresTo),
        ["sort"] = sort == SessionSort.CreatedAt ? null : sort switch { SessionSort.UpdatedAt => "updatedat", _ => "expiresat" },
        ["dir"] = descending ? null : "asc",
    };

    public SessionFilter ToFilter(TimeZoneInfo zone) => new()
    {
        UserId = Blank(UserId),
        UserMatch = UserMatch,
        Status = Status,
        Network = Blank(Network),
        UserAgent = string.IsNullOrEmpty(UserAgent) ? null : UserAgent,
        CreatedFrom = StartOfDay(CreatedFrom, zone),
        CreatedTo = StartOfDay(CreatedTo?.AddDays(1), zone)?.AddTicks(-10),
        ExpiresFrom = StartOfDay(ExpiresFrom, zone),
        ExpiresTo = StartOfDay(ExpiresTo?.AddDays(1), zone)?.AddTicks(-10),
    };

    public void Clear()
    {
        UserId = Network = UserAgent = null;
        UserMatch = UserMatch.Exact;
        Status = null;
        CreatedFrom = CreatedTo = ExpiresFrom = ExpiresTo = null;
        Errors.Clear();
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
    private static string? Text(DateTime? d) => d?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    private static DateTime? Day(string? s) =>
        DateTime.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
    private static DateTimeOffset? StartOfDay(DateTime? day, TimeZoneInfo zone) =>
        day is { } d ? new DateTimeOffset(d.Date, zone.GetUtcOffset(d.Date)) : null;
}
