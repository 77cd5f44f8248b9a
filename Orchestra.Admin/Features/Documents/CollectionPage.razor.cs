using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Orchestra.Admin.Components.Controls;
using Orchestra.Admin.Features.Postgres;
using P = Orchestra.Admin.Features.Documents.DocumentsExport.Parameters;

namespace Orchestra.Admin.Features.Documents;

/// <summary>
/// One collection as a grid: filters (containment JSON, JSONPath, key, id, dates, text), keyset pages forwards and
/// backwards, columns from the collection's keys, and the plan of the query behind the page. The filter, the order and
/// the page live in the URL (with the export's parameter names; days, not instants), so a view can be reloaded and shared.
/// </summary>
public partial class CollectionPage : IDisposable
{
    private const string SizeParameter = "size";

    internal static readonly int[] PageSizes = [25, 50, 100];

    [Inject] private IDocumentsService Documents { get; set; } = null!;
    [Inject] private BrowserTimeZone TimeZone { get; set; } = null!;
    [Inject] private IDocumentSchemaService Schema { get; set; } = null!;
    [Inject] private Microsoft.Extensions.Options.IOptions<Hosting.OrchestraAdminOptions> Options { get; set; } = null!;
    [Inject] private NavigationManager Navigation { get; set; } = null!;

    [Parameter] public string Collection { get; set; } = "";

    private FilterForm form = new();
    private DocumentFilter applied = new();
    private DocumentSort sort = DocumentSort.CreatedAt;
    private bool descending = true;
    private int pageSize = PageSizes[0];
    private readonly KeysetPosition<DocumentCursor> position = new();
    private IReadOnlyList<string> keys = [];
    private IReadOnlyCollection<string> columns = [];
    private DocumentPage? page;
    private ExplainResult? plan;
    private string? planError;
    private DataPanel<DocumentPage>? gridPanel;
    private bool showSchema;
    private string? keysOf;
    /// <summary>The address whose view is shown: the same address again (a re-render) loads nothing.</summary>
    private string? shownUri;

    // The sample is taken when the operator opens the panel, not with every page view.
    private void OnSchemaExpanded(bool expanded) => showSchema |= expanded;

    protected override void OnInitialized() => Navigation.LocationChanged += OnLocationChanged;

    protected override async Task OnParametersSetAsync()
    {
        // The URL's view at once, before anything is awaited: the form the operator may already be typing into is
        // not replaced once the keys arrive.
        var changed = ReadUrl();
        if (keysOf != Collection)
        {
            keysOf = Collection;
            try
            {
                keys = await Documents.TopLevelKeysAsync(Collection);
                columns = keys.Take(4).ToList();
            }
            catch (Exception)
            {
                keys = []; // the grid's own panel shows what is wrong with the database
            }
        }
        if (changed) await ReloadAsync();
    }

    private void OnLocationChanged(object? sender, LocationChangedEventArgs e) => _ = InvokeAsync(ShowUrlAsync);

    /// <summary>Reads the view from the URL and loads it (the first render loads through the grid's panel itself).</summary>
    private async Task ShowUrlAsync()
    {
        if (ReadUrl()) await ReloadAsync();
    }

    /// <returns>False when the URL holds the view already shown, or is not this collection's page.</returns>
    private bool ReadUrl()
    {
        var uri = Navigation.Uri;
        if (uri == shownUri || !IsThisPage(uri)) return false;
        shownUri = uri;
        var q = QueryHelpers.ParseQuery(new Uri(uri).Query);
        string? Get(string name) => q.TryGetValue(name, out var v) ? v.ToString() : null;
        form = FilterForm.FromQuery(q);
        applied = form.ToFilter(TimeZone.Zone ?? TimeZoneInfo.Utc);
        sort = Get(P.Sort) == "updated" ? DocumentSort.UpdatedAt : DocumentSort.CreatedAt;
        descending = Get(P.Order) != "asc";
        pageSize = int.TryParse(Get(SizeParameter), out var size) && PageSizes.Contains(size) ? size : PageSizes[0];
        position.FromQuery(Get(KeysetPosition<DocumentCursor>.AfterParameter), Get(KeysetPosition<DocumentCursor>.BeforeParameter),
            Get(KeysetPosition<DocumentCursor>.PageParameter));
        plan = null;
        return true;
    }

    /// <summary>This collection's page (not a document of it, another collection, or another page being opened).</summary>
    private bool IsThisPage(string uri) =>
        Uri.UnescapeDataString(Navigation.ToBaseRelativePath(uri).Split('?', '#')[0].TrimEnd('/')) == "documents/" + Collection;

    private DocumentPageRequest Request() =>
        new(Collection, applied, sort, descending, pageSize, position.After, position.Before, columns.ToList());

    private async Task<DocumentPage> LoadPageAsync(CancellationToken ct)
    {
        if (form.Errors.Count > 0) // from the URL: the field says what is wrong
            throw new FilterInputException(form.Errors.Keys.First(), "A field of the filter is wrong (see above); nothing was run.");
        try
        {
            var loaded = await Documents.PageAsync(Request(), ct);
            // A load overtaken by a newer one (the panel cancelled it) must not set the paging cursors.
            if (!ct.IsCancellationRequested) page = loaded;
            return loaded;
        }
        catch (FilterInputException e)
        {
            form.Errors[e.Field] = e.Message;
            throw;
        }
        finally
        {
            StateHasChanged(); // the paging buttons and the field errors live outside the panel
        }
    }

    /// <summary>The view as typed goes into the URL, on its first page.</summary>
    private void Apply()
    {
        form.Errors.Clear();
        var query = form.ToQuery();
        query[P.Sort] = sort == DocumentSort.UpdatedAt ? "updated" : null;
        query[P.Order] = descending ? null : "asc";
        query[SizeParameter] = pageSize == PageSizes[0] ? null : pageSize.ToString(CultureInfo.InvariantCulture);
        foreach (var (name, value) in KeysetPosition<DocumentCursor>.FirstPageQuery()) query[name] = value;
        GoTo(query);
    }

    private void Clear()
    {
        form.Clear();
        Apply();
    }

    // The page is in the URL too: a reload or a shared link shows it, and the browser's Back button goes to the previous one.
    private void FirstPage() => GoTo(KeysetPosition<DocumentCursor>.FirstPageQuery());
    private void NextPage() { if (position.Next(page?.Next)) GoTo(position.ToQuery()); }
    private void PreviousPage() { if (position.Previous(page?.Previous)) GoTo(position.ToQuery()); }

    private void SortChanged(DocumentSort value) { sort = value; Apply(); }
    private void ToggleDirection() { descending = !descending; Apply(); }
    private void PageSizeChanged(int value) { pageSize = value; Apply(); }
    private Task ColumnsAsync(IReadOnlyCollection<string> value) { columns = value.ToList(); return ReloadAsync(); }

    /// <summary>Navigates to the view with these query parameters changed; the view already shown loads afresh.</summary>
    private void GoTo(Dictionary<string, object?> query)
    {
        var target = Navigation.GetUriWithQueryParameters(query);
        if (target == Navigation.Uri)
        {
            shownUri = null;
            _ = ShowUrlAsync();
        }
        else Navigation.NavigateTo(target);
    }

    private Task ReloadAsync() => gridPanel?.RefreshAsync() ?? Task.CompletedTask;

    private async Task ExplainAsync()
    {
        planError = null;
        try
        {
            plan = await Documents.ExplainAsync(Request());
        }
        catch (Exception e)
        {
            plan = null;
            planError = ErrorMessages.Describe(e);
        }
    }

    /// <summary>Which index the plan reads the documents through, in a sentence.</summary>
    internal static string IndexSummary(ExplainResult plan)
    {
        var indexes = plan.Nodes.Select(n => n.IndexName).OfType<string>().Distinct().ToList();
        return indexes.Count == 0
            ? "No index is used: PostgreSQL reads the collection's rows one by one."
            : $"Uses {string.Join(", ", indexes)}.";
    }

    private string? ErrorOf(string field) => form.Errors.GetValueOrDefault(field);

    private string DocumentLink(Guid id) => $"documents/{Uri.EscapeDataString(Collection)}/{id}";

    public void Dispose()
    {
        Navigation.LocationChanged -= OnLocationChanged;
        GC.SuppressFinalize(this);
    }
}

/// <summary>The filter fields as typed; <see cref="ToFilter"/> turns dates (days in the browser's zone) into instants.</summary>
internal sealed class FilterForm
{
    public string? DataContains { get; set; }
    public string? MetadataContains { get; set; }
    public string? JsonPath { get; set; }
    public JsonPathMode JsonPathMode { get; set; } = JsonPathMode.Predicate;
    public string? KeyExists { get; set; }
    public string? Id { get; set; }
    public DateTime? CreatedFrom { get; set; }
    public DateTime? CreatedTo { get; set; }
    public DateTime? UpdatedFrom { get; set; }
    public DateTime? UpdatedTo { get; set; }
    public string? Text { get; set; }
    public Dictionary<string, string> Errors { get; } = [];

    private const string DayFormat = "yyyy-MM-dd";

    /// <summary>The fields as a URL holds them; a day that is not one gets its message at its field.</summary>
    public static FilterForm FromQuery(Dictionary<string, StringValues> q)
    {
        string? Get(string name) => q.TryGetValue(name, out var v) && !string.IsNullOrEmpty(v.ToString()) ? v.ToString() : null;
        var form = new FilterForm
        {
            DataContains = Get(P.Data),
            MetadataContains = Get(P.Metadata),
            JsonPath = Get(P.JsonPath),
            JsonPathMode = Get(P.JsonPathMode) == "exists" ? JsonPathMode.Exists : JsonPathMode.Predicate,
            KeyExists = Get(P.Key),
            Id = Get(P.Id),
            Text = Get(P.Text),
        };
        DateTime? Day(string name, string field)
        {
            if (Get(name) is not { } text) return null;
            if (DateTime.TryParseExact(text, DayFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)) return day;
            form.Errors[field] = $"'{text}' in the address is not a date ({DayFormat}).";
            return null;
        }
        (form.CreatedFrom, form.CreatedTo) = (Day(P.CreatedFrom, "created"), Day(P.CreatedTo, "created"));
        (form.UpdatedFrom, form.UpdatedTo) = (Day(P.UpdatedFrom, "updated"), Day(P.UpdatedTo, "updated"));
        return form;
    }

    public Dictionary<string, object?> ToQuery() => new()
    {
        [P.Data] = Blank(DataContains),
        [P.Metadata] = Blank(MetadataContains),
        [P.JsonPath] = Blank(JsonPath),
        [P.JsonPathMode] = Blank(JsonPath) != null && JsonPathMode == JsonPathMode.Exists ? "exists" : null,
        [P.Key] = string.IsNullOrEmpty(KeyExists) ? null : KeyExists,
        [P.Id] = Blank(Id),
        [P.CreatedFrom] = DayText(CreatedFrom),
        [P.CreatedTo] = DayText(CreatedTo),
        [P.UpdatedFrom] = DayText(UpdatedFrom),
        [P.UpdatedTo] = DayText(UpdatedTo),
        [P.Text] = string.IsNullOrEmpty(Text) ? null : Text,
    };

    private static string? DayText(DateTime? day) => day?.ToString(DayFormat, CultureInfo.InvariantCulture);

    public DocumentFilter ToFilter(TimeZoneInfo zone) => new()
    {
        DataContains = Blank(DataContains),
        MetadataContains = Blank(MetadataContains),
        JsonPath = Blank(JsonPath),
        JsonPathMode = JsonPathMode,
        KeyExists = string.IsNullOrEmpty(KeyExists) ? null : KeyExists,
        Id = Blank(Id),
        CreatedFrom = LocalDays.Start(CreatedFrom, zone),
        CreatedTo = LocalDays.End(CreatedTo, zone),
        UpdatedFrom = LocalDays.Start(UpdatedFrom, zone),
        UpdatedTo = LocalDays.End(UpdatedTo, zone),
        Text = string.IsNullOrEmpty(Text) ? null : Text,
    };

    public void Clear()
    {
        DataContains = MetadataContains = JsonPath = KeyExists = Id = Text = null;
        CreatedFrom = CreatedTo = UpdatedFrom = UpdatedTo = null;
        Errors.Clear();
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
