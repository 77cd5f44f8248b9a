using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.AspNetCore.WebUtilities;
using MudBlazor;
using Orchestra.Admin.Components.Controls;
using Orchestra.Admin.Security;
using static Orchestra.Admin.Features.Tasks.ActionOutcome;

namespace Orchestra.Admin.Features.Tasks.Tabs;

/// <summary>
/// The failed list: filters held in the URL, keyset pages (newest failure first), selection, and the requeue, delete and
/// requeue-everything-matching actions. A field the filter cannot use gets its message at the field and nothing runs.
/// </summary>
public partial class FailedTab : IDisposable
{
    internal static readonly int[] PageSizes = [25, 50, 100];

    [Inject] private ITasksService Tasks { get; set; } = null!;
    [Inject] private ITaskActions Actions { get; set; } = null!;
    [Inject] private ICurrentOperator CurrentOperator { get; set; } = null!;
    [Inject] private IDialogService Dialogs { get; set; } = null!;
    [Inject] private NavigationManager Navigation { get; set; } = null!;
    [Inject] private BrowserTimeZone TimeZone { get; set; } = null!;

    private FailedFilterForm form = new();
    /// <summary>The filter the list shows; null while the URL's filter has a wrong field (nothing runs then).</summary>
    private FailedTaskFilter? applied;
    private IReadOnlyList<string> types = [];
    private string? typesError;
    private const int DefaultPageSize = 50;
    private const string SizeParameter = "size";
    private int pageSize = DefaultPageSize;
    private readonly KeysetPosition<TaskCursor> position = new();
    private FailedTaskPage? page;
    private readonly HashSet<Guid> selected = [];
    private Outcome? outcome;
    private DataPanel<FailedTaskPage>? grid;

    /// <summary>The known types, plus one typed into the URL that the queue does not hold (so it still shows).</summary>
    private IEnumerable<string> TypeChoices => form.TaskType is { } t && !types.Contains(t) ? types.Append(t) : types;

    protected override async Task OnInitializedAsync()
    {
        ReadUrl();
        Navigation.LocationChanged += OnLocationChanged;
        try
        {
            types = await Tasks.TaskTypesAsync();
        }
        catch (Exception e)
        {
            typesError = "Task types could not be read: " + ErrorMessages.Describe(e);
        }
    }

    private void ReadUrl()
    {
        var query = new Uri(Navigation.Uri).Query;
        form = FailedFilterForm.FromQuery(query);
        applied = form.Errors.Count == 0 ? form.ToFilter(TimeZone.Zone ?? TimeZoneInfo.Utc) : null;
        var q = QueryHelpers.ParseQuery(query);
        string? Get(string name) => q.TryGetValue(name, out var v) ? v.ToString() : null;
        pageSize = int.TryParse(Get(SizeParameter), out var size) && PageSizes.Contains(size) ? size : DefaultPageSize;
        position.FromQuery(Get(KeysetPosition<TaskCursor>.AfterParameter), Get(KeysetPosition<TaskCursor>.BeforeParameter), Get(KeysetPosition<TaskCursor>.PageParameter));
        selected.Clear();
    }

    private void OnLocationChanged(object? sender, LocationChangedEventArgs e)
    {
        if (!e.Location.Contains("tab=failed", StringComparison.Ordinal)) return; // leaving the tab: it is torn down
        _ = InvokeAsync(() =>
        {
            ReadUrl();
            return ReloadAsync();
        });
    }

    private async Task<FailedTaskPage> LoadPageAsync(CancellationToken ct)
    {
        try
        {
            if (applied == null)
                throw new TaskFilterException(form.Errors.Keys.First(), "a field of the filter is wrong (see above); nothing was run.");
            var loaded = await Tasks.FailedAsync(new FailedTaskPageRequest(applied, pageSize, position.After, position.Before), ct);
            // A load overtaken by a newer one (the panel cancelled it) must not set the paging cursors.
            if (!ct.IsCancellationRequested)
            {
                page = loaded;
                selected.IntersectWith(loaded.Rows.Select(r => r.Id));
            }
            return loaded;
        }
        catch (TaskFilterException e) when (applied != null)
        {
            form.Errors[e.Field] = AtPosition(e);
            throw;
        }
        finally
        {
            StateHasChanged(); // the paging buttons, the selection and the field errors live outside the panel
        }
    }

    /// <summary>The message with where the problem is, when the service knows.</summary>
    internal static string AtPosition(TaskFilterException e) =>
        e.Position is { } p && !e.Message.Contains("position", StringComparison.OrdinalIgnoreCase) ? $"{e.Message} (at position {p})" : e.Message;

    private Task ApplyAsync()
    {
        form.Errors.Clear();
        if (form.ToFilter(TimeZone.Zone ?? TimeZoneInfo.Utc) == null) return Task.CompletedTask; // the message is at the field
        var target = Navigation.ToAbsoluteUri(TasksLinks.Failed(form)).ToString();
        if (target == Navigation.Uri)
        {
            ReadUrl(); // the same filter again: load it fresh
            return ReloadAsync();
        }
        Navigation.NavigateTo(target);
        return Task.CompletedTask;
    }

    private Task ClearAsync()
    {
        form.Clear();
        return ApplyAsync();
    }

    private Task ClearGroupAsync()
    {
        form.Fingerprint = null;
        return ApplyAsync();
    }

    // The page is in the URL with the filter: a reload or a shared link shows it, and Back goes to the previous one.
    private void FirstPage() => GoTo(KeysetPosition<TaskCursor>.FirstPageQuery());
    private void NextPage() { if (position.Next(page?.Next)) GoTo(position.ToQuery()); }
    private void PreviousPage() { if (position.Previous(page?.Previous)) GoTo(position.ToQuery()); }

    private void PageSizeChanged(int value)
    {
        var query = KeysetPosition<TaskCursor>.FirstPageQuery();
        query[SizeParameter] = value == DefaultPageSize ? null : value.ToString(CultureInfo.InvariantCulture);
        GoTo(query);
    }

    /// <summary>Navigates to the list with these query parameters changed; the view already shown loads afresh.</summary>
    private void GoTo(Dictionary<string, object?> query)
    {
        var target = Navigation.GetUriWithQueryParameters(query);
        if (target == Navigation.Uri) _ = ReloadAsync();
        else Navigation.NavigateTo(target);
    }

    private Task ReloadAsync() => grid?.RefreshAsync() ?? Task.CompletedTask;

    private void Toggle(Guid id, ChangeEventArgs e)
    {
        if (e.Value is true) selected.Add(id);
        else selected.Remove(id);
    }

    private bool AllSelected(FailedTaskPage p) => p.Rows.Count > 0 && p.Rows.All(r => selected.Contains(r.Id));

    private void SelectAll(FailedTaskPage p, ChangeEventArgs e)
    {
        if (e.Value is true) selected.UnionWith(p.Rows.Select(r => r.Id));
        else selected.Clear();
    }

    private async Task RequeueSelectedAsync()
    {
        var ids = selected.ToList();
        await RequeueAsync(new RequeueRequest(Ids: ids), $"The {RequeueDialog.Tasks(ids.Count)} selected on this page.", "selected");
    }

    private async Task RequeueMatchingAsync()
    {
        if (applied is not { } filter) return;
        var request = filter.IsEmpty ? new RequeueRequest(Filter: filter, All: true) : new RequeueRequest(Filter: filter);
        await RequeueAsync(request, filter.IsEmpty ? "Every failed task (no filter is set)." : $"Every failed task matching the filter: {Describe(filter)}.", "matching");
    }

    private async Task RequeueAsync(RequeueRequest request, string scope, string what)
    {
        var report = await RequeueDialog.ShowAsync(Dialogs, request, scope);
        if (report == null) return;
        outcome = Outcome.Of(report, what);
        selected.Clear();
        await ReloadAsync();
    }

    private async Task DeleteSelectedAsync()
    {
        var ids = selected.ToList();
        var confirmed = await Dialogs.ShowMessageBoxAsync("Delete tasks",
            $"Delete the {RequeueDialog.Tasks(ids.Count)} selected? They are removed from the queue; each full row is kept in the audit log first, so nothing is lost.",
            yesText: "Delete", cancelText: "Keep them");
        if (confirmed != true) return;
        try
        {
            var result = await Actions.DeleteAsync(await CurrentOperator.GetAsync(), ids);
            outcome = new Outcome($"Deleted {result.RowsAffected:N0} of {ids.Count:N0} selected tasks; the full rows are kept in the audit log.", Severity.Success, result.AuditId);
            selected.Clear();
        }
        catch (Exception e)
        {
            outcome = Outcome.Of(e);
        }
        await ReloadAsync();
    }

    /// <summary>The filter in words, for the confirmation.</summary>
    internal static string Describe(FailedTaskFilter f)
    {
        var parts = new List<string>();
        if (f.TaskType != null) parts.Add($"type {f.TaskType}");
        if (f.ErrorContains != null) parts.Add($"error contains \"{f.ErrorContains}\"");
        if (f.PayloadContains != null) parts.Add($"payload contains {f.PayloadContains}");
        if (f.Priority != null) parts.Add($"priority {f.Priority}");
        if (f.CreatedFrom != null || f.CreatedTo != null) parts.Add("a created date range");
        if (f.FailedFrom != null || f.FailedTo != null) parts.Add("a failed date range");
        if (f.Fingerprint != null) parts.Add($"error group {Short(f.Fingerprint)}");
        return string.Join(", ", parts);
    }

    internal static string Short(string fingerprint) => fingerprint.Length <= 16 ? fingerprint : fingerprint[..16] + "…";

    private string? ErrorOf(string field) => form.Errors.GetValueOrDefault(field);

    public void Dispose() => Navigation.LocationChanged -= OnLocationChanged;
}
