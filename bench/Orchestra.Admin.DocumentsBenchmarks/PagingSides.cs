using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Features.Documents;
using Orchestra.Admin.Hosting;

namespace Orchestra.Admin.DocumentsBenchmarks;

/// <summary>Which index on documents the measurement runs with (created in the benchmark's own throwaway database only).</summary>
public enum IndexSetup
{
    /// <summary>The stack's indexes only: (collection), GIN(data), GIN(metadata). What the dashboard meets.</summary>
    StackOnly,
    /// <summary>
    /// The stack's and (collection, created_at DESC, id DESC): the index one would think of first. The grid sorts on
    /// COALESCE(created_at, '-infinity') (NULL times as the oldest, for a total order), which this index does not hold,
    /// so PostgreSQL cannot use it for the order (the plans printed show it).
    /// </summary>
    CreatedAtIndex,
    /// <summary>The stack's and (collection, COALESCE(created_at, '-infinity') DESC, id DESC): the grid's own sort key, the index to advise.</summary>
    SortKeyIndex,
}

/// <summary>
/// Both ways to read a page of "events" newest first, 25 a page, with the grid's four first columns: keyset through the
/// app's <see cref="DocumentsService.PageAsync"/> (its real statement), and the same statement with OFFSET instead of the
/// keyset condition, through the same query runner (so both pay the same SET LOCAL statement_timeout and COMMIT).
/// </summary>
public sealed partial class PagingSides : IAsyncDisposable
{
    public const int PageSize = 25;
    public const int DeepPage = 10_000;
    /// <summary>The rows before page 10,000: 9,999 pages of 25.</summary>
    public const int DeepOffset = (DeepPage - 1) * PageSize;

    public const string CreatedAtIndexName = "documents_bench_collection_created_at_id";
    public const string SortKeyIndexName = "documents_bench_collection_sort_key_id";

    public static string Describe(IndexSetup setup) => setup switch
    {
        IndexSetup.StackOnly => "the stack's indexes only",
        IndexSetup.CreatedAtIndex => "with an index (collection, created_at DESC, id DESC)",
        _ => "with the advised index (collection, COALESCE(created_at, '-infinity') DESC, id DESC)",
    };

    private static readonly Dictionary<IndexSetup, string> CreateIndex = new()
    {
        [IndexSetup.CreatedAtIndex] = $"CREATE INDEX {CreatedAtIndexName} ON documents (collection, created_at DESC, id DESC)",
        [IndexSetup.SortKeyIndex] = $"CREATE INDEX {SortKeyIndexName} ON documents (collection, COALESCE(created_at, '-infinity'::timestamptz) DESC, id DESC)",
    };

    private readonly NpgsqlDataSource setup;
    private IndexSetup? current;

    public NpgsqlDataSource DataSource { get; }
    public PostgresQueryRunner Runner { get; }
    public DocumentsService Service { get; }
    public OrchestraAdminOptions Options { get; }
    public IReadOnlyList<string> Columns { get; private set; } = [];
    /// <summary>The last row of page 9,999: page 10,000 is what comes after it.</summary>
    public DocumentCursor DeepCursor { get; private set; } = null!;
    /// <summary>The OFFSET statement: page.sql with no filter, the grid's sort key, newest first, and OFFSET @offset.</summary>
    public string OffsetSql { get; }

    private PagingSides(DocumentsBenchDatabase database)
    {
        // The app's defaults (statement_timeout 5 s for the pages), its pool, its runner, its service.
        Options = new OrchestraAdminOptions { Postgres = new PostgresOptions { ConnectionString = database.ConnectionString } };
        DataSource = NpgsqlDataSource.Create(database.ConnectionString);
        setup = NpgsqlDataSource.Create(database.SetupConnectionString);
        Runner = new PostgresQueryRunner(DataSource, Microsoft.Extensions.Options.Options.Create(Options), NullLogger<PostgresQueryRunner>.Instance);
        Service = new DocumentsService(Runner);
        var template = string.Join('\n', SqlCatalog.Get("documents/page").Split('\n').Where(l => !l.TrimStart().StartsWith("--", StringComparison.Ordinal)));
        OffsetSql = template
            .Replace("/*filters*/\n", "", StringComparison.Ordinal)
            .Replace("/*sort_key*/", "COALESCE(d.created_at, '-infinity'::timestamptz)", StringComparison.Ordinal)
            .Replace("/*direction*/", "DESC", StringComparison.Ordinal)
            .Trim() + "\nOFFSET @offset";
    }

    public static async Task<PagingSides> CreateAsync(DocumentsBenchDatabase database)
    {
        var sides = new PagingSides(database);
        // The grid shows the collection's first four keys as columns.
        sides.Columns = (await sides.Service.TopLevelKeysAsync(DocumentsBenchDatabase.Collection)).Take(4).ToList();
        await using var conn = await sides.setup.OpenConnectionAsync();
        var (at, id) = await conn.QuerySingleAsync<(DateTime, Guid)>("""
            SELECT r.at, r.id
            FROM (
                SELECT COALESCE(created_at, '-infinity'::timestamptz) AS at, id,
                       row_number() OVER (ORDER BY COALESCE(created_at, '-infinity'::timestamptz) DESC, id DESC) AS n
                FROM documents
                WHERE collection = @collection
            ) AS r
            WHERE r.n = @n
            """, new { collection = DocumentsBenchDatabase.Collection, n = DeepOffset });
        sides.DeepCursor = new DocumentCursor(new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)), id);
        return sides;
    }

    public DocumentPageRequest Request(int page) => new(
        DocumentsBenchDatabase.Collection, new DocumentFilter(), DocumentSort.CreatedAt, Descending: true, PageSize,
        After: page == 1 ? null : page == DeepPage ? DeepCursor : throw new ArgumentOutOfRangeException(nameof(page)),
        Columns: Columns);

    /// <summary>A page the app's way: <see cref="DocumentsService.PageAsync"/>.</summary>
    public Task<DocumentPage> KeysetAsync(int page) => Service.PageAsync(Request(page));

    private DynamicParameters OffsetParameters(int page)
    {
        var p = new DynamicParameters();
        p.Add("collection", DocumentsBenchDatabase.Collection);
        p.Add("columns", Columns.ToArray());
        p.Add("value_cut", DocumentRow.ValueCut);
        p.Add("limit", PageSize + 1); // as the keyset page: one more row says whether there is a next page
        p.Add("offset", page == 1 ? 0 : DeepOffset);
        return p;
    }

    /// <summary>The same page with OFFSET: the same statement, the keyset condition replaced by OFFSET (page − 1) × 25.</summary>
    public Task<IReadOnlyList<OffsetRow>> OffsetAsync(int page) =>
        Runner.QuerySqlAsync<OffsetRow>("documents/page.offset", OffsetSql, OffsetParameters(page));

    /// <summary>Creates (or drops) the extra index. ANALYZE afterwards: an expression index gets statistics of its own.</summary>
    public async Task SetIndexAsync(IndexSetup setup, Action<string>? log = null)
    {
        if (current == setup) return;
        var clock = Stopwatch.StartNew();
        await using var conn = await this.setup.OpenConnectionAsync();
        await conn.ExecuteAsync($"DROP INDEX IF EXISTS {CreatedAtIndexName}; DROP INDEX IF EXISTS {SortKeyIndexName}");
        if (CreateIndex.TryGetValue(setup, out var create))
        {
            await conn.ExecuteAsync("SET maintenance_work_mem = '256MB'");
            await conn.ExecuteAsync(create);
            await conn.ExecuteAsync("ANALYZE documents");
        }
        current = setup;
        log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"Index setup: {Describe(setup)} ({clock.Elapsed.TotalSeconds:0.0} s)."));
    }

    /// <summary>Both ways return the same 25 documents on page 1 and on page 10,000 (else the comparison would be moot).</summary>
    public async Task VerifyAsync()
    {
        foreach (var page in new[] { 1, DeepPage })
        {
            var keyset = (await KeysetAsync(page)).Rows.Select(r => r.Id).ToList();
            var offset = (await OffsetAsync(page)).Take(PageSize).Select(r => r.Id).ToList();
            if (keyset.Count != PageSize || !keyset.SequenceEqual(offset))
                throw new InvalidOperationException($"Page {page:N0}: keyset and OFFSET disagree ({keyset.Count} and {offset.Count} rows).");
        }
    }

    /// <summary>EXPLAIN (ANALYZE, BUFFERS) of exactly the statement each side runs, its plan shape in a few lines.</summary>
    public async Task<(string Keyset, string Offset)> PlansAsync(int page)
    {
        var explained = await Service.ExplainAsync(Request(page));
        var keysetParameters = new DynamicParameters();
        keysetParameters.Add("collection", DocumentsBenchDatabase.Collection);
        keysetParameters.Add("columns", Columns.ToArray());
        keysetParameters.Add("value_cut", DocumentRow.ValueCut);
        keysetParameters.Add("limit", PageSize + 1);
        if (page != 1)
        {
            keysetParameters.Add("cursor_at", DeepCursor.At.UtcDateTime);
            keysetParameters.Add("cursor_id", DeepCursor.Id);
        }
        await using var conn = await DataSource.OpenConnectionAsync();
        const string explain = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, SUMMARY ON) ";
        var keyset = await conn.QueryAsync<string>(explain + explained.Statement, keysetParameters);
        var offset = await conn.QueryAsync<string>(explain + OffsetSql, OffsetParameters(page));
        return (Shape(keyset), Shape(offset));
    }

    /// <summary>The plan's node lines and the execution time; not the output columns or the subplan of the column values.</summary>
    private static string Shape(IEnumerable<string> plan)
    {
        var lines = plan.Where(l => !l.Contains("SubPlan", StringComparison.Ordinal) && !l.Contains("Function Scan", StringComparison.Ordinal)
                                    && !l.Contains("Sort Key: c.ord", StringComparison.Ordinal) && !SubPlanDetail().IsMatch(l)
                                    && !l.TrimStart().StartsWith("Planning", StringComparison.Ordinal))
            .ToList();
        return string.Join('\n', lines);
    }

    [GeneratedRegex(@"^\s{10,}(->\s+Sort|Sort Method: quicksort  Memory: 25kB)")]
    private static partial Regex SubPlanDetail();

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await setup.DisposeAsync();
    }
}

/// <summary>A row of the OFFSET page: the columns page.sql returns.</summary>
public sealed record OffsetRow
{
    public Guid Id { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; init; }
    public int SizeBytes { get; init; }
    public string?[]? ColumnValues { get; init; }
}
