using System.Globalization;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.Features.Documents;

/// <summary>How the schema's documents were read.</summary>
public enum SchemaSampleMethod
{
    /// <summary><c>TABLESAMPLE SYSTEM</c>: random pages of the table, then at most the sample size of the collection's rows at random.</summary>
    TableSample,
    /// <summary><c>LIMIT</c> through the collection index: the collection's first documents in index order (not random); all of them when it is that small.</summary>
    IndexLimit,
}

/// <summary>One JSON type seen at a path: how many values had it, and in how many sampled documents.</summary>
/// <param name="Type">jsonb_typeof: object, array, string, number, boolean or null.</param>
/// <param name="Values">Values of this type at the path (under an array, every element counts).</param>
/// <param name="Documents">Sampled documents with at least one value of this type at the path.</param>
public sealed record SchemaTypeCount(string Type, long Values, long Documents);

/// <param name="Path">Keys joined by '.', array elements as <c>[]</c>: <c>address.city</c>, <c>tags[]</c>, <c>items[].sku</c>; a key holding '.', '[', ']' or '"' (or empty) is written as a JSON string.</param>
/// <param name="Depth">Levels below the document: 1 for a top-level key.</param>
/// <param name="Documents">Sampled documents containing the path.</param>
/// <param name="Frequency">Documents / sample size (0..1).</param>
/// <param name="Types">The types seen, in the order object, array, string, number, boolean, null; more than one is drift.</param>
public sealed record SchemaPath(string Path, int Depth, long Documents, double Frequency, IReadOnlyList<SchemaTypeCount> Types)
{
    public bool HasMixedTypes => Types.Count > 1;
}

/// <param name="SampleSize">Documents read (at most <see cref="SchemaSampling.SampleSize"/>).</param>
/// <param name="IsWholeCollection">Every document of the collection was read (it has no more than the sample size).</param>
/// <param name="SamplePercent">The TABLESAMPLE SYSTEM percentage of the table's pages, when it was used (also when its result was short and replaced).</param>
/// <param name="Paths">Ordered by path (ordinal), at most <see cref="SchemaSampling.MaxPaths"/>: the most frequent ones when capped.</param>
/// <param name="TotalPaths">Distinct paths found (down to the depth cap), before the path cap.</param>
/// <param name="DepthCapped">Some value at the depth cap was a non-empty object or array: what is below it is not listed.</param>
/// <param name="Notes">How the sample was taken and what was capped, in words for the page.</param>
public sealed record CollectionSchema(
    string Collection,
    long SampleSize,
    SchemaSampleMethod Method,
    bool IsWholeCollection,
    double? SamplePercent,
    IReadOnlyList<SchemaPath> Paths,
    long TotalPaths,
    bool PathsCapped,
    bool DepthCapped,
    int MaxDepth,
    int MaxPaths,
    IReadOnlyList<string> Notes);

/// <summary>The limits of a schema sample. The defaults are the product's; tests change them to reach each branch.</summary>
public sealed record SchemaSampling
{
    /// <summary>Documents per sample (Compass samples 1,000).</summary>
    public int SampleSize { get; init; } = 1_000;
    /// <summary>Path levels expanded below the document.</summary>
    public int MaxDepth { get; init; } = 8;
    /// <summary>Paths returned (the most frequent).</summary>
    public int MaxPaths { get; init; } = 500;
    /// <summary>The collection is counted through its index up to this many documents; above, its size is estimated from the statistics.</summary>
    public long CountProbe { get; init; } = 10_000;
    /// <summary>The TABLESAMPLE is sized to hold this many times <see cref="SampleSize"/> of the collection's documents, so that it is rarely short.</summary>
    public double Overshoot { get; init; } = 3;
    /// <summary>A TABLESAMPLE that would read more pages than this (8 kB each) is not taken: the collection is too small a share of a large table.</summary>
    public long PageBudget { get; init; } = 10_000;
}

public interface IDocumentSchemaService
{
    /// <summary>
    /// The key paths of a collection's documents with their frequency and JSON types, from a sample of at most 1,000 documents
    /// (TABLESAMPLE, not a full scan; the collection's first 1,000 through its index when the sample would be short). Runs under the
    /// statement timeout (<see cref="QueryTimeoutException"/>).
    /// </summary>
    Task<CollectionSchema> SampleAsync(string collection, CancellationToken ct = default);
}

/// <summary>
/// Compass's schema view for the JSONB documents. The paths are computed in PostgreSQL (sql/documents/schema_paths: a recursive CTE
/// over jsonb_each / jsonb_array_elements), so only the aggregated paths cross the wire, never the sampled documents.
/// <para>
/// How the sample is taken, without ever reading the whole table:
/// 1. count the collection through its index, capped at <see cref="SchemaSampling.CountProbe"/> (above: estimate it from ANALYZE's
///    most-common-values frequency);
/// 2. a collection no larger than the sample is read whole through the index (LIMIT): exact, no sampling needed;
/// 3. otherwise TABLESAMPLE SYSTEM of the percentage of pages expected to hold <see cref="SchemaSampling.Overshoot"/> × the sample size
///    of its documents, then the sample size of them at random — unless that would read more than <see cref="SchemaSampling.PageBudget"/>
///    pages (a small collection in a large table), when LIMIT through the index is read instead;
/// 4. when the TABLESAMPLE comes back short (a small table: whole pages are drawn at random, so a small table's sample varies a lot),
///    it is replaced by the LIMIT read. The LIMIT read is the collection's first documents in index order, not a random sample: the
///    notes say so.
/// </para>
/// </summary>
public sealed class DocumentSchemaService : IDocumentSchemaService
{
    private static readonly string[] TypeOrder = ["object", "array", "string", "number", "boolean", "null"];

    private readonly PostgresQueryRunner queries;
    private readonly SchemaSampling limits;

    public DocumentSchemaService(PostgresQueryRunner queries) : this(queries, new SchemaSampling()) { }

    internal DocumentSchemaService(PostgresQueryRunner queries, SchemaSampling limits)
    {
        this.queries = queries;
        this.limits = limits;
    }

    public async Task<CollectionSchema> SampleAsync(string collection, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(collection))
            throw new InvalidInputException("collection", "Choose a collection to sample.");

        var size = await queries.QuerySingleAsync<SizeRow>("documents/schema_collection_size",
            new { collection, probe = limits.CountProbe }, ct: ct);
        var notes = new List<string>();

        if (size.Counted < limits.CountProbe && size.Counted <= limits.SampleSize)
        {
            var whole = await PathsAsync(collection, useTableSample: false, percent: 100, ct);
            notes.Add(whole.SampleSize == 0
                ? "The collection has no documents."
                : $"The collection has {N(whole.SampleSize)} documents: all of them were read (through the collection index), so this is its exact schema, not a sample.");
            return Build(collection, whole, SchemaSampleMethod.IndexLimit, isWhole: true, percent: null, notes);
        }

        var estimated = EstimatedDocuments(size);
        var percent = Math.Min(100.0, 100.0 * limits.Overshoot * limits.SampleSize / estimated);
        var pagesToRead = percent / 100.0 * size.Pages;
        var ofCollection = size.Counted < limits.CountProbe ? $"the collection's {N(size.Counted)} documents"
            : estimated > limits.CountProbe ? $"the collection's ≈{N((long)estimated)} documents"
            : $"the collection's documents (more than {N(limits.CountProbe)}; no statistics yet)";
        if (pagesToRead > limits.PageBudget)
        {
            var first = await PathsAsync(collection, useTableSample: false, percent: 100, ct);
            notes.Add($"A TABLESAMPLE holding {N(limits.SampleSize)} of {ofCollection} would read ≈{N((long)pagesToRead)} pages " +
                      $"of the documents table (more than {N(limits.PageBudget)}): the collection is a small share of a large table. " +
                      $"Its first {N(first.SampleSize)} documents in index order were read instead: not a random sample.");
            return Build(collection, first, SchemaSampleMethod.IndexLimit, isWhole: false, percent: null, notes);
        }

        var sampled = await PathsAsync(collection, useTableSample: true, percent, ct);
        if (sampled.SampleSize < limits.SampleSize)
        {
            var first = await PathsAsync(collection, useTableSample: false, percent: 100, ct);
            notes.Add($"TABLESAMPLE SYSTEM ({Pct(percent)} % of the table's pages) held only {N(sampled.SampleSize)} of " +
                      $"{ofCollection}; its first {N(first.SampleSize)} documents in index order were read instead: not a random sample.");
            return Build(collection, first, SchemaSampleMethod.IndexLimit, isWhole: false, percent, notes);
        }
        notes.Add($"A random sample of {N(sampled.SampleSize)} of {ofCollection} (TABLESAMPLE SYSTEM, {Pct(percent)} % of the table's pages).");
        return Build(collection, sampled, SchemaSampleMethod.TableSample, isWhole: false, percent, notes);
    }

    /// <summary>The collection's size: counted when under the probe, else the statistics' share of the table's rows (at least the probe).</summary>
    private double EstimatedDocuments(SizeRow size)
    {
        if (size.Counted < limits.CountProbe) return size.Counted;
        // reltuples scaled to the table's current size, as the planner does; unknown (-1 / 0 pages) when never analyzed.
        var rows = size.Reltuples >= 0 && size.Relpages > 0 ? size.Reltuples * size.Pages / size.Relpages : -1;
        var fromStatistics = size.McvFrequency is { } f && rows > 0 ? f * rows : 0;
        return Math.Max(limits.CountProbe, fromStatistics);
    }

    private async Task<SampleResult> PathsAsync(string collection, bool useTableSample, double percent, CancellationToken ct)
    {
        var rows = await queries.QueryAsync<PathRow>("documents/schema_paths", new
        {
            collection,
            use_tablesample = useTableSample,
            sample_percent = (float)percent,
            sample_size = limits.SampleSize,
            max_depth = limits.MaxDepth,
            max_paths = limits.MaxPaths,
        }, ct: ct);
        var summary = rows.Single(r => r.Path is null);
        var paths = rows.Where(r => r.Path is not null)
            .GroupBy(r => r.Path!, StringComparer.Ordinal)
            .Select(g =>
            {
                var first = g.First();
                var documents = first.PathDocumentCount ?? 0;
                var types = g.OrderBy(r => Array.IndexOf(TypeOrder, r.JsonType))
                    .Select(r => new SchemaTypeCount(r.JsonType!, r.ValueCount ?? 0, r.DocumentCount ?? 0))
                    .ToList();
                return new SchemaPath(g.Key, first.Depth ?? 0, documents,
                    summary.SampleSize == 0 ? 0 : (double)documents / summary.SampleSize, types);
            })
            .OrderBy(p => p.Path, StringComparer.Ordinal)
            .ToList();
        return new SampleResult(summary.SampleSize, paths, summary.TotalPaths, summary.DepthCapped);
    }

    private CollectionSchema Build(string collection, SampleResult result, SchemaSampleMethod method, bool isWhole, double? percent, List<string> notes)
    {
        var pathsCapped = result.TotalPaths > result.Paths.Count;
        if (pathsCapped)
            notes.Add($"Only the {N(result.Paths.Count)} most frequent of {N(result.TotalPaths)} paths are listed.");
        if (result.DepthCapped)
            notes.Add($"Paths are expanded {limits.MaxDepth} levels deep; deeper objects and arrays are listed as their type only.");
        return new CollectionSchema(collection, result.SampleSize, method, isWhole, percent, result.Paths, result.TotalPaths,
            pathsCapped, result.DepthCapped, limits.MaxDepth, limits.MaxPaths, notes);
    }

    private static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
    private static string Pct(double p) => p.ToString(p < 1 ? "0.###" : "0.#", CultureInfo.InvariantCulture);

    private sealed record SampleResult(long SampleSize, IReadOnlyList<SchemaPath> Paths, long TotalPaths, bool DepthCapped);

    private sealed class SizeRow
    {
        public long Counted { get; init; }
        public double? McvFrequency { get; init; }
        public double Reltuples { get; init; }
        public long Relpages { get; init; }
        public long Pages { get; init; }
    }

    private sealed class PathRow
    {
        public string? Path { get; init; }
        public int? Depth { get; init; }
        public long? PathDocumentCount { get; init; }
        public string? JsonType { get; init; }
        public long? ValueCount { get; init; }
        public long? DocumentCount { get; init; }
        public long SampleSize { get; init; }
        public long TotalPaths { get; init; }
        public bool DepthCapped { get; init; }
    }
}
