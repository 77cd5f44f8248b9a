using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Features.Postgres;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.Features.Documents;

/// <param name="Count">Exact when the collection is small enough to count cheaply; else the planner's estimate.</param>
/// <param name="AverageBytes">Average stored size of a document's data (pg_column_size), from a sample; null when empty.</param>
public sealed record CollectionSummary(string Name, long Count, bool CountIsEstimate, DateTimeOffset? LastUpdatedAt, double? AverageBytes);

public enum DocumentSort { CreatedAt, UpdatedAt }

/// <summary>How the advanced filter's JSONPath is applied: <c>@?</c> (the path yields an item) or <c>@@</c> (a predicate, e.g. <c>$.score &gt; 5</c>).</summary>
public enum JsonPathMode { Exists, Predicate }

/// <summary>
/// The filters of the grid, all optional, combined with AND. Text stays as the operator typed it; it is checked
/// (<see cref="FilterInputException"/> with the field and position) and always sent as bound parameters.
/// </summary>
public sealed record DocumentFilter
{
    /// <summary>Compass-style JSON object matched by containment on <c>data</c> (<c>data @&gt; @json</c>, so the GIN index serves it).</summary>
    public string? DataContains { get; init; }
    /// <summary>The same on <c>metadata</c>.</summary>
    public string? MetadataContains { get; init; }
    public string? JsonPath { get; init; }
    public JsonPathMode JsonPathMode { get; init; } = JsonPathMode.Predicate;
    /// <summary>A top-level key of <c>data</c> that must exist (<c>data ? @key</c>).</summary>
    public string? KeyExists { get; init; }
    /// <summary>A document id (uuid text).</summary>
    public string? Id { get; init; }
    public DateTimeOffset? CreatedFrom { get; init; }
    public DateTimeOffset? CreatedTo { get; init; }
    public DateTimeOffset? UpdatedFrom { get; init; }
    public DateTimeOffset? UpdatedTo { get; init; }
    /// <summary>Case-insensitive text search over the document's text (no index: a scan of the collection, under the statement timeout).</summary>
    public string? Text { get; init; }
}

/// <summary>A keyset position: the sort column's value and the id of the row at the page's edge.</summary>
public sealed record DocumentCursor(DateTimeOffset At, Guid Id) : IKeysetCursor<DocumentCursor>
{
    public static DocumentCursor Create(DateTimeOffset at, Guid id) => new(at, id);
}

/// <param name="After">Rows after this position (the next page); null with <paramref name="Before"/> null = the first page.</param>
/// <param name="Before">Rows before this position (the previous page).</param>
/// <param name="Columns">Top-level keys of <c>data</c> shown as columns (values cut to <see cref="DocumentRow.ValueCut"/> characters).</param>
public sealed record DocumentPageRequest(
    string Collection,
    DocumentFilter Filter,
    DocumentSort Sort = DocumentSort.CreatedAt,
    bool Descending = true,
    int PageSize = 25,
    DocumentCursor? After = null,
    DocumentCursor? Before = null,
    IReadOnlyList<string>? Columns = null);

/// <param name="Values">JSON text of each requested column's value (null when the key is absent), cut to <see cref="ValueCut"/> characters.</param>
public sealed record DocumentRow(Guid Id, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int SizeBytes, IReadOnlyList<string?> Values)
{
    public const int ValueCut = 200;
}

/// <summary>One page in display order, with the cursors to the neighbouring pages (null when there is none).</summary>
public sealed record DocumentPage(IReadOnlyList<DocumentRow> Rows, DocumentCursor? Next, DocumentCursor? Previous);

public sealed record DocumentDetail(Guid Id, string Collection, string Data, string Metadata, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int SizeBytes);

/// <summary>A filter the operator typed that cannot run: which field, what is wrong, and where (0-based character position) when known.</summary>
/// <remarks>Fields: "collection", "dataContains", "metadataContains", "jsonPath", "keyExists", "id", "created", "updated", "text", "pageSize", "columns".</remarks>
public sealed class FilterInputException(string field, string message, int? position = null) : FieldInputException(field, message, position);

public interface IDocumentsService
{
    /// <summary>Every collection with its count (exact when cheap, else estimated and marked), last update and average size. Never a full scan to draw the list.</summary>
    Task<IReadOnlyList<CollectionSummary>> CollectionsAsync(CancellationToken ct = default);

    /// <summary>The top-level keys of a collection's documents, most frequent first, from a sample (TABLESAMPLE), for the column chooser.</summary>
    Task<IReadOnlyList<string>> TopLevelKeysAsync(string collection, CancellationToken ct = default);

    /// <summary>One page by keyset on (sort column, id), under the statement timeout (a timeout throws QueryTimeoutException).</summary>
    Task<DocumentPage> PageAsync(DocumentPageRequest request, CancellationToken ct = default);

    /// <summary>The plan of exactly the query <see cref="PageAsync"/> runs for this request (EXPLAIN, never ANALYZE).</summary>
    Task<ExplainResult> ExplainAsync(DocumentPageRequest request, CancellationToken ct = default);

    Task<DocumentDetail?> GetAsync(Guid id, CancellationToken ct = default);
}
