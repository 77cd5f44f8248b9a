using System.Buffers;
using System.Data;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using Dapper;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Npgsql;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Hosting;

namespace Orchestra.Admin.Features.Documents;

/// <summary>
/// The export of a collection's documents with the grid's filters, as NDJSON: <c>GET /documents/{collection}/export</c>.
/// The URL's query parameters (all optional) are the grid's filter and order; <see cref="Url"/> builds it.
/// </summary>
public static class DocumentsExport
{
    public const string ContentType = "application/x-ndjson; charset=utf-8";
    /// <summary>The cap of this export (the most documents it can hold), sent before the body.</summary>
    public const string LimitHeader = "X-Export-Limit";

    /// <summary>The query parameters, as <see cref="Url"/> writes them and the endpoint reads them.</summary>
    public static class Parameters
    {
        public const string Data = "data";
        public const string Metadata = "metadata";
        public const string JsonPath = "jsonpath";
        public const string JsonPathMode = "jsonpathMode";
        public const string Key = "key";
        public const string Id = "id";
        public const string CreatedFrom = "createdFrom";
        public const string CreatedTo = "createdTo";
        public const string UpdatedFrom = "updatedFrom";
        public const string UpdatedTo = "updatedTo";
        public const string Text = "text";
        public const string Sort = "sort";
        public const string Order = "order";

        internal static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            Data, Metadata, JsonPath, JsonPathMode, Key, Id, CreatedFrom, CreatedTo, UpdatedFrom, UpdatedTo, Text, Sort, Order,
        };
    }

    /// <summary>
    /// The export's URL for the grid's current filter and order, relative to the app's base (like the page's own links:
    /// <c>documents/{collection}/export?…</c>), every value escaped. Times in round-trip ("O") form, in UTC. Blank filters
    /// are left out, as the grid ignores them.
    /// </summary>
    public static string Url(string collection, DocumentFilter filter, DocumentSort sort, bool descending)
    {
        ArgumentException.ThrowIfNullOrEmpty(collection);
        ArgumentNullException.ThrowIfNull(filter);
        var query = new List<(string Name, string Value)>();
        void Add(string name, string? value)
        {
            if (value != null) query.Add((name, value));
        }
        static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
        static string? Empty(string? s) => string.IsNullOrEmpty(s) ? null : s;
        static string? Time(DateTimeOffset? t) => t?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

        Add(Parameters.Data, Blank(filter.DataContains));
        Add(Parameters.Metadata, Blank(filter.MetadataContains));
        if (Blank(filter.JsonPath) is { } path)
        {
            Add(Parameters.JsonPath, path);
            Add(Parameters.JsonPathMode, filter.JsonPathMode == JsonPathMode.Exists ? "exists" : "predicate");
        }
        Add(Parameters.Key, Empty(filter.KeyExists));
        Add(Parameters.Id, Blank(filter.Id));
        Add(Parameters.CreatedFrom, Time(filter.CreatedFrom));
        Add(Parameters.CreatedTo, Time(filter.CreatedTo));
        Add(Parameters.UpdatedFrom, Time(filter.UpdatedFrom));
        Add(Parameters.UpdatedTo, Time(filter.UpdatedTo));
        Add(Parameters.Text, Empty(filter.Text));
        Add(Parameters.Sort, sort == DocumentSort.UpdatedAt ? "updated" : "created");
        Add(Parameters.Order, descending ? "desc" : "asc");
        return $"documents/{Uri.EscapeDataString(collection)}/export?"
               + string.Join('&', query.Select(q => q.Name + "=" + Uri.EscapeDataString(q.Value)));
    }

    /// <summary>What the page says about the cap, e.g. "at most 100,000 documents".</summary>
    public static string CapNote(int maxDocuments) =>
        string.Create(CultureInfo.InvariantCulture, $"at most {maxDocuments:N0} document{(maxDocuments == 1 ? "" : "s")}");

    /// <summary>The configured cap (OrchestraAdmin:Documents:ExportMaxDocuments), for the page.</summary>
    public static int MaxDocuments(OrchestraAdminOptions options) => options.Documents.ExportMaxDocuments;

    /// <summary>An export request read from the URL.</summary>
    public sealed record Request(DocumentFilter Filter, DocumentSort Sort, bool Descending);

    /// <summary>
    /// Reads the query parameters; a bad one is a <see cref="FilterInputException"/> whose field is the parameter's name.
    /// Unknown parameters are refused too: a mistyped filter must not silently widen an export.
    /// </summary>
    public static Request Parse(IQueryCollection query)
    {
        foreach (var (name, values) in query)
        {
            if (!Parameters.All.Contains(name))
                throw new FilterInputException(name, $"unknown query parameter (the known ones: {string.Join(", ", Parameters.All.Order(StringComparer.Ordinal))}).");
            if (values.Count > 1)
                throw new FilterInputException(name, $"given {values.Count} times; give it once.");
        }
        string? Get(string name) => query.TryGetValue(name, out var v) ? v.ToString() : null;
        static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
        static string? Empty(string? s) => string.IsNullOrEmpty(s) ? null : s;

        var mode = Get(Parameters.JsonPathMode)?.Trim().ToLowerInvariant() switch
        {
            null or "" or "predicate" => JsonPathMode.Predicate,
            "exists" => JsonPathMode.Exists,
            var other => throw new FilterInputException(Parameters.JsonPathMode, $"must be 'exists' (@?) or 'predicate' (@@), not '{other}'."),
        };
        var sort = Get(Parameters.Sort)?.Trim().ToLowerInvariant() switch
        {
            null or "" or "created" => DocumentSort.CreatedAt,
            "updated" => DocumentSort.UpdatedAt,
            var other => throw new FilterInputException(Parameters.Sort, $"must be 'created' or 'updated', not '{other}'."),
        };
        var descending = Get(Parameters.Order)?.Trim().ToLowerInvariant() switch
        {
            null or "" or "desc" => true,
            "asc" => false,
            var other => throw new FilterInputException(Parameters.Order, $"must be 'desc' or 'asc', not '{other}'."),
        };
        var filter = new DocumentFilter
        {
            DataContains = Blank(Get(Parameters.Data)),
            MetadataContains = Blank(Get(Parameters.Metadata)),
            JsonPath = Blank(Get(Parameters.JsonPath)),
            JsonPathMode = mode,
            KeyExists = Empty(Get(Parameters.Key)),
            Id = Blank(Get(Parameters.Id)),
            CreatedFrom = Time(Parameters.CreatedFrom, Get(Parameters.CreatedFrom)),
            CreatedTo = Time(Parameters.CreatedTo, Get(Parameters.CreatedTo)),
            UpdatedFrom = Time(Parameters.UpdatedFrom, Get(Parameters.UpdatedFrom)),
            UpdatedTo = Time(Parameters.UpdatedTo, Get(Parameters.UpdatedTo)),
            Text = Empty(Get(Parameters.Text)),
        };
        return new Request(filter, sort, descending);
    }

    private static readonly string[] TimeFormats =
    [
        "O",
        "yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFFK",
        "yyyy'-'MM'-'dd'T'HH':'mm':'ssK",
        "yyyy'-'MM'-'dd'T'HH':'mmK",
        "yyyy'-'MM'-'dd",
    ];

    /// <summary>ISO 8601: the round-trip form <see cref="Url"/> writes, or a shorter one; without an offset, UTC.</summary>
    private static DateTimeOffset? Time(string name, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (DateTimeOffset.TryParseExact(value.Trim(), TimeFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var t))
            return t;
        throw new FilterInputException(name,
            $"expected an ISO 8601 time such as 2024-05-01T00:00:00.0000000Z (round-trip \"O\" form; without an offset it is UTC), not '{value}'.");
    }

    /// <summary>
    /// The download's file name: the collection (characters other than letters, digits, '.', '_' and '-' as '_', at most
    /// 100) and the UTC time, e.g. <c>events-20250101T120000Z.ndjson</c>.
    /// </summary>
    public static string FileName(string collection, DateTimeOffset now)
    {
        var safe = new StringBuilder(Math.Min(collection.Length, 100));
        foreach (var c in collection.Take(100))
            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_');
        var name = safe.ToString().Trim('.');
        if (name.Length == 0) name = "documents";
        return $"{name}-{now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}.ndjson";
    }
}

/// <summary>
/// Runs an export: the statement the grid runs (the same filters, checked the same way, in the same order) with one
/// JSON line per row, read from an <see cref="NpgsqlDataReader"/> one row at a time and written straight to the output.
/// Under its own, larger statement timeout (OrchestraAdmin:Documents:ExportTimeoutSeconds) and capped at
/// OrchestraAdmin:Documents:ExportMaxDocuments documents.
/// </summary>
public sealed class DocumentsExporter(
    PostgresQueryRunner queries,
    NpgsqlDataSource dataSource,
    IOptions<OrchestraAdminOptions> options,
    ILogger<DocumentsExporter> logger)
{
    internal const string QueryName = "documents/export";
    /// <summary>The output is flushed (sent on) whenever this much is waiting: the rows are never gathered up.</summary>
    internal const int FlushBytes = 32 * 1024;

    public int MaxDocuments => options.Value.Documents.ExportMaxDocuments;
    public TimeSpan Timeout => TimeSpan.FromSeconds(options.Value.Documents.ExportTimeoutSeconds);

    /// <summary>
    /// Checks the filters (<see cref="FilterInputException"/>), starts the statement and reads its first row, so that an
    /// error PostgreSQL raises on the filter (<see cref="FilterInputException"/>), a timeout before the first row
    /// (<see cref="QueryTimeoutException"/>) or a connection failure surface before anything is written.
    /// </summary>
    public async Task<DocumentsExportRun> StartAsync(string collection, DocumentFilter filter, DocumentSort sort, bool descending, CancellationToken ct = default)
    {
        var query = await new DocumentsService(queries).BuildExportAsync(collection, filter, sort, descending, MaxDocuments, ct);
        var started = Stopwatch.GetTimestamp();
        NpgsqlConnection? conn = null;
        NpgsqlTransaction? tx = null;
        NpgsqlCommand? command = null;
        NpgsqlDataReader? reader = null;
        try
        {
            conn = await dataSource.OpenConnectionAsync(ct);
            tx = await conn.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
            var ms = ((long)Timeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
            // SET LOCAL: both end with the transaction, nothing leaks into the pool. UTC: the timestamps in the lines.
            await using (var set = new NpgsqlCommand($"SET LOCAL statement_timeout = {ms}; SET LOCAL TimeZone = 'UTC'", conn, tx))
                await set.ExecuteNonQueryAsync(ct);
            // Our own command rather than Dapper's reader: an export stopped early is cancelled on the server, not drained.
            // The client-side timeout is a backstop a little beyond the server's.
            command = new NpgsqlCommand(query.Sql, conn, tx) { CommandTimeout = (int)Math.Ceiling(Timeout.TotalSeconds) + 5 };
            foreach (var name in query.Parameters.ParameterNames)
                command.Parameters.Add(new NpgsqlParameter(name, query.Parameters.Get<object?>(name) ?? DBNull.Value));
            reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct);
            var first = await reader.ReadAsync(ct);
            return new DocumentsExportRun(conn, tx, command, reader, first, MaxDocuments, Timeout, started, logger);
        }
        catch (Exception e)
        {
            await DocumentsExportRun.CloseAsync(conn, tx, command, reader, cancel: reader != null);
            switch (e)
            {
                case PostgresException pg when pg.SqlState == PostgresErrorCodes.QueryCanceled && !ct.IsCancellationRequested:
                    logger.LogWarning("Query {QueryName} timed out after {TimeoutMs} ms", QueryName, Timeout.TotalMilliseconds);
                    throw new QueryTimeoutException(QueryName, Timeout, pg);
                case PostgresException pg when pg.SqlState.StartsWith("22", StringComparison.Ordinal):
                    // As for the page: a data error can only come from the JSON filters here.
                    throw DocumentsService.Rejected(query.Filter, pg);
                case OperationCanceledException:
                    throw;
                default:
                    logger.LogWarning("Query {QueryName} failed after {ElapsedMs:0.0} ms: {Error}", QueryName, Stopwatch.GetElapsedTime(started).TotalMilliseconds, PostgresQueryRunner.LoggableError(e));
                    throw;
            }
        }
    }
}

/// <summary>A started export: its connection, transaction, command and reader, positioned on the first row (if any).</summary>
public sealed class DocumentsExportRun : IAsyncDisposable
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();

    private readonly NpgsqlConnection conn;
    private readonly NpgsqlTransaction tx;
    private readonly NpgsqlCommand command;
    private readonly NpgsqlDataReader reader;
    private readonly TimeSpan timeout;
    private readonly long started;
    private readonly ILogger logger;
    private bool hasRow;
    private bool written;
    private bool completed;

    internal DocumentsExportRun(NpgsqlConnection conn, NpgsqlTransaction tx, NpgsqlCommand command, NpgsqlDataReader reader, bool hasRow,
        int maxDocuments, TimeSpan timeout, long started, ILogger logger)
    {
        (this.conn, this.tx, this.command, this.reader, this.hasRow) = (conn, tx, command, reader, hasRow);
        (MaxDocuments, this.timeout, this.started, this.logger) = (maxDocuments, timeout, started, logger);
    }

    /// <summary>The cap the statement ran with (its LIMIT).</summary>
    public int MaxDocuments { get; }

    /// <summary>Rows read from PostgreSQL so far (each one already handed to the output).</summary>
    public long RowsRead { get; private set; }

    /// <summary>
    /// Writes one line per row to <paramref name="output"/>, each row read only after the previous one was written, and
    /// flushes every <see cref="DocumentsExporter.FlushBytes"/> (the flush waits while the client is slower than the
    /// database: back-pressure, not buffering). Returns the number of documents written. Stops early, without an
    /// error, if the output's reader is gone. <paramref name="afterFlush"/> (tests) is called after each flush with
    /// the rows written so far.
    /// </summary>
    public async Task<long> WriteAsync(PipeWriter output, CancellationToken ct = default, Action<long>? afterFlush = null)
    {
        if (written) throw new InvalidOperationException("An export is written once.");
        written = true;
        long pending = 0;
        try
        {
            while (hasRow)
            {
                var line = reader.GetString(0);
                RowsRead++;
                pending += Encoding.UTF8.GetBytes(line.AsSpan(), output);
                output.Write(NewLine);
                pending++;
                if (pending >= DocumentsExporter.FlushBytes)
                {
                    pending = 0;
                    var flushed = await output.FlushAsync(ct);
                    afterFlush?.Invoke(RowsRead);
                    if (flushed.IsCompleted || flushed.IsCanceled)
                    {
                        logger.LogInformation("Query {QueryName}: the client stopped reading after {Rows} document(s)", DocumentsExporter.QueryName, RowsRead);
                        return RowsRead;
                    }
                }
                hasRow = await reader.ReadAsync(ct);
            }
            await output.FlushAsync(ct);
            afterFlush?.Invoke(RowsRead);
            await reader.DisposeAsync();
            await tx.CommitAsync(ct);
            completed = true;
            logger.LogInformation("Query {QueryName}: {Rows} document(s) exported in {ElapsedMs:0.0} ms (cap {Cap})",
                DocumentsExporter.QueryName, RowsRead, Stopwatch.GetElapsedTime(started).TotalMilliseconds, MaxDocuments);
            return RowsRead;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.QueryCanceled && !ct.IsCancellationRequested)
        {
            logger.LogWarning("Query {QueryName} timed out after {TimeoutMs} ms, {Rows} document(s) written", DocumentsExporter.QueryName, timeout.TotalMilliseconds, RowsRead);
            throw new QueryTimeoutException(DocumentsExporter.QueryName, timeout, e);
        }
    }

    /// <summary>Ends the export. One stopped before its last row is cancelled on the server (disposing the reader would read every remaining row).</summary>
    public ValueTask DisposeAsync() => CloseAsync(conn, tx, command, reader, cancel: !completed);

    internal static async ValueTask CloseAsync(NpgsqlConnection? conn, NpgsqlTransaction? tx, NpgsqlCommand? command, NpgsqlDataReader? reader, bool cancel)
    {
        if (cancel && reader is { IsClosed: false })
        {
            try { command?.Cancel(); } catch (Exception) { /* the statement may have ended meanwhile */ }
        }
        try { if (reader != null) await reader.DisposeAsync(); } catch (Exception) { /* the cancellation's error, or a broken connection */ }
        try { if (tx != null) await tx.DisposeAsync(); } catch (Exception) { /* rolled back with the connection */ }
        if (command != null) await command.DisposeAsync();
        if (conn != null) await conn.DisposeAsync();
    }
}

/// <summary>Maps <c>GET /documents/{collection}/export</c> (signed-in users, by the fallback policy, as every endpoint).</summary>
public static class DocumentsExportEndpoint
{
    public const string Pattern = "/documents/{collection}/export";

    public static IEndpointRouteBuilder MapDocumentsExport(this IEndpointRouteBuilder app)
    {
        app.MapGet(Pattern, ExportAsync).WithName("DocumentsExport");
        return app;
    }

    private static async Task ExportAsync(HttpContext http, PostgresQueryRunner queries, NpgsqlDataSource dataSource,
        IOptions<OrchestraAdminOptions> options, ILogger<DocumentsExporter> logger, TimeProvider clock)
    {
        var collection = Collection(http);
        var exporter = new DocumentsExporter(queries, dataSource, options, logger);
        var ct = http.RequestAborted;
        DocumentsExportRun run;
        try
        {
            var request = DocumentsExport.Parse(http.Request.Query);
            run = await exporter.StartAsync(collection, request.Filter, request.Sort, request.Descending, ct);
        }
        catch (FilterInputException e)
        {
            await PlainAsync(http, StatusCodes.Status400BadRequest, $"{ParameterOf(e.Field)}: {e.Message}");
            return;
        }
        catch (QueryTimeoutException e)
        {
            await PlainAsync(http, StatusCodes.Status503ServiceUnavailable, e.QueryName == DocumentsExporter.QueryName
                ? $"The export found no first document within its time limit ({e.Timeout.TotalSeconds:0} s, OrchestraAdmin:Documents:ExportTimeoutSeconds): narrow the filter."
                : $"PostgreSQL did not answer within {e.Timeout.TotalSeconds:0} s ({e.QueryName}): try again.");
            return;
        }
        catch (NpgsqlException e)
        {
            await PlainAsync(http, StatusCodes.Status503ServiceUnavailable, $"PostgreSQL could not run the export: {e.Message}");
            return;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return; // the client went away before the first document
        }

        await using (run)
        {
            var response = http.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = DocumentsExport.ContentType;
            response.Headers.ContentDisposition = $"attachment; filename=\"{DocumentsExport.FileName(collection, clock.GetUtcNow())}\"";
            response.Headers[DocumentsExport.LimitHeader] = run.MaxDocuments.ToString(CultureInfo.InvariantCulture);
            response.Headers.CacheControl = "no-store";
            response.Headers.XContentTypeOptions = "nosniff";
            // Kestrel would otherwise hold the first bytes back until its buffer fills.
            http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            await response.StartAsync(ct);
            try
            {
                await run.WriteAsync(response.BodyWriter, ct);
            }
            catch (Exception e) when (ct.IsCancellationRequested)
            {
                // The client went away: the statement is cancelled when the run is disposed.
                logger.LogInformation("Export cancelled by the client after {Rows} document(s) ({Error})", run.RowsRead, e.GetType().Name);
            }
            catch (Exception e)
            {
                // The status line went out long ago: cut the connection so the download fails visibly rather than
                // ending as if the file were complete.
                logger.LogWarning("Export of a collection broke off after {Rows} document(s): {Error}", run.RowsRead, e.Message);
                http.Abort();
            }
        }
    }

    /// <summary>
    /// The collection, decoded from the request's raw path when it has one: a name with '/' arrives as %2F, which the
    /// server leaves encoded in the route value.
    /// </summary>
    internal static string Collection(HttpContext http)
    {
        var raw = http.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (!string.IsNullOrEmpty(raw))
        {
            var path = raw.Split('?', 2)[0];
            var segments = path.Split('/');
            if (segments.Length >= 3 && segments[^1] == "export" && segments[^3] == "documents")
                return Uri.UnescapeDataString(segments[^2]);
        }
        return http.GetRouteValue("collection") as string ?? "";
    }

    /// <summary>The query parameter a filter error belongs to (the service names the filter's field).</summary>
    internal static string ParameterOf(string field) => field switch
    {
        "dataContains" => DocumentsExport.Parameters.Data,
        "metadataContains" => DocumentsExport.Parameters.Metadata,
        "jsonPath" => DocumentsExport.Parameters.JsonPath,
        "keyExists" => DocumentsExport.Parameters.Key,
        "created" => "createdFrom/createdTo",
        "updated" => "updatedFrom/updatedTo",
        _ => field,
    };

    private static Task PlainAsync(HttpContext http, int status, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/plain; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        return http.Response.WriteAsync(message + "\n", http.RequestAborted);
    }
}
