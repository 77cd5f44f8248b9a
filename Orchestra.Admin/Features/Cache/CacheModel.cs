using Orchestra.Admin.Security;

namespace Orchestra.Admin.Features.Cache;

/// <summary>
/// A cache table found in the catalog by its shape (key text, value jsonb, expires_at timestamptz).
/// <see cref="Qualified"/> is the name as PostgreSQL quoted it (format('%I.%I')): the only form that goes into SQL.
/// </summary>
public sealed record CacheTable(
    string Schema,
    string Name,
    string Qualified,
    long EstimatedRows,
    long TotalBytes,
    bool ExpiresNotNull,
    bool HasAccessCount,
    bool HasAccessedAt,
    bool HasCreatedAt,
    bool CanSelect)
{
    /// <summary>schema.name as people read it (and as the page's URL names it).</summary>
    public string Display => $"{Schema}.{Name}";
}

/// <summary>Entries by time left: expired but not purged, under 1 h, 1–24 h, over 24 h.</summary>
public sealed record ExpiryHistogram(long Expired, long UnderOneHour, long OneToTwentyFourHours, long OverTwentyFourHours);

/// <param name="IsEstimate">The table is large: the counts are a sample scaled to the planner's row estimate (shown with ≈), sizes and access counts are the sample's.</param>
/// <param name="Error">The statistics could not be read (e.g. no SELECT privilege, a timeout); the rest of the list still shows.</param>
public sealed record CacheTableSummary(
    CacheTable Table,
    long Live,
    long Expired,
    bool IsEstimate,
    ExpiryHistogram? Histogram,
    double? AverageBytes,
    long? LargestBytes,
    double? MeanAccessCount,
    long? MaxAccessCount,
    string? Error = null);

public enum CacheKeySort { Key, Expiry, Size, AccessCount }

public enum CacheKeyState { All, Live, Expired }

/// <param name="Pattern">Redis-style: <c>*</c> any run of characters, <c>?</c> one character; everything else literal (so <c>100%_done</c> is a literal).</param>
public sealed record CacheKeyFilter(string? Pattern = null, CacheKeyState State = CacheKeyState.All);

/// <summary>A keyset position: the sort key's value (a number or a time, as text for the URL-free pager) and the key of the page's last row.</summary>
public sealed record CacheKeyCursor(string Key, DateTimeOffset? At = null, long? Number = null);

public sealed record CacheKeyPageRequest(
    string Table,
    CacheKeyFilter Filter,
    CacheKeySort Sort = CacheKeySort.Key,
    bool Descending = false,
    int PageSize = 50,
    CacheKeyCursor? After = null);

public sealed record CacheKeyRow(string Key, DateTimeOffset ExpiresAt, int SizeBytes, long? AccessCount, DateTimeOffset? AccessedAt, DateTimeOffset? CreatedAt);

/// <param name="Next">The cursor to the next page; null on the last page.</param>
public sealed record CacheKeyPage(CacheTable Table, IReadOnlyList<CacheKeyRow> Rows, CacheKeyCursor? Next, DateTimeOffset ServerNow);

/// <param name="ServerNow">PostgreSQL's now() when read: TTL remaining = ExpiresAt - ServerNow (no clock skew with the browser).</param>
public sealed record CacheEntryDetail(
    CacheTable Table,
    string Key,
    string Value,
    DateTimeOffset ExpiresAt,
    DateTimeOffset ServerNow,
    int SizeBytes,
    long? AccessCount,
    DateTimeOffset? AccessedAt,
    DateTimeOffset? CreatedAt)
{
    public TimeSpan TtlRemaining => ExpiresAt - ServerNow;
    public bool IsExpired => ExpiresAt <= ServerNow;
}

public sealed record CacheTopKey(string Key, DateTimeOffset ExpiresAt, int SizeBytes, long? AccessCount);

public sealed record CachePrefixCount(string Prefix, long Entries, long TotalBytes);

/// <param name="FromSample">The table is large: the lists and counts come from a TABLESAMPLE (counts scaled, shown with ≈).</param>
public sealed record CacheInsights(IReadOnlyList<CacheTopKey> Largest, IReadOnlyList<CacheTopKey> Hottest, IReadOnlyList<CachePrefixCount> Prefixes, bool FromSample, double SamplePercent);

/// <summary>Input the key browser cannot use: which field, and what is wrong.</summary>
/// <remarks>Fields: "table", "pattern", "sort", "pageSize", "key", "ttl".</remarks>
public sealed class CacheInputException(string field, string message) : FieldInputException(field, message);

public interface ICacheService
{
    /// <summary>Every cache table of the database, from the catalog (no table is read).</summary>
    Task<IReadOnlyList<CacheTable>> TablesAsync(CancellationToken ct = default);

    /// <summary>Every cache table with its figures: exact on small tables, from a sample (≈) above <see cref="CacheService.SmallTableRows"/>.</summary>
    Task<IReadOnlyList<CacheTableSummary>> SummariesAsync(CancellationToken ct = default);

    /// <summary>One table by its display name (schema.name); <see cref="CacheInputException"/> ("table") when no cache table has that name.</summary>
    Task<CacheTable> TableAsync(string display, CancellationToken ct = default);

    Task<CacheTableSummary> SummaryAsync(CacheTable table, CancellationToken ct = default);

    Task<CacheKeyPage> PageAsync(CacheKeyPageRequest request, CancellationToken ct = default);

    Task<CacheEntryDetail?> GetAsync(string table, string key, CancellationToken ct = default);

    Task<CacheInsights> InsightsAsync(CacheTable table, CancellationToken ct = default);
}

public enum CacheActionStatus { Done, NotFound, Conflict, Locked, TooMany }

/// <param name="AuditId">The audit row (the last batch's for a purge).</param>
public sealed record CacheActionOutcome(CacheActionStatus Status, string Message, long RowsAffected = 0, long? AuditId = null, DateTimeOffset? ExpiresAt = null);

/// <summary>How far a purge got: rows deleted so far, batches done, and the expired rows it expected (≈ on a large table).</summary>
public sealed record PurgeProgress(long Deleted, int Batches, long Expected);

/// <summary>The cache's operator actions, each audited with the previous values (deleted rows kept whole in the audit log).</summary>
public interface ICacheEditor
{
    Task<CacheActionOutcome> DeleteKeyAsync(string table, string key, CancellationToken ct = default);

    /// <summary>Sets the entry's expiry to now + <paramref name="ttl"/>, only if it still expires at <paramref name="expectedExpiresAt"/> (as shown).</summary>
    Task<CacheActionOutcome> SetTtlAsync(string table, string key, TimeSpan ttl, DateTimeOffset expectedExpiresAt, CancellationToken ct = default);

    /// <summary>Deletes the entries expired when it starts, in batches (each its own transaction and audit row), reporting progress; cancel stops between batches.</summary>
    Task<CacheActionOutcome> PurgeExpiredAsync(string table, IProgress<PurgeProgress>? progress = null, CancellationToken ct = default);

    /// <summary>The dry run: keys matching the Redis-style pattern, counted up to the maximum + 1.</summary>
    Task<long> CountMatchingAsync(string table, string pattern, CancellationToken ct = default);

    /// <summary>Deletes the keys matching the pattern; refused (nothing deleted) when more than the configured maximum match.</summary>
    Task<CacheActionOutcome> DeleteMatchingAsync(string table, string pattern, CancellationToken ct = default);
}

/// <summary>OrchestraAdmin:Cache settings.</summary>
public sealed class CacheOptions
{
    /// <summary>"Delete keys matching" refuses a pattern that matches more keys than this.</summary>
    public int MaxPatternDeleteKeys { get; set; } = 10_000;
    /// <summary>Rows per purge batch (each batch its own short transaction).</summary>
    public int PurgeBatchSize { get; set; } = 1_000;
}
