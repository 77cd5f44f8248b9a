using System.Globalization;
using System.Text;
using Dapper;
using Orchestra.Admin.Data.Postgres;

namespace Orchestra.Admin.Features.Cache;

/// <summary>
/// The cache inspector's reads (sql/cache): cache tables discovered by shape in the catalog, their figures (exact on small
/// tables, from a TABLESAMPLE on large ones), keyset pages of keys with a Redis-style pattern, one entry, and the largest,
/// hottest and prefixes. Table names go into SQL only as PostgreSQL quoted them (<see cref="CacheTable.Qualified"/>);
/// the operator's input only picks a table from that list and is otherwise a bound parameter.
/// </summary>
public sealed class CacheService(PostgresQueryRunner queries) : ICacheService
{
    /// <summary>Above this many rows (the planner's estimate) the figures come from a sample and are marked ≈.</summary>
    internal const long SmallTableRows = 100_000;
    /// <summary>A table never analyzed (no estimate) is sampled above this size.</summary>
    internal const long SmallTableBytes = 64L * 1024 * 1024;
    /// <summary>TABLESAMPLEs are sized to read about this many rows.</summary>
    internal const long SampleRows = 10_000;
    internal const int TopKeys = 10;
    internal const int MaxPrefixes = 50;
    public static readonly IReadOnlyList<int> PageSizes = [25, 50, 100];

    // ---------------------------------------------------------------- tables

    public async Task<IReadOnlyList<CacheTable>> TablesAsync(CancellationToken ct = default) =>
        (await queries.QueryAsync<TableRow>("cache/tables", ct: ct)).Select(r => r.ToTable()).ToList();

    public async Task<CacheTable> TableAsync(string display, CancellationToken ct = default)
    {
        var tables = await TablesAsync(ct);
        return tables.FirstOrDefault(t => string.Equals(t.Display, display, StringComparison.Ordinal))
            ?? throw new CacheInputException("table",
                $"No cache table named {display}. A cache table has the columns key text, value jsonb and expires_at timestamptz" +
                (tables.Count == 0 ? "; this database has none." : $"; this database has {string.Join(", ", tables.Select(t => t.Display))}."));
    }

    public async Task<IReadOnlyList<CacheTableSummary>> SummariesAsync(CancellationToken ct = default)
    {
        var result = new List<CacheTableSummary>();
        foreach (var table in await TablesAsync(ct))
        {
            try
            {
                result.Add(await SummaryAsync(table, ct));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One table's failure (no SELECT grant, a timeout) leaves the others listed.
                result.Add(new CacheTableSummary(table, 0, 0, false, null, null, null, null, null, Components.Controls.ErrorMessages.Describe(e)));
            }
        }
        return result;
    }

    public async Task<CacheTableSummary> SummaryAsync(CacheTable table, CancellationToken ct = default)
    {
        var sample = SampleOf(table);
        var sql = Fill("cache/table_stats", table, ("sample", sample.Clause));
        var s = (await queries.QuerySqlAsync<StatsRow>("cache/table_stats", sql, new { sample_percent = sample.Percent }, ct: ct)).Single();
        if (!sample.IsSample)
        {
            return new CacheTableSummary(table, s.Sampled - s.Expired, s.Expired, false,
                new ExpiryHistogram(s.Expired, s.UnderOneHour, s.OneTo24Hours, s.Over24Hours),
                s.AverageBytes, s.LargestBytes, s.MeanAccessCount, s.MaxAccessCount);
        }
        var scale = sample.Scale(s.Sampled);
        long Scaled(long n) => (long)Math.Round(n * scale);
        return new CacheTableSummary(table, Scaled(s.Sampled - s.Expired), Scaled(s.Expired), true,
            new ExpiryHistogram(Scaled(s.Expired), Scaled(s.UnderOneHour), Scaled(s.OneTo24Hours), Scaled(s.Over24Hours)),
            s.AverageBytes, s.LargestBytes, s.MeanAccessCount, s.MaxAccessCount);
    }

    // ---------------------------------------------------------------- keys

    public async Task<CacheKeyPage> PageAsync(CacheKeyPageRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var table = await TableAsync(request.Table, ct);
        var (sql, parameters) = BuildPage(table, request);
        var rows = await queries.QuerySqlAsync<KeyRow>("cache/keys_page", sql, parameters, ct: ct);
        var page = rows.Take(request.PageSize).Select(r => r.ToRow()).ToList();
        var next = rows.Count > request.PageSize ? CursorOf(page[^1], request.Sort) : null;
        return new CacheKeyPage(table, page, next, DateTimeOffset.UtcNow);
    }

    /// <summary>Checks the request and composes the page's SQL from fixed fragments; every value is a parameter (public: the benchmark explains it).</summary>
    public static (string Sql, DynamicParameters Parameters) BuildPage(CacheTable table, CacheKeyPageRequest request)
    {
        if (!PageSizes.Contains(request.PageSize))
            throw new CacheInputException("pageSize", $"The page size must be 25, 50 or 100 (is {request.PageSize}).");
        if (request.Sort == CacheKeySort.AccessCount && !table.HasAccessCount)
            throw new CacheInputException("sort", $"{table.Display} has no access_count column, so it cannot be sorted by access count.");
        var filter = request.Filter ?? new CacheKeyFilter();
        var p = new DynamicParameters();
        var filters = new StringBuilder();
        if (CachePattern.ToLike(filter.Pattern) is { } like)
        {
            filters.AppendLine("AND t.key LIKE @pattern");
            p.Add("pattern", like);
        }
        var expires = ExpiresExpression(table);
        if (filter.State == CacheKeyState.Live) filters.AppendLine($"AND {expires} > now()");
        if (filter.State == CacheKeyState.Expired) filters.AppendLine($"AND {expires} <= now()");

        var sortKey = SortKey(table, request.Sort);
        var comparison = request.Descending ? "<" : ">";
        if (request.After is { } cursor)
        {
            p.Add("cursor_key", cursor.Key);
            if (request.Sort == CacheKeySort.Key)
            {
                filters.AppendLine($"AND t.key {comparison} @cursor_key");
            }
            else
            {
                filters.AppendLine($"AND ({sortKey}, t.key) {comparison} (@cursor_value, @cursor_key)");
                if (request.Sort == CacheKeySort.Expiry)
                    p.Add("cursor_value", (cursor.At ?? throw new ArgumentException("An expiry cursor needs At.", nameof(request))).UtcDateTime);
                else
                    p.Add("cursor_value", cursor.Number ?? throw new ArgumentException("This cursor needs Number.", nameof(request)));
            }
        }
        p.Add("limit", request.PageSize + 1);
        var direction = request.Descending ? "DESC" : "ASC";
        var sql = Fill("cache/keys_page", table,
            ("filters", filters.ToString().TrimEnd()),
            ("sort_key", sortKey),
            ("direction", direction));
        return (sql, p);
    }

    internal static string SortKey(CacheTable table, CacheKeySort sort) => sort switch
    {
        CacheKeySort.Key => "t.key",
        CacheKeySort.Expiry => ExpiresExpression(table),
        CacheKeySort.Size => "pg_column_size(t.value)",
        CacheKeySort.AccessCount => "COALESCE(t.access_count, 0)",
        _ => throw new ArgumentOutOfRangeException(nameof(sort)),
    };

    private static CacheKeyCursor CursorOf(CacheKeyRow row, CacheKeySort sort) => sort switch
    {
        CacheKeySort.Expiry => new CacheKeyCursor(row.Key, At: row.ExpiresAt),
        CacheKeySort.Size => new CacheKeyCursor(row.Key, Number: row.SizeBytes),
        CacheKeySort.AccessCount => new CacheKeyCursor(row.Key, Number: row.AccessCount ?? 0),
        _ => new CacheKeyCursor(row.Key),
    };

    public async Task<CacheEntryDetail?> GetAsync(string table, string key, CancellationToken ct = default)
    {
        var t = await TableAsync(table, ct);
        if (key.Contains('\0')) return null; // PostgreSQL text cannot hold NUL: no such key (and no encoding error)
        var row = (await queries.QuerySqlAsync<DetailRow>("cache/key_get", Fill("cache/key_get", t), new { key }, ct: ct)).SingleOrDefault();
        return row is null ? null
            : new CacheEntryDetail(t, row.Key, row.Value, Utc(row.ExpiresAt), Utc(row.ServerNow), row.SizeBytes, row.AccessCount,
                UtcOrNull(row.AccessedAt), UtcOrNull(row.CreatedAt));
    }

    // ---------------------------------------------------------------- insights

    public async Task<CacheInsights> InsightsAsync(CacheTable table, CancellationToken ct = default)
    {
        var sample = SampleOf(table);
        var parameters = new { sample_percent = sample.Percent, limit = TopKeys };
        var largest = await queries.QuerySqlAsync<TopRow>("cache/top_keys",
            Fill("cache/top_keys", table, ("sample", sample.Clause), ("sort_key", SortKey(table, CacheKeySort.Size))), parameters, ct: ct);
        IReadOnlyList<TopRow> hottest = table.HasAccessCount
            ? await queries.QuerySqlAsync<TopRow>("cache/top_keys",
                Fill("cache/top_keys", table, ("sample", sample.Clause), ("sort_key", SortKey(table, CacheKeySort.AccessCount))), parameters, ct: ct)
            : [];
        var prefixes = await queries.QuerySqlAsync<PrefixRow>("cache/prefixes",
            Fill("cache/prefixes", table, ("sample", sample.Clause)), new { sample_percent = sample.Percent, limit = MaxPrefixes }, ct: ct);
        // Scaled by the sample's share (rows sampled against the table's estimate).
        var scale = sample.IsSample ? sample.Scale(prefixes.Sum(x => x.Entries)) : 1;
        return new CacheInsights(
            largest.Select(r => r.ToKey()).ToList(),
            hottest.Select(r => r.ToKey()).ToList(),
            prefixes.Select(r => new CachePrefixCount(r.Prefix, (long)Math.Round(r.Entries * scale), (long)Math.Round(r.TotalBytes * scale))).ToList(),
            sample.IsSample, sample.Percent);
    }

    // ---------------------------------------------------------------- templates and sampling

    /// <summary>
    /// A sql/cache template with its markers filled from fixed fragments and the table's catalog-quoted name: the comments are
    /// dropped first (they mention the markers), then /*table*/, /*expires_at*/ and the optional columns, then <paramref name="markers"/>.
    /// </summary>
    internal static string Fill(string name, CacheTable table, params (string Marker, string Fragment)[] markers)
    {
        var sql = string.Join('\n', SqlCatalog.Get(name).Split('\n').Where(l => !l.TrimStart().StartsWith("--", StringComparison.Ordinal))).Trim();
        sql = sql.Replace("/*table*/", table.Qualified, StringComparison.Ordinal)
                 .Replace("/*expires_at*/", ExpiresExpression(table), StringComparison.Ordinal)
                 .Replace("/*access_count*/", table.HasAccessCount ? "t.access_count::bigint" : "NULL::bigint", StringComparison.Ordinal)
                 .Replace("/*accessed_at*/", table.HasAccessedAt ? "t.accessed_at" : "NULL::timestamptz", StringComparison.Ordinal)
                 .Replace("/*created_at*/", table.HasCreatedAt ? "t.created_at" : "NULL::timestamptz", StringComparison.Ordinal);
        foreach (var (marker, fragment) in markers)
            sql = sql.Replace($"/*{marker}*/", fragment, StringComparison.Ordinal);
        return sql;
    }

    /// <summary>The expiry as the pages sort on it: the column, or NULL read as never expiring when the column allows NULL.</summary>
    internal static string ExpiresExpression(CacheTable table) =>
        table.ExpiresNotNull ? "t.expires_at" : "COALESCE(t.expires_at, 'infinity'::timestamptz)";

    internal sealed record Sample(bool IsSample, double Percent, long EstimatedRows)
    {
        public string Clause => IsSample ? "TABLESAMPLE SYSTEM (@sample_percent)" : "";

        /// <summary>Sampled rows to the table's rows: the planner's estimate, else (never analyzed) the sample's share.</summary>
        public double Scale(long sampled) =>
            sampled == 0 ? 0 : EstimatedRows > 0 ? (double)EstimatedRows / sampled : 100.0 / Percent;
    }

    internal static Sample SampleOf(CacheTable table)
    {
        var large = table.EstimatedRows >= SmallTableRows || (table.EstimatedRows < 0 && table.TotalBytes > SmallTableBytes);
        if (!large) return new Sample(false, 100, table.EstimatedRows);
        var percent = table.EstimatedRows > 0
            ? 100.0 * SampleRows / table.EstimatedRows
            : 100.0 * SmallTableBytes / 16 / Math.Max(1, table.TotalBytes); // about 4 MB of the table
        return new Sample(true, Math.Clamp(percent, 0.0001, 100), table.EstimatedRows);
    }

    internal static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc), TimeSpan.Zero);
    private static DateTimeOffset? UtcOrNull(DateTime? value) => value is { } v ? Utc(v) : null;

    // ---------------------------------------------------------------- rows

    private sealed record TableRow
    {
        public long Oid { get; init; }
        public string SchemaName { get; init; } = "";
        public string TableName { get; init; } = "";
        public string Qualified { get; init; } = "";
        public long EstimatedRows { get; init; }
        public long TotalBytes { get; init; }
        public bool ExpiresNotNull { get; init; }
        public bool HasAccessCount { get; init; }
        public bool HasAccessedAt { get; init; }
        public bool HasCreatedAt { get; init; }
        public bool CanSelect { get; init; }

        public CacheTable ToTable() => new(SchemaName, TableName, Qualified, EstimatedRows, TotalBytes, ExpiresNotNull,
            HasAccessCount, HasAccessedAt, HasCreatedAt, CanSelect);
    }

    private sealed record StatsRow
    {
        public long Sampled { get; init; }
        public long Expired { get; init; }
        public long UnderOneHour { get; init; }
        public long OneTo24Hours { get; init; }
        public long Over24Hours { get; init; }
        public double? AverageBytes { get; init; }
        public long? LargestBytes { get; init; }
        public double? MeanAccessCount { get; init; }
        public long? MaxAccessCount { get; init; }
    }

    private sealed record KeyRow
    {
        public string Key { get; init; } = "";
        public DateTime ExpiresAt { get; init; }
        public int SizeBytes { get; init; }
        public long? AccessCount { get; init; }
        public DateTime? AccessedAt { get; init; }
        public DateTime? CreatedAt { get; init; }

        public CacheKeyRow ToRow() => new(Key, Utc(ExpiresAt), SizeBytes, AccessCount, UtcOrNull(AccessedAt), UtcOrNull(CreatedAt));
    }

    private sealed record DetailRow
    {
        public string Key { get; init; } = "";
        public string Value { get; init; } = "";
        public DateTime ExpiresAt { get; init; }
        public DateTime ServerNow { get; init; }
        public int SizeBytes { get; init; }
        public long? AccessCount { get; init; }
        public DateTime? AccessedAt { get; init; }
        public DateTime? CreatedAt { get; init; }
    }

    private sealed record TopRow
    {
        public string Key { get; init; } = "";
        public DateTime ExpiresAt { get; init; }
        public int SizeBytes { get; init; }
        public long? AccessCount { get; init; }

        public CacheTopKey ToKey() => new(Key, Utc(ExpiresAt), SizeBytes, AccessCount);
    }

    private sealed record PrefixRow
    {
        public string Prefix { get; init; } = "";
        public long Entries { get; init; }
        public long TotalBytes { get; init; }
    }
}

/// <summary>Redis-style key patterns as SQL LIKE patterns.</summary>
public static class CachePattern
{
    /// <summary>
    /// <c>*</c> → <c>%</c>, <c>?</c> → <c>_</c>; LIKE's own <c>%</c>, <c>_</c> and the escape character <c>\</c> are escaped first,
    /// so they match themselves (<c>100%_done</c> is a literal). Null for no pattern (empty or only spaces).
    /// </summary>
    public static string? ToLike(string? pattern)
    {
        if (string.IsNullOrWhiteSpace(pattern)) return null;
        FilteredQuery.RefuseNul("pattern", "pattern", pattern, (field, message, _) => new CacheInputException(field, message));
        var like = new StringBuilder(pattern.Length + 8);
        foreach (var c in pattern)
        {
            like.Append(c switch
            {
                '\\' => @"\\",
                '%' => @"\%",
                '_' => @"\_",
                '*' => "%",
                '?' => "_",
                _ => c.ToString(),
            });
        }
        return like.ToString();
    }
}
