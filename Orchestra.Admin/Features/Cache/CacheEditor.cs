using System.Globalization;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Features.Documents;
using Orchestra.Admin.Hosting;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.Features.Cache;

/// <summary>
/// The cache's operator actions through <see cref="OperatorActions"/>: authorize → validate → one short transaction that makes
/// the change and writes the audit row with what was there before (deleted rows whole; the previous expiry for a TTL change).
/// A refusal found inside the transaction rolls back, is audited as a failed attempt and comes back as an outcome.
/// </summary>
public sealed class CacheEditor(
    ICacheService cache,
    OperatorActions actions,
    ICurrentOperator currentOperator,
    PostgresQueryRunner queries,
    IOptions<OrchestraAdminOptions> options) : ICacheEditor
{
    public const string DeleteKeyAction = "cache.delete_key";
    public const string SetTtlAction = "cache.set_ttl";
    public const string PurgeExpiredAction = "cache.purge_expired";
    public const string DeleteMatchingAction = "cache.delete_matching";
    /// <summary>The longest TTL an operator may set.</summary>
    internal static readonly TimeSpan MaxTtl = TimeSpan.FromDays(3650);

    private CacheOptions Settings => options.Value.Cache;
    private TimeSpan LockTimeout => TimeSpan.FromSeconds(options.Value.Postgres.StatementTimeoutSeconds);
    private TimeSpan WriteTimeout => TimeSpan.FromSeconds(Math.Max(options.Value.Postgres.CommandTimeoutSeconds, options.Value.Postgres.StatementTimeoutSeconds));

    public async Task<CacheActionOutcome> DeleteKeyAsync(string table, string key, CancellationToken ct = default)
    {
        var actor = await currentOperator.GetAsync();
        var t = await cache.TableAsync(table, ct);
        return await RunAsync(actor, new OperatorAction(DeleteKeyAction, t.Display, [key ?? ""]), async (conn, tx, token) =>
        {
            var deleted = await ChangeAsync(conn, tx, CacheService.Fill("cache/delete_key", t), new { key }, token);
            if (deleted.RowsAffected == 0)
                throw new Refused(new CacheActionOutcome(CacheActionStatus.NotFound, $"Key {key} is not in {t.Display} (deleted or purged meanwhile?); nothing was changed."));
            return (deleted, new CacheActionOutcome(CacheActionStatus.Done, $"Deleted {key}. Its value is kept in the audit log.", deleted.RowsAffected));
        }, () => RequireKey(key), ct);
    }

    public async Task<CacheActionOutcome> SetTtlAsync(string table, string key, TimeSpan ttl, DateTimeOffset expectedExpiresAt, CancellationToken ct = default)
    {
        var actor = await currentOperator.GetAsync();
        var t = await cache.TableAsync(table, ct);
        var expected = DocumentVersion.ToPostgres(expectedExpiresAt);
        var parameters = new { ttlSeconds = ttl.TotalSeconds, expectedExpiresAt = DocumentVersion.Format(expected) };
        DateTimeOffset? newExpiry = null;
        return await RunAsync(actor, new OperatorAction(SetTtlAction, t.Display, [key ?? ""], parameters), async (conn, tx, token) =>
        {
            var current = await conn.QuerySingleOrDefaultAsync<TtlRow>(new CommandDefinition(
                CacheService.Fill("cache/ttl_lock", t), new { key }, tx, cancellationToken: token));
            if (current is null)
                throw new Refused(new CacheActionOutcome(CacheActionStatus.NotFound, $"Key {key} is not in {t.Display} (deleted or purged meanwhile?); nothing was changed."));
            var updated = await conn.QuerySingleOrDefaultAsync<DateTime?>(new CommandDefinition(
                CacheService.Fill("cache/ttl_update", t), new { key, ttl_seconds = ttl.TotalSeconds, expected_expires_at = expected }, tx, cancellationToken: token));
            if (updated is null)
                throw new Refused(new CacheActionOutcome(CacheActionStatus.Conflict,
                    $"Key {key} was rewritten after you loaded it (it now expires at {Display(CacheService.Utc(current.ExpiresAt))}); nothing was changed. Reload it and set the TTL again.",
                    ExpiresAt: CacheService.Utc(current.ExpiresAt)));
            newExpiry = CacheService.Utc(updated.Value);
            return (new ChangeOutcome(1, current.Previous),
                new CacheActionOutcome(CacheActionStatus.Done, $"{key} now expires at {Display(newExpiry.Value)}. The previous expiry is in the audit log.", 1, ExpiresAt: newExpiry));
        }, () =>
        {
            RequireKey(key);
            if (ttl <= TimeSpan.Zero || ttl > MaxTtl)
                throw new InvalidInputException("ttl", $"The TTL must be more than 0 seconds and at most {MaxTtl.TotalDays:0} days (is {ttl.TotalSeconds:0.###} s).");
        }, ct);
    }

    public async Task<CacheActionOutcome> PurgeExpiredAsync(string table, IProgress<PurgeProgress>? progress = null, CancellationToken ct = default)
    {
        var actor = await currentOperator.GetAsync();
        var t = await cache.TableAsync(table, ct);
        var expected = (await cache.SummaryAsync(t, ct)).Expired;
        // One cutoff for every batch: entries that expire while the purge runs are left for the next one.
        var cutoff = (await queries.QuerySqlAsync<DateTime>("cache/now", "SELECT now()", ct: ct)).Single();
        var batchSize = Settings.PurgeBatchSize;
        var sql = CacheService.Fill("cache/purge_batch", t);
        long deleted = 0;
        var batches = 0;
        long? lastAudit = null;
        while (true)
        {
            if (ct.IsCancellationRequested)
                return new CacheActionOutcome(CacheActionStatus.Done,
                    $"Stopped after {batches:N0} batches: {deleted:N0} expired entries deleted (kept in the audit log); the rest are still there.", deleted, lastAudit);
            var batch = batches + 1;
            var outcome = await RunAsync(actor,
                new OperatorAction(PurgeExpiredAction, t.Display, [], new { cutoff = DocumentVersion.Format(cutoff), batch, batchSize }),
                async (conn, tx, token) =>
                {
                    var change = await ChangeAsync(conn, tx, sql, new { cutoff, batch_size = batchSize }, token);
                    return (change, new CacheActionOutcome(CacheActionStatus.Done, "", change.RowsAffected));
                }, validate: null, CancellationToken.None); // a batch once started finishes; cancel stops between batches
            if (outcome.Status != CacheActionStatus.Done) return outcome with { RowsAffected = deleted };
            batches++;
            deleted += outcome.RowsAffected;
            lastAudit = outcome.AuditId;
            progress?.Report(new PurgeProgress(deleted, batches, Math.Max(expected, deleted)));
            // A short batch: no more unlocked expired rows (rows a writer holds are skipped, not waited for).
            if (outcome.RowsAffected < batchSize) break;
        }
        return new CacheActionOutcome(CacheActionStatus.Done,
            $"Purged {deleted:N0} expired entries of {t.Display} in {batches:N0} batches; they are kept in the audit log.", deleted, lastAudit);
    }

    public async Task<long> CountMatchingAsync(string table, string pattern, CancellationToken ct = default)
    {
        var t = await cache.TableAsync(table, ct);
        var like = RequirePattern(pattern);
        return (await queries.QuerySqlAsync<long>("cache/matching_count", CacheService.Fill("cache/matching_count", t),
            new { pattern = like, cap = Settings.MaxPatternDeleteKeys + 1 }, ct: ct)).Single();
    }

    public async Task<CacheActionOutcome> DeleteMatchingAsync(string table, string pattern, CancellationToken ct = default)
    {
        var actor = await currentOperator.GetAsync();
        var t = await cache.TableAsync(table, ct);
        var max = Settings.MaxPatternDeleteKeys;
        string? like = null;
        return await RunAsync(actor, new OperatorAction(DeleteMatchingAction, t.Display, [], new { pattern, max }),
            async (conn, tx, token) =>
            {
                var matching = await conn.ExecuteScalarAsync<long>(new CommandDefinition(
                    CacheService.Fill("cache/matching_count", t), new { pattern = like, cap = max + 1 }, tx, cancellationToken: token));
                if (matching > max)
                    throw new Refused(TooMany(pattern, max));
                var deleted = await ChangeAsync(conn, tx, CacheService.Fill("cache/delete_matching", t), new { pattern = like }, token);
                // Keys written between the count and the delete: still never more than the maximum.
                if (deleted.RowsAffected > max)
                    throw new Refused(TooMany(pattern, max));
                return (deleted, new CacheActionOutcome(CacheActionStatus.Done,
                    $"Deleted {deleted.RowsAffected:N0} keys matching {pattern}. Their values are kept in the audit log.", deleted.RowsAffected));
            },
            () => like = RequirePattern(pattern), ct);
    }

    internal static CacheActionOutcome TooMany(string pattern, int max) => new(CacheActionStatus.TooMany,
        $"More than {max:N0} keys match {pattern}: nothing was deleted. Narrow the pattern (e.g. a longer prefix), or purge expired entries instead. " +
        "The maximum is the setting OrchestraAdmin:Cache:MaxPatternDeleteKeys.");

    // ---------------------------------------------------------------- the one path

    private async Task<CacheActionOutcome> RunAsync(
        OperatorIdentity actor,
        OperatorAction action,
        Func<NpgsqlConnection, NpgsqlTransaction, CancellationToken, Task<(ChangeOutcome Change, CacheActionOutcome Outcome)>> change,
        Action? validate,
        CancellationToken ct)
    {
        CacheActionOutcome? outcome = null;
        try
        {
            var result = await actions.RunAsync(actor, action, async (conn, tx, token) =>
            {
                await SetTimeoutsAsync(conn, tx, token);
                var (c, o) = await change(conn, tx, token);
                outcome = o;
                return c;
            }, validate, ct);
            return outcome! with { AuditId = result.AuditId };
        }
        catch (Refused r) { return r.Outcome; }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            return new CacheActionOutcome(CacheActionStatus.Locked,
                $"Another transaction has been holding this entry for more than {LockTimeout.TotalSeconds:0.#} s (the stack writing it?); nothing was changed. Try again.");
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.QueryCanceled)
        {
            throw new QueryTimeoutException(action.Name, WriteTimeout, e);
        }
    }

    private static async Task<ChangeOutcome> ChangeAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, object parameters, CancellationToken ct)
    {
        var row = await conn.QuerySingleAsync<ChangeRow>(new CommandDefinition(sql, parameters, tx, cancellationToken: ct));
        return new ChangeOutcome(row.RowsAffected, row.Previous);
    }

    /// <summary>SET LOCAL: waiting for a row lock and the statements are bounded, for this transaction only.</summary>
    private async Task SetTimeoutsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct)
    {
        var lockMs = ((long)LockTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        var statementMs = ((long)WriteTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        await conn.ExecuteAsync(new CommandDefinition(
            $"SET LOCAL lock_timeout = {lockMs}; SET LOCAL statement_timeout = {statementMs}", transaction: tx, cancellationToken: ct));
    }

    private static void RequireKey(string? key)
    {
        if (string.IsNullOrEmpty(key)) throw new InvalidInputException("key", "Say which key.");
    }

    private static string RequirePattern(string? pattern)
    {
        string? like;
        try { like = CachePattern.ToLike(pattern); }
        catch (CacheInputException e) { throw new InvalidInputException("pattern", e.Message); }
        return like ?? throw new InvalidInputException("pattern", "Type a pattern, e.g. user:*:profile (* matches any run of characters, ? one character).");
    }

    private static string Display(DateTimeOffset at) => DocumentVersion.Display(at);

    private sealed class Refused(CacheActionOutcome outcome) : Exception(outcome.Message)
    {
        public CacheActionOutcome Outcome { get; } = outcome;
    }

    private sealed record ChangeRow
    {
        public long RowsAffected { get; init; }
        public string? Previous { get; init; }
    }

    private sealed record TtlRow
    {
        public DateTime ExpiresAt { get; init; }
        public string Previous { get; init; } = "";
    }
}
