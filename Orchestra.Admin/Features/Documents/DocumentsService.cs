using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Npgsql;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Features.Postgres;

namespace Orchestra.Admin.Features.Documents;

/// <summary>
/// The documents browser's reads (sql/documents): the collection list without scanning the table, keyset pages with the
/// operator's filters as bound parameters, the plan of a page's query, one document. Everything runs through
/// <see cref="PostgresQueryRunner"/>, under the statement timeout.
/// </summary>
public sealed partial class DocumentsService(PostgresQueryRunner queries) : IDocumentsService
{
    /// <summary>Below this many rows (planner's estimate) the collection list counts exactly, in one pass.</summary>
    internal const long SmallTableRows = 100_000;
    /// <summary>On a larger table each collection is counted exactly up to this many documents (through the index), estimated above.</summary>
    internal const int ExactCountCap = 1_000;
    /// <summary>TABLESAMPLEs are sized to read about this many rows of the table.</summary>
    internal const long SampleRows = 10_000;
    /// <summary>Without statistics (never analyzed) the sample is sized in pages instead.</summary>
    internal const long SamplePagesWithoutStatistics = 250;
    /// <summary>Top-level keys: fewer sampled documents than this, and the collection's first 1,000 are read instead.</summary>
    internal const int MinSampledDocuments = 100;
    internal const int MaxKeys = 50;
    internal const int MaxColumns = 50;
    /// <summary>Collections per UNION ALL statement of collection heads.</summary>
    internal const int HeadsPerStatement = 100;
    public static readonly IReadOnlyList<int> PageSizes = [25, 50, 100];

    // ---------------------------------------------------------------- collections

    public async Task<IReadOnlyList<CollectionSummary>> CollectionsAsync(CancellationToken ct = default)
    {
        var size = await TableSizeAsync(ct);
        if (size.EstimatedRows < SmallTableRows) // unknown (-1) too: the exact read is capped
        {
            var exact = await queries.QueryAsync<ExactRow>("documents/collections_exact", new { limit = SmallTableRows + 1 }, ct: ct);
            if (exact.Sum(r => r.DocumentCount) <= SmallTableRows)
                return exact.Select(r => new CollectionSummary(r.Name, r.DocumentCount, false, Utc(r.LastUpdatedAt), r.AverageBytes)).ToList();
            // More rows than the statistics said: estimate as for a large table.
        }
        return await EstimatedCollectionsAsync(size, ct);
    }

    private async Task<IReadOnlyList<CollectionSummary>> EstimatedCollectionsAsync(TableSize size, CancellationToken ct)
    {
        var names = await queries.QueryAsync<string>("documents/collection_names", ct: ct);
        var heads = new Dictionary<string, HeadRow>(StringComparer.Ordinal);
        foreach (var chunk in names.Chunk(HeadsPerStatement))
            foreach (var head in await queries.QuerySqlAsync<HeadRow>("documents/collection_head", HeadsSql(chunk.Length), HeadsParameters(chunk), ct: ct))
                heads[head.Name] = head;

        var percent = SamplePercent(size);
        var estimates = (await queries.QueryAsync<EstimateRow>("documents/collections_estimate", new { sample_percent = percent }, ct: ct))
            .ToDictionary(e => e.Name, StringComparer.Ordinal);

        // The table's rows: the planner's estimate, else (never analyzed) scaled up from the sample.
        var total = size.EstimatedRows >= 0 ? size.EstimatedRows : estimates.Values.Sum(e => e.Sampled) * 100.0 / percent;
        bool IsMcv(string name) => estimates.TryGetValue(name, out var e) && e.McvFrequency != null;
        bool IsLarge(string name) => heads[name].HeadCount > ExactCountCap;
        // As the planner does for a value not in the MCV list: the rows the MCV list does not cover, shared out evenly
        // (less the collections counted exactly).
        var mcvShare = estimates.Values.Sum(e => e.McvFrequency ?? 0);
        var restRows = total * Math.Max(0, 1 - mcvShare) - names.Where(n => !IsMcv(n) && !IsLarge(n)).Sum(n => heads[n].HeadCount);
        var restCollections = names.Count(n => !IsMcv(n) && IsLarge(n));

        var result = new List<CollectionSummary>(names.Count);
        foreach (var name in names)
        {
            var head = heads[name];
            if (!IsLarge(name))
            {
                result.Add(new CollectionSummary(name, head.HeadCount, false, Utc(head.LastUpdatedAt), head.AverageBytes));
                continue;
            }
            estimates.TryGetValue(name, out var e);
            double estimate = e?.McvFrequency is { } frequency ? frequency * total
                : size.HasCollectionStats ? restRows / Math.Max(1, restCollections)
                : (e?.Sampled ?? 0) * 100.0 / percent;
            var count = Math.Max(ExactCountCap + 1, (long)Math.Round(estimate));
            // Lower bounds both (the latest update seen); the later of the two is the better one.
            var lastUpdated = Later(e?.LastUpdatedAt, head.LastUpdatedAt);
            result.Add(new CollectionSummary(name, count, true, Utc(lastUpdated), e?.AverageBytes ?? head.AverageBytes));
        }
        return result;
    }

    /// <summary>The heads statement: collection_head.sql once per collection, parameters numbered.</summary>
    internal static string HeadsSql(int collections)
    {
        var lines = FilteredQuery.WithoutComments(SqlCatalog.Get("documents/collection_head")).Split('\n');
        var settings = lines.TakeWhile(l => l.StartsWith("SET LOCAL ", StringComparison.Ordinal)).ToList();
        var branch = string.Join('\n', lines.Skip(settings.Count));
        return string.Join('\n', settings) + "\n" + string.Join("\nUNION ALL\n", Enumerable.Range(0, collections).Select(i =>
            CollectionParameter().Replace(branch, "@c" + i.ToString(CultureInfo.InvariantCulture))));
    }

    internal static DynamicParameters HeadsParameters(IReadOnlyList<string> names)
    {
        var p = new DynamicParameters();
        p.Add("limit", ExactCountCap + 1);
        for (var i = 0; i < names.Count; i++) p.Add("c" + i.ToString(CultureInfo.InvariantCulture), names[i]);
        return p;
    }

    [GeneratedRegex(@"@collection\b", RegexOptions.NonBacktracking)]
    private static partial Regex CollectionParameter();

    internal static double SamplePercent(TableSize size)
    {
        var percent = size.EstimatedRows > 0 ? 100.0 * SampleRows / size.EstimatedRows
            : size.Pages > 0 ? 100.0 * SamplePagesWithoutStatistics / size.Pages
            : 100;
        return Math.Clamp(percent, 0.0001, 100);
    }

    internal async Task<TableSize> TableSizeAsync(CancellationToken ct) =>
        (await queries.QuerySingleAsync<TableSizeRow>("documents/table_size", ct: ct)).ToTableSize();

    // ---------------------------------------------------------------- keys

    public async Task<IReadOnlyList<string>> TopLevelKeysAsync(string collection, CancellationToken ct = default)
    {
        RequireCollection(collection);
        var size = await TableSizeAsync(ct);
        var keys = await queries.QueryAsync<KeyRow>("documents/top_level_keys_sample",
            new { collection, sample_percent = SamplePercent(size), limit = MaxKeys + 1 }, ct: ct);
        if (keys.Count == 0 || keys[0].Sampled < MinSampledDocuments)
            keys = await queries.QueryAsync<KeyRow>("documents/top_level_keys_head", new { collection, limit = MaxKeys + 1 }, ct: ct);
        return keys.Where(k => k.Key != null).Take(MaxKeys).Select(k => k.Key!).ToList();
    }

    // ---------------------------------------------------------------- pages

    public async Task<DocumentPage> PageAsync(DocumentPageRequest request, CancellationToken ct = default)
    {
        var query = await BuildAsync(request, ct);
        var rows = await RunAsync(query, ct);
        var more = rows.Count > request.PageSize;
        var page = rows.Take(request.PageSize).Select(ToRow).ToList();
        if (query.Backward)
        {
            // A previous page that comes back short is the start (rows before it were deleted meanwhile): show the
            // first page, full, rather than a short one.
            if (!more && page.Count < request.PageSize)
                return await PageAsync(request with { Before = null, After = null }, ct);
            page.Reverse();
            return new DocumentPage(page, Cursor(page[^1], request.Sort), more ? Cursor(page[0], request.Sort) : null);
        }
        return new DocumentPage(
            page,
            more ? Cursor(page[^1], request.Sort) : null,
            request.After != null && page.Count > 0 ? Cursor(page[0], request.Sort) : null);
    }

    public async Task<ExplainResult> ExplainAsync(DocumentPageRequest request, CancellationToken ct = default)
    {
        var query = await BuildAsync(request, ct);
        IReadOnlyList<string> plan;
        try
        {
            plan = await queries.QuerySqlAsync<string>("documents/page.explain", "EXPLAIN (FORMAT JSON) " + query.Sql, query.Parameters, ct: ct);
        }
        catch (PostgresException e) when (e.SqlState.StartsWith("22", StringComparison.Ordinal))
        {
            throw Rejected(request.Filter, e);
        }
        var json = plan.Single();
        var parsed = ExplainPlan.Parse(json);
        return new ExplainResult
        {
            Statement = query.Sql,
            Analyzed = false,
            GenericPlan = false,
            Plan = parsed.Root,
            PlanningMs = parsed.PlanningMs,
            PlanJson = json,
        };
    }

    private async Task<IReadOnlyList<PageRow>> RunAsync(PageQuery query, CancellationToken ct)
    {
        try
        {
            return await queries.QuerySqlAsync<PageRow>("documents/page", query.Sql, query.Parameters, ct: ct);
        }
        catch (PostgresException e) when (e.SqlState.StartsWith("22", StringComparison.Ordinal))
        {
            // A data error can only come from the JSON filters here (everything else is typed or checked first), e.g. a
            // number beyond PostgreSQL's numeric range that System.Text.Json accepts.
            throw Rejected(query.Filter, e);
        }
    }

    /// <summary>A data error PostgreSQL raised while running the operator's filters (the page's or the export's), as a filter error.</summary>
    internal static FilterInputException Rejected(DocumentFilter filter, PostgresException e) =>
        new(string.IsNullOrWhiteSpace(filter.DataContains) && !string.IsNullOrWhiteSpace(filter.MetadataContains) ? "metadataContains" : "dataContains",
            $"PostgreSQL cannot use this filter: {e.MessageText}");

    internal sealed record PageQuery(string Sql, DynamicParameters Parameters, bool Backward, DocumentFilter Filter);

    /// <summary>The export's statement (sql/documents/export.sql): the page's filters and order, one JSON line per document, LIMIT @limit.</summary>
    internal sealed record ExportQuery(string Sql, DynamicParameters Parameters, DocumentFilter Filter);

    /// <summary>
    /// The WHERE lines (fixed <see cref="Fragments"/>, one per filter set) and their bound parameters (<c>@collection</c>
    /// and one or two per filter) that the page and the export both run.
    /// </summary>
    internal sealed record FilterSql(List<string> Lines, DynamicParameters Parameters);

    /// <summary>Checks the request (nothing runs on bad input, except PostgreSQL parsing a JSONPath) and composes the page's SQL.</summary>
    internal async Task<PageQuery> BuildAsync(DocumentPageRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var f = request.Filter ?? new DocumentFilter();
        RequireCollection(request.Collection);
        if (!PageSizes.Contains(request.PageSize))
            throw new FilterInputException("pageSize", $"The page size must be 25, 50 or 100 (is {request.PageSize}).");
        if (request.After != null && request.Before != null)
            throw new ArgumentException("A page request has After or Before, not both.", nameof(request));
        var columns = request.Columns ?? [];
        if (columns.Count > MaxColumns)
            throw new FilterInputException("columns", $"At most {MaxColumns} columns can be shown (asked for {columns.Count}).");
        if (columns.Any(c => c is null))
            throw new FilterInputException("columns", "A column must name a top-level key.");

        var (filters, p) = await FiltersAsync(request.Collection, f, ct);
        p.Add("columns", columns.ToArray());
        p.Add("value_cut", DocumentRow.ValueCut);

        var sortKey = SortKey(request.Sort);
        var backward = request.Before != null;
        // Reading the previous page: the other way round from the cursor, reversed again in memory.
        var ascending = !request.Descending ^ backward;
        if ((request.After ?? request.Before) is { } cursor)
        {
            filters.Add(string.Format(CultureInfo.InvariantCulture, Fragments.Keyset, sortKey, ascending ? ">" : "<"));
            p.Add("cursor_at", cursor.At.UtcDateTime);
            p.Add("cursor_id", cursor.Id);
        }
        p.Add("limit", request.PageSize + 1);
        return new PageQuery(FilteredQuery.Compose("documents/page", filters, sortKey, ascending ? "ASC" : "DESC"), p, backward, f);
    }

    /// <summary>
    /// The export of a collection with the page's filters, in the page's order (first page first), at most
    /// <paramref name="maxDocuments"/> documents: checked and composed exactly as <see cref="BuildAsync"/> does.
    /// </summary>
    internal async Task<ExportQuery> BuildExportAsync(string collection, DocumentFilter? filter, DocumentSort sort, bool descending, int maxDocuments, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDocuments, 1);
        var f = filter ?? new DocumentFilter();
        var (filters, p) = await FiltersAsync(collection, f, ct);
        p.Add("limit", maxDocuments);
        return new ExportQuery(FilteredQuery.Compose("documents/export", filters, SortKey(sort), descending ? "DESC" : "ASC"), p, f);
    }

    /// <summary>
    /// Checks the collection and every filter (a <see cref="FilterInputException"/> with the field and position on bad
    /// input) and turns them into WHERE lines and bound parameters. The JSONPath last: PostgreSQL parses it, the one
    /// check that needs the server (it reads no table).
    /// </summary>
    internal async Task<FilterSql> FiltersAsync(string? collection, DocumentFilter f, CancellationToken ct)
    {
        RequireCollection(collection);
        var p = new DynamicParameters();
        var filters = new List<string>();
        p.Add("collection", collection);
        FilteredQuery.RefuseNul("keyExists", "key", f.KeyExists, Invalid);
        FilteredQuery.RefuseNul("text", "text", f.Text, Invalid);
        FilteredQuery.RefuseNul("jsonPath", "JSONPath", f.JsonPath, Invalid);

        if (JsonObjectFilter(f.DataContains, "dataContains") is { } data)
        {
            filters.Add(Fragments.DataContains);
            p.Add("data_contains", data);
        }
        if (JsonObjectFilter(f.MetadataContains, "metadataContains") is { } metadata)
        {
            filters.Add(Fragments.MetadataContains);
            p.Add("metadata_contains", metadata);
        }
        if (!string.IsNullOrEmpty(f.KeyExists))
        {
            filters.Add(Fragments.KeyExists);
            p.Add("key", f.KeyExists);
        }
        if (!string.IsNullOrWhiteSpace(f.Id))
        {
            if (!Guid.TryParse(f.Id.Trim(), out var id))
                throw new FilterInputException("id", "An id is a UUID such as 3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a1b.");
            filters.Add(Fragments.Id);
            p.Add("id", id);
        }
        FilteredQuery.AddRange(filters, p, "created", "d.created_at", f.CreatedFrom, f.CreatedTo, Invalid);
        FilteredQuery.AddRange(filters, p, "updated", "d.updated_at", f.UpdatedFrom, f.UpdatedTo, Invalid);
        if (!string.IsNullOrEmpty(f.Text))
        {
            filters.Add(Fragments.Text);
            p.Add("text_pattern", "%" + FilteredQuery.EscapeLike(f.Text) + "%");
        }
        if (!string.IsNullOrWhiteSpace(f.JsonPath))
        {
            await ValidateJsonPathAsync(f.JsonPath, f.JsonPathMode, ct);
            filters.Add(f.JsonPathMode == JsonPathMode.Exists ? Fragments.JsonPathExists : Fragments.JsonPathPredicate);
            p.Add("json_path", f.JsonPath);
        }
        return new FilterSql(filters, p);
    }

    private static string SortKey(DocumentSort sort) => sort == DocumentSort.UpdatedAt ? Fragments.UpdatedKey : Fragments.CreatedKey;

    /// <summary>The SQL the page composes: the only text ever put into its statement.</summary>
    internal static class Fragments
    {
        public const string CreatedKey = "COALESCE(d.created_at, '-infinity'::timestamptz)";
        public const string UpdatedKey = "COALESCE(d.updated_at, '-infinity'::timestamptz)";
        public const string DataContains = "  AND d.data @> @data_contains::jsonb";
        public const string MetadataContains = "  AND d.metadata @> @metadata_contains::jsonb";
        public const string JsonPathExists = "  AND d.data @? @json_path::jsonpath";
        public const string JsonPathPredicate = "  AND d.data @@ @json_path::jsonpath";
        public const string KeyExists = "  AND d.data ? @key";
        public const string Id = "  AND d.id = @id";
        public const string Text = @"  AND d.data::text ILIKE @text_pattern ESCAPE '\'";
        /// <summary>{0}: the sort key; {1}: &lt; or &gt;.</summary>
        public const string Keyset = "  AND ({0}, d.id) {1} (@cursor_at, @cursor_id)";
    }

    private static FilterInputException Invalid(string field, string message) => new(field, message);
    private static FilterInputException Invalid(string field, string message, int position) => new(field, message, position);

    private static void RequireCollection(string? collection)
    {
        if (string.IsNullOrEmpty(collection))
            throw new FilterInputException("collection", "Choose a collection.");
    }

    // ---------------------------------------------------------------- input checks

    /// <summary>
    /// The text when it is one JSON object PostgreSQL will accept; null when blank. Otherwise
    /// <see cref="FilterInputException"/> with the 0-based character position and "line L, position P: …".
    /// </summary>
    internal static string? JsonObjectFilter(string? text, string field)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var bytes = Encoding.UTF8.GetBytes(text);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 });
        var first = true;
        try
        {
            while (reader.Read())
            {
                if (first && reader.TokenType != JsonTokenType.StartObject)
                {
                    var what = reader.TokenType switch
                    {
                        JsonTokenType.StartArray => "an array",
                        JsonTokenType.String => "a string",
                        JsonTokenType.Number => "a number",
                        JsonTokenType.True or JsonTokenType.False => "a boolean",
                        _ => "null",
                    };
                    throw At(field, text, bytes, reader.TokenStartIndex,
                        $"the filter must be a JSON object such as {{\"status\":\"active\"}}, not {what}");
                }
                first = false;
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName)
                {
                    string value;
                    try { value = reader.GetString()!; }
                    catch (InvalidOperationException)
                    {
                        throw At(field, text, bytes, reader.TokenStartIndex, "invalid \\u escape (a lone surrogate) in this string");
                    }
                    if (value.Contains('\0'))
                        throw At(field, text, bytes, reader.TokenStartIndex, "\\u0000 is not allowed: PostgreSQL's jsonb cannot store it");
                }
            }
        }
        catch (JsonException e)
        {
            var offset = ByteOffset(bytes, e.LineNumber ?? 0, e.BytePositionInLine ?? 0);
            throw At(field, text, bytes, offset, JsonMessageSuffix().Replace(e.Message, "").Trim());
        }
        return text;
    }

    [GeneratedRegex(@"\s*(Path: \S*\s*\|\s*)?LineNumber: \d+ \| BytePositionInLine: \d+\.?\s*$", RegexOptions.NonBacktracking)]
    private static partial Regex JsonMessageSuffix();

    private static long ByteOffset(byte[] bytes, long line, long bytePositionInLine)
    {
        long offset = 0;
        for (var l = 0L; l < line && offset < bytes.Length; offset++)
            if (bytes[offset] == (byte)'\n') l++;
        return Math.Min(bytes.Length, offset + bytePositionInLine);
    }

    private static FilterInputException At(string field, string text, byte[] bytes, long byteOffset, string message)
    {
        var position = Encoding.UTF8.GetCharCount(bytes, 0, (int)Math.Clamp(byteOffset, 0, bytes.Length));
        return new FilterInputException(field, $"{LineAndColumn(text, position)}: {message}", position);
    }

    /// <summary>"line 1, position 12" (both 1-based) for a 0-based character position.</summary>
    internal static string LineAndColumn(string text, int position)
    {
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < position && i < text.Length; i++)
            if (text[i] == '\n') { line++; lineStart = i + 1; }
        return $"line {line}, position {position - lineStart + 1}";
    }

    private async Task ValidateJsonPathAsync(string path, JsonPathMode mode, CancellationToken ct)
    {
        bool isPredicate;
        try
        {
            isPredicate = await queries.QuerySingleAsync<bool>("documents/validate_jsonpath", new { json_path = path }, ct: ct);
        }
        catch (PostgresException e) when (e.SqlState[..2] is "22" or "42")
        {
            // Syntax (42601), a $variable (42704), a bad literal (22xxx): the path is the only input of this statement.
            var position = JsonPathErrorPosition(path, e.MessageText);
            var where = position is { } at ? LineAndColumn(path, at) + ": " : "";
            throw new FilterInputException("jsonPath", $"{where}PostgreSQL cannot use this JSONPath: {e.MessageText}", position);
        }
        if (mode == JsonPathMode.Predicate && !isPredicate)
            throw new FilterInputException("jsonPath",
                $"{path.Trim()} is a path, not a condition: in Predicate mode (@@) it must yield true or false, e.g. $.score > 5 or $.active == true " +
                "(as it is, PostgreSQL returns NULL for it and no document matches). To find the documents where the path exists, use Exists mode (@?).");
        if (mode == JsonPathMode.Exists && isPredicate)
            throw new FilterInputException("jsonPath",
                $"{path.Trim()} is a condition: in Exists mode (@?) it yields true or false for every document, so all would match. " +
                "Use Predicate mode (@@), or a filter such as $ ? (@.score > 5) in Exists mode.");
    }

    /// <summary>Where PostgreSQL's jsonpath parser stopped: "… at end of jsonpath input", "… at or near "x" of jsonpath input".</summary>
    internal static int? JsonPathErrorPosition(string path, string message)
    {
        if (message.Contains("at end of jsonpath input", StringComparison.Ordinal)) return path.Length;
        var near = NearToken().Match(message);
        if (near.Success)
        {
            var at = path.IndexOf(near.Groups[1].Value, StringComparison.Ordinal);
            if (at >= 0) return at;
        }
        return null;
    }

    [GeneratedRegex("at or near \"(.*)\" of jsonpath input", RegexOptions.NonBacktracking)]
    private static partial Regex NearToken();

    // ---------------------------------------------------------------- one document

    public async Task<DocumentDetail?> GetAsync(Guid id, CancellationToken ct = default)
    {
        var row = (await queries.QueryAsync<DetailRow>("documents/get", new { id }, ct: ct)).SingleOrDefault();
        return row == null ? null
            : new DocumentDetail(row.Id, row.Collection, row.Data, row.Metadata, Utc(row.CreatedAt), Utc(row.UpdatedAt), row.SizeBytes);
    }

    // ---------------------------------------------------------------- helpers and rows

    /// <summary>PostgreSQL's -infinity reads as DateTime.MinValue (and +infinity as MaxValue): kept, as UTC.</summary>
    internal static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc), TimeSpan.Zero);
    private static DateTimeOffset? Utc(DateTime? value) => value is { } v ? Utc(v) : null;
    private static DateTime? Later(DateTime? a, DateTime? b) => a == null ? b : b == null ? a : a > b ? a : b;

    private static DocumentCursor Cursor(DocumentRow row, DocumentSort sort) =>
        new(sort == DocumentSort.UpdatedAt ? row.UpdatedAt : row.CreatedAt, row.Id);

    private static DocumentRow ToRow(PageRow r) =>
        new(r.Id, Utc(r.CreatedAt), Utc(r.UpdatedAt), r.SizeBytes, r.ColumnValues ?? []);

    internal sealed record TableSize(long EstimatedRows, long Pages, bool HasCollectionStats);

    private sealed record TableSizeRow
    {
        public double Reltuples { get; init; }
        public long Relpages { get; init; }
        public long Pages { get; init; }
        public bool HasCollectionStats { get; init; }

        // The planner's way (estimate_rel_size): rows per page at the last ANALYZE times the pages now. Unknown (-1)
        // when the table was never vacuumed or analyzed.
        public TableSize ToTableSize() => new(
            Pages == 0 ? 0 : Relpages > 0 && Reltuples >= 0 ? (long)Math.Round(Reltuples / Relpages * Pages) : -1,
            Pages, HasCollectionStats);
    }

    private sealed record ExactRow
    {
        public string Name { get; init; } = "";
        public long DocumentCount { get; init; }
        public DateTime? LastUpdatedAt { get; init; }
        public double? AverageBytes { get; init; }
    }

    private sealed record HeadRow
    {
        public string Name { get; init; } = "";
        public long HeadCount { get; init; }
        public DateTime? LastUpdatedAt { get; init; }
        public double? AverageBytes { get; init; }
    }

    private sealed record EstimateRow
    {
        public string Name { get; init; } = "";
        public double? McvFrequency { get; init; }
        public long Sampled { get; init; }
        public double? AverageBytes { get; init; }
        public DateTime? LastUpdatedAt { get; init; }
    }

    private sealed record KeyRow
    {
        public string? Key { get; init; }
        public long Documents { get; init; }
        public long Sampled { get; init; }
    }

    private sealed record PageRow
    {
        public Guid Id { get; init; }
        public DateTime CreatedAt { get; init; }
        public DateTime UpdatedAt { get; init; }
        public int SizeBytes { get; init; }
        public string?[]? ColumnValues { get; init; }
    }

    private sealed record DetailRow
    {
        public Guid Id { get; init; }
        public string Collection { get; init; } = "";
        public string Data { get; init; } = "";
        public string Metadata { get; init; } = "";
        public DateTime CreatedAt { get; init; }
        public DateTime UpdatedAt { get; init; }
        public int SizeBytes { get; init; }
    }
}
