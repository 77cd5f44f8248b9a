using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Npgsql;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Hosting;
using Orchestra.Admin.Security;

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
/// JSON line per row, read one row at a time through <see cref="PostgresQueryRunner.OpenStreamAsync"/> and written
/// straight to the output. On the exports' own connection pool (<see cref="PostgresDataSources.Exports"/>), under its own, larger statement
/// timeout (OrchestraAdmin:Documents:ExportTimeoutSeconds) and capped at OrchestraAdmin:Documents:ExportMaxDocuments
/// documents.
/// </summary>
public sealed class DocumentsExporter(
    PostgresQueryRunner queries,
    NpgsqlDataSource pool,
    IOptions<OrchestraAdminOptions> options,
    ILogger<DocumentsExporter> logger)
{
    internal const string QueryName = "documents/export";
    /// <summary>The output is flushed (sent on) whenever this much is waiting: the rows are never gathered up.</summary>
    internal const int FlushBytes = 32 * 1024;

    public int MaxDocuments => options.Value.Documents.ExportMaxDocuments;
    public TimeSpan Timeout => TimeSpan.FromSeconds(options.Value.Documents.ExportTimeoutSeconds);
    public TimeSpan WriteTimeout => TimeSpan.FromSeconds(options.Value.Documents.ExportWriteTimeoutSeconds);

    /// <summary>
    /// Checks the filters (<see cref="FilterInputException"/>), starts the statement and reads its first row, so that an
    /// error PostgreSQL raises on the filter (<see cref="FilterInputException"/>), a timeout before the first row
    /// (<see cref="QueryTimeoutException"/>) or a connection failure surface before anything is written.
    /// </summary>
    public async Task<DocumentsExportRun> StartAsync(string collection, DocumentFilter filter, DocumentSort sort, bool descending, CancellationToken ct = default)
    {
        var query = await new DocumentsService(queries).BuildExportAsync(collection, filter, sort, descending, MaxDocuments, ct);
        var started = Stopwatch.GetTimestamp();
        StreamingQuery? stream = null;
        try
        {
            stream = await queries.OpenStreamAsync(pool, QueryName, query.Sql, query.Parameters, Timeout, ct);
            var first = await stream.ReadAsync(ct);
            return new DocumentsExportRun(stream, first, MaxDocuments, WriteTimeout, started, logger);
        }
        catch (Exception e)
        {
            if (stream != null) await stream.DisposeAsync();
            // As for the page: a data error can only come from the JSON filters here.
            if (e is PostgresException pg && pg.SqlState.StartsWith("22", StringComparison.Ordinal)) throw DocumentsService.Rejected(query.Filter, pg);
            throw;
        }
    }
}

/// <summary>The client read nothing of an export for <see cref="DocumentsExporter.WriteTimeout"/>: the export was ended.</summary>
public sealed class ExportWriteTimeoutException(TimeSpan timeout)
    : Exception($"the client read nothing for {timeout.TotalSeconds:0.#} s");

/// <summary>A started export: its statement, positioned on the first row (if any).</summary>
public sealed class DocumentsExportRun : IAsyncDisposable
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();

    private readonly StreamingQuery stream;
    private readonly TimeSpan writeTimeout;
    private readonly long started;
    private readonly ILogger logger;
    private bool hasRow;
    private bool written;

    internal DocumentsExportRun(StreamingQuery stream, bool hasRow, int maxDocuments, TimeSpan writeTimeout, long started, ILogger logger)
    {
        (this.stream, this.hasRow, MaxDocuments, this.writeTimeout, this.started, this.logger) = (stream, hasRow, maxDocuments, writeTimeout, started, logger);
    }

    /// <summary>The cap the statement ran with (its LIMIT).</summary>
    public int MaxDocuments { get; }

    /// <summary>Rows read from PostgreSQL so far (each one already handed to the output).</summary>
    public long RowsRead { get; private set; }

    /// <summary>Every row was written and the statement ended.</summary>
    public bool Completed { get; private set; }

    /// <summary>
    /// Writes one line per row to <paramref name="output"/>, each row read only after the previous one was written, and
    /// flushes every <see cref="DocumentsExporter.FlushBytes"/> (the flush waits while the client is slower than the
    /// database: back-pressure, not buffering). Returns the number of documents written. Stops early, without an
    /// error and not <see cref="Completed"/>, if the output's reader is gone. A flush that waits longer than the write
    /// timeout (the client stopped reading) ends it with <see cref="ExportWriteTimeoutException"/>.
    /// <paramref name="afterFlush"/> (tests) is called after each flush with the rows written so far.
    /// </summary>
    public async Task<long> WriteAsync(PipeWriter output, CancellationToken ct = default, Action<long>? afterFlush = null)
    {
        if (written) throw new InvalidOperationException("An export is written once.");
        written = true;
        long pending = 0;
        while (hasRow)
        {
            var line = stream.Row.GetString(0);
            RowsRead++;
            pending += Encoding.UTF8.GetBytes(line.AsSpan(), output);
            output.Write(NewLine);
            pending++;
            if (pending >= DocumentsExporter.FlushBytes)
            {
                pending = 0;
                var flushed = await FlushAsync(output, ct);
                afterFlush?.Invoke(RowsRead);
                if (flushed.IsCompleted || flushed.IsCanceled)
                {
                    logger.LogInformation("Query {QueryName}: the client stopped reading after {Rows} document(s)", DocumentsExporter.QueryName, RowsRead);
                    return RowsRead;
                }
            }
            hasRow = await stream.ReadAsync(ct);
        }
        await FlushAsync(output, ct);
        afterFlush?.Invoke(RowsRead);
        await stream.CompleteAsync(ct);
        Completed = true;
        logger.LogInformation("Query {QueryName}: {Rows} document(s) exported in {ElapsedMs:0.0} ms (cap {Cap})",
            DocumentsExporter.QueryName, RowsRead, Stopwatch.GetElapsedTime(started).TotalMilliseconds, MaxDocuments);
        return RowsRead;
    }

    private async Task<FlushResult> FlushAsync(PipeWriter output, CancellationToken ct)
    {
        // The timer on its own: Kestrel aborts the connection when a flush is cancelled, which cancels ct too, so ct
        // cannot tell a stalled client from one that went away.
        using var timer = new CancellationTokenSource(writeTimeout);
        using var stalled = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
        try
        {
            return await output.FlushAsync(stalled.Token);
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested)
        {
            throw new ExportWriteTimeoutException(writeTimeout);
        }
    }

    /// <summary>Ends the export: one stopped before its last row is cancelled on the server; the connection goes back to the pool.</summary>
    public ValueTask DisposeAsync() => stream.DisposeAsync();
}

/// <summary>
/// How many exports run at once: at most OrchestraAdmin:Documents:ExportMaxConcurrent in all (the size of the exports'
/// own pool, so an admitted export never waits for a connection) and ExportMaxConcurrentPerUser per user. Beyond either,
/// an export is refused at once with a Retry-After rather than queued: a queued download would hold its HTTP connection
/// and wait for minutes. Counted per app instance.
/// </summary>
public sealed class DocumentsExportSlots(IOptions<OrchestraAdminOptions> options)
{
    /// <summary>What a refusal suggests (Retry-After): an export cannot say when it will end.</summary>
    public const int RetryAfterSeconds = 10;

    private readonly object gate = new();
    private readonly Dictionary<string, int> perUser = new(StringComparer.OrdinalIgnoreCase);
    private int running;

    /// <summary>A refused export: the HTTP status (429 for the user's own limit, 503 for the dashboard's) and why.</summary>
    public sealed record Refusal(int StatusCode, string Message);

    /// <summary>A slot for <paramref name="user"/>'s export, released by disposing it; null (and why) when a limit is reached.</summary>
    public IDisposable? TryTake(string user, out Refusal? refusal)
    {
        var limits = options.Value.Documents;
        lock (gate)
        {
            var mine = perUser.GetValueOrDefault(user);
            if (mine >= limits.ExportMaxConcurrentPerUser)
            {
                refusal = new Refusal(StatusCodes.Status429TooManyRequests,
                    $"You have {mine} exports running, the most one user may run at once (OrchestraAdmin:Documents:ExportMaxConcurrentPerUser): try again when one has finished.");
                return null;
            }
            if (running >= limits.ExportMaxConcurrent)
            {
                refusal = new Refusal(StatusCodes.Status503ServiceUnavailable,
                    $"{running} exports are running, the most the dashboard runs at once (OrchestraAdmin:Documents:ExportMaxConcurrent): try again in a moment.");
                return null;
            }
            perUser[user] = mine + 1;
            running++;
        }
        refusal = null;
        return new Slot(this, user);
    }

    /// <summary>Exports running now (all users).</summary>
    public int Running
    {
        get { lock (gate) return running; }
    }

    private void Release(string user)
    {
        lock (gate)
        {
            running--;
            if (--perUser[user] == 0) perUser.Remove(user);
        }
    }

    private sealed class Slot(DocumentsExportSlots slots, string user) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0) slots.Release(user);
        }
    }
}

/// <summary>
/// Maps <c>GET /documents/{collection}/export</c> (signed-in users, by the fallback policy, as every endpoint). Each
/// request is one audit entry (a read: Viewers may export): who, from where, the collection and the query as asked,
/// the documents written, and whether it completed, was cut, failed or was refused.
/// </summary>
public static class DocumentsExportEndpoint
{
    public const string Pattern = "/documents/{collection}/export";
    public const string AuditAction = "documents.export";

    public static IEndpointRouteBuilder MapDocumentsExport(this IEndpointRouteBuilder app)
    {
        app.MapGet(Pattern, ExportAsync).WithName("DocumentsExport");
        return app;
    }

    /// <summary>How an export ended, for its audit entry.</summary>
    private sealed record Outcome(bool Completed, long? Rows, string? Error);

    private static async Task ExportAsync(HttpContext http, PostgresQueryRunner queries,
        [FromKeyedServices(PostgresDataSources.Exports)] NpgsqlDataSource pool, DocumentsExportSlots slots, AuditLog audit,
        IOptions<OrchestraAdminOptions> options, ILogger<DocumentsExporter> logger, TimeProvider clock)
    {
        var collection = Collection(http);
        var entry = new AuditEntry(AuditAction, http.User.Identity?.Name ?? "", http.User.FindFirstValue(ClaimTypes.Role) ?? AdminRoles.Viewer,
            http.Connection.RemoteIpAddress, Succeeded: false, DocumentEditor.TargetTable, [collection],
            new { collection, query = http.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString()) });
        Outcome? outcome = null;
        try
        {
            outcome = await RunAsync(http, collection, entry.Actor, new DocumentsExporter(queries, pool, options, logger), slots, logger, clock);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            outcome = new Outcome(false, null, "the client went away");
        }
        finally
        {
            outcome ??= new Outcome(false, null, "failed: an unexpected error (the app's log has it)");
            await audit.TryWriteAsync(entry with { Succeeded = outcome.Completed, RowsAffected = outcome.Rows, Error = outcome.Error }, CancellationToken.None);
        }
    }

    private static async Task<Outcome> RunAsync(HttpContext http, string collection, string user, DocumentsExporter exporter,
        DocumentsExportSlots slots, ILogger logger, TimeProvider clock)
    {
        var ct = http.RequestAborted;
        DocumentsExport.Request request;
        try
        {
            request = DocumentsExport.Parse(http.Request.Query);
        }
        catch (FilterInputException e)
        {
            return await RefuseAsync(http, StatusCodes.Status400BadRequest, $"{ParameterOf(e.Field)}: {e.Message}");
        }

        // Released after the run below is disposed, so the exports' pool always has a connection for an admitted export.
        using var slot = slots.TryTake(user, out var refusal);
        if (slot == null)
        {
            http.Response.Headers.RetryAfter = DocumentsExportSlots.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return await RefuseAsync(http, refusal!.StatusCode, refusal.Message);
        }

        DocumentsExportRun run;
        try
        {
            run = await exporter.StartAsync(collection, request.Filter, request.Sort, request.Descending, ct);
        }
        catch (FilterInputException e)
        {
            return await RefuseAsync(http, StatusCodes.Status400BadRequest, $"{ParameterOf(e.Field)}: {e.Message}");
        }
        catch (QueryTimeoutException e)
        {
            var message = e.QueryName == DocumentsExporter.QueryName
                ? $"The export found no first document within its time limit ({e.Timeout.TotalSeconds:0} s, OrchestraAdmin:Documents:ExportTimeoutSeconds): narrow the filter."
                : $"PostgreSQL did not answer within {e.Timeout.TotalSeconds:0} s ({e.QueryName}): try again.";
            await PlainAsync(http, StatusCodes.Status503ServiceUnavailable, message);
            return new Outcome(false, 0, "failed: " + message);
        }
        catch (NpgsqlException e)
        {
            var message = $"PostgreSQL could not run the export: {e.Message}";
            await PlainAsync(http, StatusCodes.Status503ServiceUnavailable, message);
            return new Outcome(false, 0, "failed: " + message);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return new Outcome(false, 0, "the client went away before the first document");
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
            // The export's write timeout decides when a client that stopped reading is cut (and says so in the audit
            // log); Kestrel's own minimum response rate (240 B/s after 5 s) would otherwise race it and end the export
            // as if the client had gone away.
            if (http.Features.Get<Microsoft.AspNetCore.Server.Kestrel.Core.Features.IHttpMinResponseDataRateFeature>() is { } minRate) minRate.MinDataRate = null;
            try
            {
                await response.StartAsync(ct);
                await run.WriteAsync(response.BodyWriter, ct);
                return run.Completed
                    ? new Outcome(true, run.RowsRead, null)
                    : new Outcome(false, run.RowsRead, WentAway(run.RowsRead));
            }
            catch (ExportWriteTimeoutException e)
            {
                logger.LogWarning("Export cut after {Rows} document(s): {Error}", run.RowsRead, e.Message);
                http.Abort();
                return new Outcome(false, run.RowsRead,
                    string.Create(CultureInfo.InvariantCulture, $"cut: {e.Message} (OrchestraAdmin:Documents:ExportWriteTimeoutSeconds), after {run.RowsRead:N0} document(s)"));
            }
            catch (Exception e) when (ct.IsCancellationRequested)
            {
                // The client went away: the statement is cancelled when the run is disposed.
                logger.LogInformation("Export cancelled by the client after {Rows} document(s) ({Error})", run.RowsRead, e.GetType().Name);
                return new Outcome(false, run.RowsRead, WentAway(run.RowsRead));
            }
            catch (Exception e)
            {
                // The status line went out long ago: cut the connection so the download fails visibly rather than
                // ending as if the file were complete.
                logger.LogWarning("Export of a collection broke off after {Rows} document(s): {Error}", run.RowsRead, e.Message);
                http.Abort();
                var why = e is QueryTimeoutException t
                    ? $"ran past its time limit ({t.Timeout.TotalSeconds:0} s, OrchestraAdmin:Documents:ExportTimeoutSeconds)"
                    : e.Message;
                return new Outcome(false, run.RowsRead, string.Create(CultureInfo.InvariantCulture, $"cut: {why}, after {run.RowsRead:N0} document(s)"));
            }
        }
    }

    private static string WentAway(long rows) => string.Create(CultureInfo.InvariantCulture, $"the client went away after {rows:N0} document(s)");

    private static async Task<Outcome> RefuseAsync(HttpContext http, int status, string message)
    {
        await PlainAsync(http, status, message);
        return new Outcome(false, null, "refused: " + message);
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
