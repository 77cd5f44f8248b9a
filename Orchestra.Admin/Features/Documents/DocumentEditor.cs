using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Hosting;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.Features.Documents;

public enum EditStatus
{
    /// <summary>Written: the new data and <see cref="EditOutcome.UpdatedAt"/>; the previous row is in the audit log.</summary>
    Saved,
    /// <summary>The document changed after the editor loaded it: nothing was written (<see cref="EditOutcome.ChangedBy"/>/<see cref="EditOutcome.ChangedAt"/> say who and when).</summary>
    Conflict,
    /// <summary>The document no longer exists: nothing was written.</summary>
    NotFound,
    /// <summary>Another transaction held the document's row lock for longer than the lock timeout: nothing was written.</summary>
    Locked,
}

/// <summary>What <see cref="IDocumentEditor.UpdateAsync"/> did, with a message an operator can read as it is.</summary>
/// <param name="UpdatedAt">Saved: the document's new updated_at (the version to send with the next edit). Conflict: its current updated_at (null when NULL in the row).</param>
/// <param name="AuditId">Saved: the audit row holding the previous version.</param>
/// <param name="ChangedBy">Conflict: the dashboard user who made the change, or null when it was made outside the dashboard.</param>
/// <param name="ChangedAt">Conflict: when (the audit row's time for a dashboard change, else the row's updated_at; null when unknown).</param>
public sealed record EditOutcome(
    EditStatus Status,
    string Message,
    DateTimeOffset? UpdatedAt = null,
    long? AuditId = null,
    string? ChangedBy = null,
    DateTimeOffset? ChangedAt = null)
{
    public bool ChangedOutsideDashboard => Status == EditStatus.Conflict && ChangedBy is null;
}

public enum DeleteStatus
{
    /// <summary>Deleted; the whole row is in the audit log (<see cref="DeleteOutcome.AuditId"/>).</summary>
    Deleted,
    NotFound,
    /// <summary>The document is not in the collection the confirmation showed: nothing was deleted (<see cref="DeleteOutcome.ActualCollection"/>).</summary>
    CollectionMismatch,
    Locked,
}

public sealed record DeleteOutcome(DeleteStatus Status, string Message, long? AuditId = null, string? ActualCollection = null);

/// <summary>The documents browser's operator actions: edit a document's data, delete a document. Both are audited with the row as it was.</summary>
public interface IDocumentEditor
{
    /// <summary>
    /// Replaces the document's <c>data</c> with <paramref name="newDataJson"/> (a JSON object), only if its updated_at is still
    /// <paramref name="expectedUpdatedAt"/> (as loaded: <see cref="DocumentDetail.UpdatedAt"/>). Operator only
    /// (<see cref="OperatorRequiredException"/>); bad JSON throws <see cref="InvalidInputException"/> (field "data") before anything runs.
    /// </summary>
    Task<EditOutcome> UpdateAsync(Guid id, string newDataJson, DateTimeOffset expectedUpdatedAt, CancellationToken ct = default);

    /// <summary>Deletes the document if it is in <paramref name="expectedCollection"/>; the whole row goes to the audit log in the same transaction.</summary>
    Task<DeleteOutcome> DeleteAsync(Guid id, string expectedCollection, CancellationToken ct = default);
}

/// <summary>
/// Edit and delete through <see cref="OperatorActions"/>: authorize → validate → one transaction that locks the row, checks the
/// state the operator saw, changes it and writes the audit row with the previous row (to_jsonb of the whole row). A refusal found
/// inside the transaction (conflict, gone, other collection, locked) rolls back, is audited as a failed attempt, and comes back as
/// an outcome rather than an exception.
/// </summary>
public sealed class DocumentEditor(
    OperatorActions actions,
    ICurrentOperator currentOperator,
    IOptions<OrchestraAdminOptions> options) : IDocumentEditor
{
    public const string UpdateAction = "documents.update";
    public const string DeleteAction = "documents.delete";
    public const string TargetTable = "documents";

    private TimeSpan LockTimeout => TimeSpan.FromSeconds(options.Value.Postgres.StatementTimeoutSeconds);
    private TimeSpan WriteTimeout => TimeSpan.FromSeconds(Math.Max(options.Value.Postgres.CommandTimeoutSeconds, options.Value.Postgres.StatementTimeoutSeconds));

    public async Task<EditOutcome> UpdateAsync(Guid id, string newDataJson, DateTimeOffset expectedUpdatedAt, CancellationToken ct = default)
    {
        var actor = await currentOperator.GetAsync();
        var expected = DocumentVersion.ToPostgres(expectedUpdatedAt);
        var idText = id.ToString();
        // What the operator asked for: the version they edited and which data (size and hash; the data itself is the row now,
        // and the next change's audit row keeps it as "previous").
        var bytes = newDataJson is null ? 0 : Encoding.UTF8.GetByteCount(newDataJson);
        var parameters = new
        {
            expectedUpdatedAt = DocumentVersion.Format(expected),
            bytes,
            sha256 = newDataJson is null || bytes > DocumentJson.MaxBytes ? null : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(newDataJson))),
        };
        DateTimeOffset? savedAt = null;
        try
        {
            var result = await actions.RunAsync(actor, new OperatorAction(UpdateAction, TargetTable, [idText], parameters),
                async (conn, tx, token) =>
                {
                    await SetTimeoutsAsync(conn, tx, token);
                    var row = await conn.QuerySingleOrDefaultAsync<LockedRow>(new CommandDefinition(
                        SqlCatalog.Get("documents/edit_lock"), new { id, expected_updated_at = expected }, tx, cancellationToken: token));
                    if (row is null)
                        throw new Refused(new EditOutcome(EditStatus.NotFound, NotFoundMessage(id)));
                    if (!row.Unchanged)
                        throw new Refused(await ConflictAsync(conn, tx, id, row.UpdatedAt, token));

                    var updatedAt = await conn.QuerySingleOrDefaultAsync<DateTime?>(new CommandDefinition(
                        SqlCatalog.Get("documents/edit_update"), new { id, data = newDataJson, expected_updated_at = expected }, tx, cancellationToken: token));
                    // Cannot happen while edit_lock holds the row lock; said plainly if it ever does.
                    if (updatedAt is null)
                        throw new Refused(new EditOutcome(EditStatus.Conflict, "The document changed while saving; nothing was saved. Reload it and edit again."));
                    savedAt = DocumentVersion.FromPostgres(updatedAt.Value);
                    return new ChangeOutcome(1, row.Previous);
                },
                validate: () => DocumentJson.Validate(newDataJson),
                ct);
            return new EditOutcome(EditStatus.Saved, "Saved. The previous version is kept in the audit log.", savedAt, result.AuditId);
        }
        catch (Refused r) { return (EditOutcome)r.Outcome; }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            return new EditOutcome(EditStatus.Locked, LockedMessage());
        }
        catch (PostgresException e) when (e.SqlState.StartsWith("22", StringComparison.Ordinal))
        {
            // A data exception the checks above did not foresee (e.g. a number beyond PostgreSQL's numeric range): nothing was saved.
            throw new InvalidInputException("data", $"PostgreSQL refused the JSON: {e.MessageText}. Nothing was saved.");
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.QueryCanceled)
        {
            throw new QueryTimeoutException("documents/edit_update", WriteTimeout, e);
        }
    }

    public async Task<DeleteOutcome> DeleteAsync(Guid id, string expectedCollection, CancellationToken ct = default)
    {
        var actor = await currentOperator.GetAsync();
        var idText = id.ToString();
        try
        {
            var result = await actions.RunAsync(actor,
                new OperatorAction(DeleteAction, TargetTable, [idText], new { collection = expectedCollection }),
                async (conn, tx, token) =>
                {
                    await SetTimeoutsAsync(conn, tx, token);
                    var row = await conn.QuerySingleOrDefaultAsync<DeleteRow>(new CommandDefinition(
                        SqlCatalog.Get("documents/delete_lock"), new { id }, tx, cancellationToken: token));
                    if (row is null)
                        throw new Refused(new DeleteOutcome(DeleteStatus.NotFound, NotFoundMessage(id)));
                    if (!string.Equals(row.Collection, expectedCollection, StringComparison.Ordinal))
                        throw new Refused(new DeleteOutcome(DeleteStatus.CollectionMismatch,
                            $"Document {id} is in collection \"{row.Collection}\", not \"{expectedCollection}\" as confirmed; nothing was deleted.",
                            ActualCollection: row.Collection));
                    var rows = await conn.ExecuteAsync(new CommandDefinition(
                        SqlCatalog.Get("documents/delete_document"), new { id, collection = expectedCollection }, tx, cancellationToken: token));
                    return new ChangeOutcome(rows, row.Previous);
                },
                validate: () =>
                {
                    if (string.IsNullOrEmpty(expectedCollection))
                        throw new InvalidInputException("collection", "Say which collection the document is in (as the confirmation shows it).");
                },
                ct);
            return new DeleteOutcome(DeleteStatus.Deleted, "Deleted. The whole document is kept in the audit log.", result.AuditId);
        }
        catch (Refused r) { return (DeleteOutcome)r.Outcome; }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            return new DeleteOutcome(DeleteStatus.Locked, LockedMessage());
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.QueryCanceled)
        {
            throw new QueryTimeoutException("documents/delete_document", WriteTimeout, e);
        }
    }

    private static string NotFoundMessage(Guid id) => $"Document {id} no longer exists (deleted since it was loaded?); nothing was changed.";

    private string LockedMessage() =>
        $"Another transaction has been holding this document for more than {LockTimeout.TotalSeconds:0.#} s (a worker writing it?); nothing was changed. Try again.";

    /// <summary>SET LOCAL: waiting for the row lock and the statements are bounded, for this transaction only.</summary>
    private async Task SetTimeoutsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct)
    {
        var lockMs = ((long)LockTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        var statementMs = ((long)WriteTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        await conn.ExecuteAsync(new CommandDefinition(
            $"SET LOCAL lock_timeout = {lockMs}; SET LOCAL statement_timeout = {statementMs}", transaction: tx, cancellationToken: ct));
    }

    private static async Task<EditOutcome> ConflictAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid id, DateTime currentUpdatedAt, CancellationToken ct)
    {
        var current = DocumentVersion.FromPostgresOrNull(currentUpdatedAt);
        var writer = await conn.QuerySingleOrDefaultAsync<WriterRow>(new CommandDefinition(
            SqlCatalog.Get("documents/edit_changed_by"), new { id, id_text = id.ToString() }, tx, cancellationToken: ct));
        if (writer is not null)
        {
            var at = DocumentVersion.FromPostgres(writer.OccurredAt);
            return new EditOutcome(EditStatus.Conflict,
                $"{writer.Actor} changed this document at {DocumentVersion.Display(at)} (in the dashboard) after you loaded it; nothing was saved. " +
                "Reload it to see their version, then edit again.",
                current, ChangedBy: writer.Actor, ChangedAt: at);
        }
        var when = current is { } c ? $"at {DocumentVersion.Display(c)}" : "at an unknown time (its updated_at is empty)";
        return new EditOutcome(EditStatus.Conflict,
            $"This document was changed {when} outside the dashboard after you loaded it; nothing was saved. Reload it to see the current version, then edit again.",
            current, ChangedAt: current);
    }

    /// <summary>A refusal found inside the transaction: rolls it back (and is audited as a failed attempt), then becomes the outcome.</summary>
    private sealed class Refused(object outcome) : Exception(outcome switch
    {
        EditOutcome e => e.Message,
        DeleteOutcome d => d.Message,
        _ => "refused",
    })
    {
        public object Outcome { get; } = outcome;
    }

    private sealed class LockedRow
    {
        public string Collection { get; init; } = "";
        public bool Unchanged { get; init; }
        public DateTime UpdatedAt { get; init; }
        public string Previous { get; init; } = "";
    }

    private sealed class DeleteRow
    {
        public string Collection { get; init; } = "";
        public string Previous { get; init; } = "";
    }

    private sealed class WriterRow
    {
        public string Actor { get; init; } = "";
        public string Action { get; init; } = "";
        public DateTime OccurredAt { get; init; }
    }
}

/// <summary>
/// A document's version is its updated_at, compared exactly as PostgreSQL stores it: microseconds. A .NET value has 100 ns ticks,
/// so it is truncated to whole microseconds before it is compared (a value read from PostgreSQL is already whole microseconds and
/// round-trips unchanged). A NULL updated_at reads as -infinity (DateTimeOffset.MinValue), as documents/get reads it.
/// </summary>
public static class DocumentVersion
{
    private const long TicksPerMicrosecond = TimeSpan.TicksPerMillisecond / 1000;

    /// <summary>The value to bind for a timestamptz comparison: UTC, truncated to microseconds (MinValue/MaxValue stay ±infinity).</summary>
    public static DateTime ToPostgres(DateTimeOffset value)
    {
        if (value == DateTimeOffset.MinValue || value == DateTimeOffset.MaxValue) return value.UtcDateTime;
        var ticks = value.UtcTicks;
        return new DateTime(ticks - ticks % TicksPerMicrosecond, DateTimeKind.Utc);
    }

    public static DateTimeOffset FromPostgres(DateTime value) =>
        new(DateTime.SpecifyKind(value, DateTimeKind.Utc), TimeSpan.Zero);

    /// <summary>Null for -infinity (a NULL updated_at).</summary>
    public static DateTimeOffset? FromPostgresOrNull(DateTime value) =>
        value == DateTime.MinValue || value == DateTime.MaxValue ? null : FromPostgres(value);

    /// <summary>ISO 8601 with the microseconds, for the audit parameters.</summary>
    public static string Format(DateTime utc) =>
        utc == DateTime.MinValue ? "-infinity" : utc == DateTime.MaxValue ? "infinity" : utc.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    internal static string Display(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}

/// <summary>
/// Checks an edited document before it is sent: what PostgreSQL's jsonb input would refuse (or silently change), said with the line
/// and column, so the operator sees it at the editor instead of as a database error.
/// </summary>
public static class DocumentJson
{
    /// <summary>The largest document the editor saves (UTF-8 bytes). JSONB itself allows up to 255 MB; a document this large is not edited by hand.</summary>
    public const int MaxBytes = 16 * 1024 * 1024;
    /// <summary>Nesting deeper than this is refused (System.Text.Json's default is 64; documents nest deeper rarely, and not by hand).</summary>
    public const int MaxDepth = 256;

    private static readonly JsonDocumentOptions Options = new()
    {
        MaxDepth = MaxDepth,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        // jsonb keeps only the last of duplicate keys: refused, so nothing the operator typed is dropped silently.
        AllowDuplicateProperties = false,
    };

    /// <summary>Throws <see cref="InvalidInputException"/> (field <paramref name="field"/>) unless <paramref name="json"/> is a JSON object PostgreSQL stores as written.</summary>
    public static void Validate(string? json, string field = "data")
    {
        if (string.IsNullOrWhiteSpace(json))
            throw new InvalidInputException(field, "The document is empty. Expected a JSON object, e.g. {\"name\": \"value\"}.");
        var bytes = Encoding.UTF8.GetByteCount(json);
        if (bytes > MaxBytes)
            throw new InvalidInputException(field,
                $"The document is {bytes / 1024.0 / 1024.0:0.0} MB; the editor saves documents up to {MaxBytes / 1024 / 1024} MB.");

        JsonValueKind kind;
        try
        {
            using var document = JsonDocument.Parse(json, Options);
            kind = document.RootElement.ValueKind;
        }
        catch (JsonException e)
        {
            throw new InvalidInputException(field, Describe(json, e));
        }
        if (kind != JsonValueKind.Object)
            throw new InvalidInputException(field,
                $"The document is {Article(kind)}; it must be a JSON object ({{ … }}). JSONB would store any JSON value, " +
                "but the stack's documents are objects, so the editor saves only objects.");

        // jsonb refuses \u0000 and unpaired surrogates (\ud800) that JSON's grammar allows: found here with their position.
        if (json.Contains("\\u", StringComparison.OrdinalIgnoreCase)) CheckEscapes(json, field);
    }

    private static void CheckEscapes(string json, string field)
    {
        var utf8 = Encoding.UTF8.GetBytes(json);
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = MaxDepth });
        while (reader.Read())
        {
            if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName) || !reader.ValueIsEscaped) continue;
            string text;
            try { text = reader.GetString()!; }
            catch (InvalidOperationException)
            {
                throw new InvalidInputException(field, $"{At(utf8, reader.TokenStartIndex)}: the text has an unpaired surrogate escape (e.g. \\ud800 without its low half), which PostgreSQL's jsonb does not accept.");
            }
            if (text.Contains('\0'))
                throw new InvalidInputException(field, $"{At(utf8, reader.TokenStartIndex)}: \\u0000 (the NUL character) cannot be stored in PostgreSQL's jsonb. Remove it.");
        }
    }

    private static string Describe(string json, JsonException e)
    {
        var reason = e.Message;
        foreach (var marker in new[] { " Path: ", " LineNumber: ", " | LineNumber" })
        {
            var cut = reason.IndexOf(marker, StringComparison.Ordinal);
            if (cut > 0) reason = reason[..cut];
        }
        reason = reason.Trim();
        if (e.LineNumber is not { } line || e.BytePositionInLine is not { } bytesInLine)
            return $"Not valid JSON: {reason}";
        return $"Not valid JSON at line {line + 1}, column {Column(json, line, bytesInLine)}: {reason}";
    }

    /// <summary>1-based column (UTF-16 characters, as editors count) of a byte offset within a 0-based line.</summary>
    internal static long Column(string json, long line, long bytesInLine)
    {
        var start = 0;
        for (long l = 0; l < line && start < json.Length; l++)
        {
            var next = json.IndexOf('\n', start);
            if (next < 0) break;
            start = next + 1;
        }
        long bytes = 0;
        var i = start;
        while (i < json.Length && bytes < bytesInLine && json[i] != '\n')
        {
            if (char.IsHighSurrogate(json[i]) && i + 1 < json.Length && char.IsLowSurrogate(json[i + 1])) { bytes += 4; i += 2; }
            else { bytes += Encoding.UTF8.GetByteCount(json.AsSpan(i, 1)); i++; }
        }
        return i - start + 1;
    }

    private static string At(byte[] utf8, long byteIndex)
    {
        long line = 0, lineStart = 0;
        for (long i = 0; i < byteIndex; i++)
            if (utf8[i] == (byte)'\n') { line++; lineStart = i + 1; }
        var column = Encoding.UTF8.GetCharCount(utf8, (int)lineStart, (int)(byteIndex - lineStart)) + 1;
        return $"Line {line + 1}, column {column}";
    }

    private static string Article(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString(),
    };
}
