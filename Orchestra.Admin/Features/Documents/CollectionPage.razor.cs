using Microsoft.AspNetCore.Components;
using Orchestra.Admin.Components.Controls;
using Orchestra.Admin.Features.Postgres;

namespace Orchestra.Admin.Features.Documents;

/// <summary>
/// One collection as a grid: filters (containment JSON, JSONPath, key, id, dates, text), keyset pages forwards and
/// backwards, columns from the collection's keys, and the plan of the query behind the page.
/// </summary>
public partial class CollectionPage
{
    internal static readonly int[] PageSizes = [25, 50, 100];

    [Inject] private IDocumentsService Documents { get; set; } = null!;
    [Inject] private BrowserTimeZone TimeZone { get; set; } = null!;
    [Inject] private IDocumentSchemaService Schema { get; set; } = null!;
    [Inject] private Microsoft.Extensions.Options.IOptions<Hosting.OrchestraAdminOptions> Options { get; set; } = null!;

    [Parameter] public string Collection { get; set; } = "";

    private readonly FilterForm form = new();
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

    // The sample is taken when the operator opens the panel, not with every page view.
    private void OnSchemaExpanded(bool expanded) => showSchema |= expanded;

    protected override async Task OnParametersSetAsync()
    {
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

    private DocumentPageRequest Request() =>
        new(Collection, applied, sort, descending, pageSize, position.After, position.Before, columns.ToList());

    private async Task<DocumentPage> LoadPageAsync(CancellationToken ct)
    {
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

    private Task ApplyAsync()
    {
        form.Errors.Clear();
        plan = null;
        var zone = TimeZone.Zone ?? TimeZoneInfo.Utc;
        applied = form.ToFilter(zone);
        return FirstPageAsync();
    }

    private Task ClearAsync()
    {
        form.Clear();
        return ApplyAsync();
    }

    private Task FirstPageAsync()
    {
        position.First();
        return ReloadAsync();
    }

    private Task NextPageAsync()
    {
        return position.Next(page?.Next) ? ReloadAsync() : Task.CompletedTask;
    }

    private Task PreviousPageAsync()
    {
        return position.Previous(page?.Previous) ? ReloadAsync() : Task.CompletedTask;
    }

    private Task SortAsync(DocumentSort value) { sort = value; return FirstPageAsync(); }
    private Task DirectionAsync() { descending = !descending; return FirstPageAsync(); }
    private Task PageSizeAsync(int value) { pageSize = value; return FirstPageAsync(); }
    private Task ColumnsAsync(IReadOnlyCollection<string> value) { columns = value.ToList(); return ReloadAsync(); }

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
