using System.Globalization;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Hosting;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.Features.Sessions;

/// <summary>What an action did, in words an operator can read as they are; <see cref="Changed"/> is the rows it changed.</summary>
public sealed record SessionActionOutcome(long Changed, string Message, long? AuditId = null);

/// <summary>What the clean-up would delete (its dry run), counted with the cut-off the run will use.</summary>
public sealed record CleanupPlan(int OlderThanDays, DateTimeOffset Cutoff, long Expired, long Revoked)
{
    public long Total => Expired + Revoked;
}

/// <summary>Progress of a clean-up: after each batch.</summary>
public sealed record CleanupProgress(long Deleted, long Expected, int Batches);

public sealed record CleanupOutcome(long Deleted, int Batches, bool Cancelled, IReadOnlyList<long> AuditIds);

/// <summary>The session store's operator actions. Each one is audited (through <see cref="OperatorActions"/>) with the previous values.</summary>
public interface ISessionActions
{
    /// <summary>Soft delete (deleted_at set). A session already revoked is left as it is, and the outcome says so.</summary>
    Task<SessionActionOutcome> RevokeAsync(Guid id, CancellationToken ct = default);
    /// <summary>Soft-deletes every active session of the user (exact user id).</summary>
    Task<SessionActionOutcome> RevokeUserAsync(string userId, CancellationToken ct = default);
    /// <summary>Moves the expiry <paramref name="by"/> later (from now if it has passed), if it is still <paramref name="expectedExpiresAt"/> and the session is not revoked.</summary>
    Task<SessionActionOutcome> ExtendAsync(Guid id, TimeSpan by, DateTimeOffset expectedExpiresAt, CancellationToken ct = default);
    /// <summary>The session's data unmasked. Operator only, audited as "session.reveal" (<c>{"revealed": "data"}</c>).</summary>
    Task<string?> RevealAsync(Guid id, CancellationToken ct = default);
    /// <summary>
    /// The session's full id (the stack may use it as the session cookie; the pages show <see cref="SessionReferences.ShortId"/>);
    /// null when the session is gone. Operator only, audited as "session.reveal" (<c>{"revealed": "id"}</c>).
    /// </summary>
    Task<Guid?> RevealIdAsync(Guid id, CancellationToken ct = default);
    /// <summary>The clean-up's dry run: what it would delete. Operator only (it prepares an action), not audited (it changes nothing).</summary>
    Task<CleanupPlan> PlanCleanupAsync(int olderThanDays, CancellationToken ct = default);
    /// <summary>
    /// Hard-deletes the sessions of <paramref name="plan"/> (expired, or revoked, before its cut-off) in batches, each one short
    /// transaction with its own audit entry holding the deleted rows. Cancelling stops between batches: every finished batch
    /// is complete and recorded, and running it again continues.
    /// </summary>
    Task<CleanupOutcome> CleanupAsync(CleanupPlan plan, IProgress<CleanupProgress>? progress = null, CancellationToken ct = default);
}

public sealed class SessionActions(
    OperatorActions actions,
    ICurrentOperator currentOperator,
    PostgresQueryRunner queries,
    IOptions<OrchestraAdminOptions> options,
    TimeProvider clock) : ISessionActions
{
    public const string RevokeAction = "session.revoke";
    public const string RevokeUserAction = "session.revoke_user";
    public const string ExtendAction = "session.extend";
    public const string RevealAction = "session.reveal";
    public const string CleanupAction = "session.cleanup";
    public const string TargetTable = "sessions.sessions";
    public static readonly TimeSpan MaxExtension = TimeSpan.FromDays(365);
    public const int MaxCleanupDays = 3650;

    private TimeSpan StatementTimeout => TimeSpan.FromSeconds(Math.Max(options.Value.Postgres.CommandTimeoutSeconds, options.Value.Postgres.StatementTimeoutSeconds));
    private TimeSpan LockTimeout => TimeSpan.FromSeconds(options.Value.Postgres.StatementTimeoutSeconds);

    public async Task<SessionActionOutcome> RevokeAsync(Guid id, CancellationToken ct = default)
    {
        var actor = await currentOperator.GetAsync();
        string? message = null;
        var result = await actions.RunAsync(actor, new OperatorAction(RevokeAction, TargetTable, [id.ToString()]),
            async (conn, tx, token) =>
            {
                await SetTimeoutsAsync(conn, tx, token);
                var previous = await conn.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
                    SqlCatalog.Get("sessions/revoke"), new { id }, tx, cancellationToken: token));
                if (previous is not null) return new ChangeOutcome(1, previous);
                var state = await conn.QueryAsync<DateTime?>(new CommandDefinition(SqlCatalog.Get("sessions/revoke_state"), new { id }, tx, cancellationToken: token));
                message = state.AsList() switch
                {
                    [] => $"Session {Short(id)} does not exist (cleaned up?); nothing was changed.",
                    [var deletedAt] => $"Session {Short(id)} was already revoked at {Format(deletedAt)}; nothing was changed.",
                    _ => null,
                };
                return new ChangeOutcome(0, null);
            }, ct: ct);
        return new SessionActionOutcome(result.RowsAffected,
            message ?? $"Revoked session {Short(id)}. It can no longer be used; the row stays until the clean-up.", result.AuditId);
    }

    public async Task<SessionActionOutcome> RevokeUserAsync(string userId, CancellationToken ct = default)
    {
        var actor = await currentOperator.GetAsync();
        var revoked = new List<string>();
        var result = await actions.RunAsync(actor, new OperatorAction(RevokeUserAction, TargetTable, revoked, new { userId }),
            async (conn, tx, token) =>
            {
                await SetTimeoutsAsync(conn, tx, token);
                var rows = (await conn.QueryAsync<(Guid SessionId, string Previous)>(new CommandDefinition(
                    SqlCatalog.Get("sessions/revoke_user"), new { user_id = userId }, tx, cancellationToken: token))).AsList();
                revoked.AddRange(rows.Select(r => r.SessionId.ToString())); // the audit row's target ids (the list is read when it is written)
                return new ChangeOutcome(rows.Count, rows.Count == 0 ? null : "[" + string.Join(",", rows.Select(r => r.Previous)) + "]");
            },
            validate: () =>
            {
                if (string.IsNullOrEmpty(userId))
                    throw new InvalidInputException("userId", "Say whose sessions to revoke: an exact user id.");
            }, ct);
        var message = result.RowsAffected == 0
            ? $"User {userId} has no active session; nothing was changed."
            : $"Revoked {result.RowsAffected:N0} active session{(result.RowsAffected == 1 ? "" : "s")} of user {userId}.";
        return new SessionActionOutcome(result.RowsAffected, message, result.AuditId);
    }

    public async Task<SessionActionOutcome> ExtendAsync(Guid id, TimeSpan by, DateTimeOffset expectedExpiresAt, CancellationToken ct = default)
    {
        var actor = await currentOperator.GetAsync();
        DateTime? newExpiry = null;
        string? refusal = null;
        var result = await actions.RunAsync(actor,
            new OperatorAction(ExtendAction, TargetTable, [id.ToString()], new { extendBySeconds = by.TotalSeconds, expectedExpiresAt }),
            async (conn, tx, token) =>
            {
                await SetTimeoutsAsync(conn, tx, token);
                var row = await conn.QuerySingleOrDefaultAsync<(DateTime Previous, DateTime New)?>(new CommandDefinition(
                    SqlCatalog.Get("sessions/extend"),
                    new { id, extend_seconds = by.TotalSeconds, expected_expires_at = expectedExpiresAt.UtcDateTime }, tx, cancellationToken: token));
                if (row is not { } r)
                {
                    refusal = $"Session {Short(id)} was not extended: it was revoked, cleaned up or its expiry changed since it was loaded. Reload it and try again.";
                    return new ChangeOutcome(0, null);
                }
                newExpiry = r.New;
                return new ChangeOutcome(1, JsonSerializer.Serialize(new { session_id = id, expires_at = SessionsService.Utc(r.Previous) }));
            },
            validate: () =>
            {
                if (by <= TimeSpan.Zero || by > MaxExtension)
                    throw new InvalidInputException("extendBy", $"Extend by more than nothing and at most {MaxExtension.TotalDays:0} days.");
            }, ct);
        return new SessionActionOutcome(result.RowsAffected,
            refusal ?? $"Session {Short(id)} now expires at {Format(newExpiry)}.", result.AuditId);
    }

    public async Task<string?> RevealAsync(Guid id, CancellationToken ct = default) => (await RevealRowAsync(id, "data", ct))?.Data;

    public async Task<Guid?> RevealIdAsync(Guid id, CancellationToken ct = default) => (await RevealRowAsync(id, "id", ct))?.SessionId;

    /// <summary>The one path of both reveals: the entry says which was revealed, and records who saw it.</summary>
    private async Task<RevealedRow?> RevealRowAsync(Guid id, string revealed, CancellationToken ct)
    {
        var actor = await currentOperator.GetAsync();
        RevealedRow? row = null;
        await actions.RunAsync(actor, new OperatorAction(RevealAction, TargetTable, [id.ToString()], new { revealed }),
            async (conn, tx, token) =>
            {
                await SetTimeoutsAsync(conn, tx, token);
                row = await conn.QuerySingleOrDefaultAsync<RevealedRow>(new CommandDefinition(SqlCatalog.Get("sessions/reveal"), new { id }, tx, cancellationToken: token));
                return new ChangeOutcome(0, null); // nothing changes
            }, ct: ct);
        return row;
    }

    public async Task<CleanupPlan> PlanCleanupAsync(int olderThanDays, CancellationToken ct = default)
    {
        var actor = await currentOperator.GetAsync();
        if (!actor.IsOperator) throw new OperatorRequiredException(CleanupAction);
        ValidateDays(olderThanDays);
        var cutoff = clock.GetUtcNow().AddDays(-olderThanDays);
        var counts = await queries.QuerySingleAsync<(long Expired, long Revoked)>("sessions/cleanup_count", new { cutoff = cutoff.UtcDateTime }, StatementTimeout, ct);
        return new CleanupPlan(olderThanDays, cutoff, counts.Expired, counts.Revoked);
    }

    public async Task<CleanupOutcome> CleanupAsync(CleanupPlan plan, IProgress<CleanupProgress>? progress = null, CancellationToken ct = default)
    {
        var actor = await currentOperator.GetAsync();
        ValidateDays(plan.OlderThanDays);
        var batchSize = Math.Max(1, options.Value.Sessions.CleanupBatchSize);
        long deleted = 0;
        var batches = 0;
        var auditIds = new List<long>();
        var last = batchSize;
        // A batch that deleted fewer than it could have took the last candidates; after a full one, a cheap look ahead, so the
        // run does not end with an empty batch's audit entry.
        while (!ct.IsCancellationRequested && last == batchSize && (batches == 0 || await AnyLeftAsync(plan, ct)))
        {
            var ids = new List<string>();
            var result = await actions.RunAsync(actor,
                new OperatorAction(CleanupAction, TargetTable, ids,
                    new { olderThanDays = plan.OlderThanDays, cutoff = plan.Cutoff, batch = batches + 1, batchSize, expected = plan.Total }),
                async (conn, tx, token) =>
                {
                    await SetTimeoutsAsync(conn, tx, token);
                    var batch = await conn.QuerySingleAsync<BatchRow>(new CommandDefinition(SqlCatalog.Get("sessions/cleanup_batch"),
                        new { cutoff = plan.Cutoff.UtcDateTime, batch_size = batchSize }, tx, cancellationToken: token));
                    ids.AddRange(batch.SessionIds); // the audit row's target ids (the list is read when the row is written)
                    return new ChangeOutcome(batch.Deleted, batch.Deleted == 0 ? null : batch.Previous);
                }, ct: CancellationToken.None); // a batch, once started, finishes: cancelling stops between batches
            last = (int)result.RowsAffected;
            deleted += result.RowsAffected;
            batches++;
            auditIds.Add(result.AuditId);
            progress?.Report(new CleanupProgress(deleted, Math.Max(plan.Total, deleted), batches));
        }
        return new CleanupOutcome(deleted, batches, ct.IsCancellationRequested, auditIds);
    }

    private async Task<bool> AnyLeftAsync(CleanupPlan plan, CancellationToken ct) =>
        await queries.QuerySingleAsync<bool>("sessions/cleanup_any", new { cutoff = plan.Cutoff.UtcDateTime }, StatementTimeout, ct);

    private static void ValidateDays(int days)
    {
        if (days < 0 || days > MaxCleanupDays)
            throw new InvalidInputException("olderThanDays", $"Older than how many days: a whole number from 0 to {MaxCleanupDays} (is {days}).");
    }

    private async Task SetTimeoutsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct)
    {
        var lockMs = ((long)LockTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        var statementMs = ((long)StatementTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        await conn.ExecuteAsync(new CommandDefinition(
            $"SET LOCAL lock_timeout = {lockMs}; SET LOCAL statement_timeout = {statementMs}", transaction: tx, cancellationToken: ct));
    }

    private static string Short(Guid id) => SessionReferences.ShortId(id);

    private static string Format(DateTime? utc) =>
        utc is { } v ? DateTime.SpecifyKind(v, DateTimeKind.Utc).ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) : "an unknown time";

    private sealed record RevealedRow
    {
        public Guid SessionId { get; init; }
        public string Data { get; init; } = "{}";
    }

    private sealed record BatchRow
    {
        public long Deleted { get; init; }
        public string[] SessionIds { get; init; } = [];
        public string Previous { get; init; } = "[]";
    }
}
