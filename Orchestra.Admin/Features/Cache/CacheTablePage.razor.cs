using Microsoft.AspNetCore.Components;
using MudBlazor;
using Orchestra.Admin.Components.Controls;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.Features.Cache;

/// <summary>
/// One cache table: its figures and expiry histogram, the key browser (Redis-style pattern, live/expired, four sorts, keyset
/// pages; the filter lives in the URL), the largest and hottest keys and the keys by prefix, and the operator actions on the
/// table (purge expired, in batches with progress; delete the keys matching the pattern after a dry-run count).
/// </summary>
public partial class CacheTablePage : IDisposable
{
    [Inject] private ICacheService Cache { get; set; } = null!;
    [Inject] private ICacheEditor Editor { get; set; } = null!;
    [Inject] private IDialogService Dialogs { get; set; } = null!;
    [Inject] private ISnackbar Snackbar { get; set; } = null!;
    [Inject] private NavigationManager Navigation { get; set; } = null!;
    [Inject] private Microsoft.Extensions.Options.IOptions<Hosting.OrchestraAdminOptions> Options { get; set; } = null!;

    [Parameter] public string Schema { get; set; } = "";
    [Parameter] public string Name { get; set; } = "";

    [SupplyParameterFromQuery(Name = "pattern")] public string? QueryPattern { get; set; }
    [SupplyParameterFromQuery(Name = "state")] public string? QueryState { get; set; }
    [SupplyParameterFromQuery(Name = "sort")] public string? QuerySort { get; set; }
    [SupplyParameterFromQuery(Name = "desc")] public bool? QueryDescending { get; set; }
    [SupplyParameterFromQuery(Name = "size")] public int? QueryPageSize { get; set; }

    private string Display => $"{Schema}.{Name}";

    private readonly KeyFilterForm form = new();
    private KeyFilterForm applied = new();
    private CacheTable? table;
    private CacheKeyPage? page;
    /// <summary>The cursors of the pages before this one: Previous pops, First clears.</summary>
    private readonly List<CacheKeyCursor> cursors = [];
    private DataPanel<CacheKeyPage>? gridPanel;
    private DataPanel<CacheTableSummary>? summaryPanel;
    private Task<CacheInsights>? insights;
    private string? loadedFor;

    private string? actionMessage;
    private Severity actionSeverity = Severity.Info;
    private bool deleting;

    private bool purging;
    private PurgeProgress purgeProgress = new(0, 0, 0);
    private string? purgeMessage;
    private CancellationTokenSource? purgeCts;

    protected override async Task OnParametersSetAsync()
    {
        var fromUrl = KeyFilterForm.FromQuery(QueryPattern, QueryState, QuerySort, QueryDescending, QueryPageSize);
        var tableChanged = loadedFor != Display;
        if (!tableChanged && fromUrl.SameAs(applied)) return;
        applied = fromUrl;
        form.CopyFrom(fromUrl);
        form.Errors.Clear();
        cursors.Clear();
        if (tableChanged)
        {
            loadedFor = Display;
            insights = null;
            try { table = await Cache.TableAsync(Display); }
            catch (Exception) { table = null; } // the panels say what is wrong
        }
        // First render: the panels load themselves. Later (a new filter in the URL): reload the grid.
        if (gridPanel != null) await gridPanel.RefreshAsync();
        if (tableChanged && summaryPanel != null) await summaryPanel.RefreshAsync();
    }

    private async Task<CacheTableSummary> LoadSummaryAsync(CancellationToken ct) =>
        await Cache.SummaryAsync(table ?? await Cache.TableAsync(Display, ct), ct);

    private Task<CacheInsights> LoadInsightsAsync(CancellationToken ct) => insights ??= Cache.InsightsAsync(table!, CancellationToken.None);

    private async Task<CacheKeyPage> LoadPageAsync(CancellationToken ct)
    {
        try
        {
            var request = new CacheKeyPageRequest(Display, new CacheKeyFilter(applied.Pattern, applied.State), applied.Sort, applied.Descending,
                applied.PageSize, cursors.Count > 0 ? cursors[^1] : null);
            var loaded = await Cache.PageAsync(request, ct);
            // A load overtaken by a newer one must not set the paging cursors.
            if (!ct.IsCancellationRequested) page = loaded;
            return loaded;
        }
        catch (CacheInputException e)
        {
            form.Errors[e.Field] = e.Message;
            throw;
        }
        finally
        {
            StateHasChanged(); // the pager and the field errors live outside the panel
        }
    }

    private Task ApplyAsync()
    {
        form.Errors.Clear();
        actionMessage = null;
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(form.ToQuery()));
        return Task.CompletedTask;
    }

    private Task ClearAsync()
    {
        form.CopyFrom(new KeyFilterForm());
        return ApplyAsync();
    }

    private Task FirstPageAsync() { cursors.Clear(); return ReloadAsync(); }

    private Task NextPageAsync()
    {
        if (page?.Next is not { } next) return Task.CompletedTask;
        cursors.Add(next);
        return ReloadAsync();
    }

    private Task PreviousPageAsync()
    {
        if (cursors.Count == 0) return Task.CompletedTask;
        cursors.RemoveAt(cursors.Count - 1);
        return ReloadAsync();
    }

    private Task ReloadAsync() => gridPanel?.RefreshAsync() ?? Task.CompletedTask;

    // ---------------------------------------------------------------- actions

    private async Task DeleteMatchingAsync()
    {
        var pattern = applied.Pattern;
        if (string.IsNullOrWhiteSpace(pattern)) return;
        deleting = true;
        actionMessage = null;
        try
        {
            var max = Options.Value.Cache.MaxPatternDeleteKeys;
            var matching = await Editor.CountMatchingAsync(Display, pattern);
            if (matching > max)
            {
                Show(Severity.Warning, CacheEditor.TooMany(pattern, max).Message);
                return;
            }
            if (matching == 0)
            {
                Show(Severity.Info, $"No key matches {pattern}: nothing to delete.");
                return;
            }
            var confirmed = await Dialogs.ShowMessageBoxAsync("Delete matching keys",
                $"{matching:N0} keys of {Display} match {pattern}. Delete them? Their values are kept in the audit log.",
                yesText: $"Delete {matching:N0} keys", cancelText: "Keep them");
            if (confirmed != true) return;
            var outcome = await Editor.DeleteMatchingAsync(Display, pattern);
            Show(outcome.Status == CacheActionStatus.Done ? Severity.Success : Severity.Warning, outcome.Message);
            if (outcome.Status == CacheActionStatus.Done) await AfterChangeAsync();
        }
        catch (InvalidInputException e) { form.Errors[e.Field] = e.Message; }
        catch (Exception e) { Show(Severity.Error, ErrorMessages.Describe(e)); }
        finally { deleting = false; }
    }

    private async Task PurgeAsync()
    {
        if (table == null) return;
        var confirmed = await Dialogs.ShowMessageBoxAsync("Purge expired entries",
            $"Delete every entry of {Display} that has expired, in batches of {Options.Value.Cache.PurgeBatchSize:N0} (each its own short transaction; " +
            "rows the stack is writing are skipped)? The deleted entries are kept in the audit log.",
            yesText: "Purge expired", cancelText: "Cancel");
        if (confirmed != true) return;
        purging = true;
        purgeMessage = null;
        purgeProgress = new PurgeProgress(0, 0, 0);
        purgeCts = new CancellationTokenSource();
        try
        {
            var outcome = await Editor.PurgeExpiredAsync(Display, new CircuitProgress(this), purgeCts.Token);
            purgeMessage = outcome.Message;
            await AfterChangeAsync();
        }
        catch (Exception e) { purgeMessage = ErrorMessages.Describe(e); }
        finally { purging = false; }
    }

    private async Task AfterChangeAsync()
    {
        insights = null;
        if (summaryPanel != null) await summaryPanel.RefreshAsync();
        await ReloadAsync();
    }

    private void Show(Severity severity, string message) => (actionSeverity, actionMessage) = (severity, message);

    /// <summary>Reports a purge's batches to the page as they finish.</summary>
    private sealed class CircuitProgress(CacheTablePage page) : IProgress<PurgeProgress>
    {
        public void Report(PurgeProgress value)
        {
            page.purgeProgress = value;
            _ = page.InvokeAsync(page.StateHasChanged);
        }
    }

    // ---------------------------------------------------------------- helpers

    private string? ErrorOf(string field) => form.Errors.GetValueOrDefault(field);

    private string EntryLink(string key) => $"{CachePage.TableLink(table ?? new CacheTable(Schema, Name, "", 0, 0, true, false, false, false, true))}/entry?key={Uri.EscapeDataString(key)}";

    private string PatternLink(string prefix) =>
        Navigation.GetUriWithQueryParameters(new KeyFilterForm { Pattern = prefix + ":*" }.ToQuery());

    /// <summary>Time left, or how long ago it expired.</summary>
    internal static string Ttl(DateTimeOffset expiresAt, DateTimeOffset now)
    {
        if (expiresAt == DateTimeOffset.MaxValue) return "never";
        var left = (expiresAt - now).TotalSeconds;
        return left > 0 ? Durations.Format(left) : $"expired {Durations.Format(-left)} ago";
    }

    public void Dispose() => purgeCts?.Cancel();
}

/// <summary>The key filter as typed and as it stands in the URL (pattern, state, sort, desc, size).</summary>
internal sealed class KeyFilterForm
{
    public string? Pattern { get; set; }
    public CacheKeyState State { get; set; } = CacheKeyState.All;
    public CacheKeySort Sort { get; set; } = CacheKeySort.Key;
    public bool Descending { get; set; }
    public int PageSize { get; set; } = 50;
    public Dictionary<string, string> Errors { get; } = [];

    public static KeyFilterForm FromQuery(string? pattern, string? state, string? sort, bool? descending, int? pageSize) => new()
    {
        Pattern = string.IsNullOrEmpty(pattern) ? null : pattern,
        State = Enum.TryParse<CacheKeyState>(state, true, out var s) ? s : CacheKeyState.All,
        Sort = Enum.TryParse<CacheKeySort>(sort, true, out var o) ? o : CacheKeySort.Key,
        Descending = descending ?? false,
        PageSize = pageSize is { } p && CacheService.PageSizes.Contains(p) ? p : 50,
    };

    public Dictionary<string, object?> ToQuery() => new()
    {
        ["pattern"] = string.IsNullOrWhiteSpace(Pattern) ? null : Pattern,
        ["state"] = State == CacheKeyState.All ? null : State.ToString().ToLowerInvariant(),
        ["sort"] = Sort == CacheKeySort.Key ? null : Sort.ToString().ToLowerInvariant(),
        ["desc"] = Descending ? true : null,
        ["size"] = PageSize == 50 ? null : PageSize,
    };

    public bool SameAs(KeyFilterForm o) =>
        Pattern == o.Pattern && State == o.State && Sort == o.Sort && Descending == o.Descending && PageSize == o.PageSize;

    public void CopyFrom(KeyFilterForm o) => (Pattern, State, Sort, Descending, PageSize) = (o.Pattern, o.State, o.Sort, o.Descending, o.PageSize);
}
