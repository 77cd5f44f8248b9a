using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Hosting;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.Features.Postgres;

public sealed record ExplainResult
{
    /// <summary>The statement as explained (without surrounding semicolons and comments).</summary>
    public string Statement { get; init; } = "";
    public bool Analyzed { get; init; }
    /// <summary>Planned without parameter values (EXPLAIN (GENERIC_PLAN), PostgreSQL 16+).</summary>
    public bool GenericPlan { get; init; }
    public PlanNode Plan { get; init; } = new();
    public double? PlanningMs { get; init; }
    public double? ExecutionMs { get; init; }
    /// <summary>EXPLAIN's own JSON, for copying into other tools.</summary>
    public string PlanJson { get; init; } = "";

    public IReadOnlyList<PlanNode> Nodes => Plan.DepthFirst().ToList();
}

public interface IExplainService
{
    /// <summary>How long an explain (and the query under EXPLAIN ANALYZE) may run.</summary>
    TimeSpan StatementTimeout { get; }

    /// <summary>
    /// EXPLAIN (FORMAT JSON) of one statement, in a read-only transaction that is always rolled back, under the statement
    /// and lock timeouts. <paramref name="analyze"/> runs it (EXPLAIN ANALYZE): Operators only, audited, as the restricted
    /// role of sql/roles.sql, on a connection closed afterwards; a statement that writes is refused. Bad input: <see cref="InvalidInputException"/> (field "query"); a run past the timeout:
    /// <see cref="QueryTimeoutException"/>; a Viewer asking for ANALYZE: <see cref="OperatorRequiredException"/>.
    /// </summary>
    Task<ExplainResult> ExplainAsync(string query, bool analyze = false, CancellationToken ct = default);

    /// <summary>Null when EXPLAIN ANALYZE can run contained (see sql/roles.sql); otherwise why it cannot, for the page to show.</summary>
    Task<string?> AnalyzeUnavailableAsync(CancellationToken ct = default);
}

/// <summary>What sql/explain/analyze_readiness.sql reads about the function EXPLAIN ANALYZE runs in.</summary>
public sealed record AnalyzeReadiness(bool Installed, bool SecurityDefiner, bool MayExecute, string Login, string? Owner, string? OwnerExtraRights)
{
    public const string Function = "orchestra_admin.explain_analyze(text)";

    public string? UnavailableReason =>
        !Installed ? $"{Function} is missing: run sql/roles.sql as the database owner (it creates the restricted role EXPLAIN ANALYZE runs as)."
        : !SecurityDefiner ? $"{Function} is not SECURITY DEFINER: run sql/roles.sql again."
        : OwnerExtraRights is { Length: > 0 } extra
            ? $"{Function} is owned by {Owner}, which has {extra}: the statement would run with those rights. Run sql/roles.sql again (its owner must be orchestra_admin_explain)."
        : !MayExecute ? $"the database role {Login} may not execute {Function}: GRANT orchestra_admin_operator TO {Login} (see sql/roles.sql)."
        : null;
}

public sealed class ExplainService(
    NpgsqlDataSource dataSource,
    [FromKeyedServices(PostgresDataSources.Unpooled)] NpgsqlDataSource unpooled,
    PostgresQueryRunner queries,
    AuditLog audit,
    ICurrentOperator currentOperator,
    IOptions<OrchestraAdminOptions> options,
    ILogger<ExplainService> logger) : IExplainService
{
    public const string AnalyzeAction = "postgres.explain.analyze";
    private const int AuditedQueryLength = 10_000;
    private int? serverVersion;

    public TimeSpan StatementTimeout => TimeSpan.FromSeconds(options.Value.Postgres.StatementTimeoutSeconds);

    public async Task<ExplainResult> ExplainAsync(string query, bool analyze = false, CancellationToken ct = default)
    {
        // Authorize → validate → run (rolled back) → audit, as every operator action.
        OperatorIdentity? actor = null;
        if (analyze)
        {
            actor = await currentOperator.GetAsync();
            if (!actor.IsOperator)
            {
                await audit.TryWriteAsync(Entry(actor, query, generic: false) with { Error = "refused: needs the Operator role" }, ct);
                throw new OperatorRequiredException(AnalyzeAction);
            }
        }

        var statement = SqlStatementScanner.Single(query);
        if (analyze && await AnalyzeUnavailableAsync(ct) is { } unavailable)
        {
            await audit.TryWriteAsync(Entry(actor!, statement.Text, generic: false) with { Error = "refused: " + unavailable }, ct);
            throw new InvalidInputException(SqlStatementScanner.Field, "EXPLAIN ANALYZE is not available: " + unavailable);
        }
        var generic = false;
        if (statement.Parameters.Count > 0)
        {
            var names = string.Join(", ", statement.Parameters.Select(p => "$" + p.ToString(CultureInfo.InvariantCulture)));
            var version = await ServerVersionAsync(ct);
            if (analyze)
                throw new InvalidInputException(SqlStatementScanner.Field,
                    $"EXPLAIN ANALYZE runs the query, so it needs values for {names}: replace them with example values" +
                    (version >= 160000 ? ", or use Explain (without analyze) for a generic plan." : "."));
            if (version < 160000)
                throw new InvalidInputException(SqlStatementScanner.Field,
                    $"The query has parameters ({names}) and needs values to be planned: EXPLAIN (GENERIC_PLAN) plans without " +
                    $"them from PostgreSQL 16, and this server runs PostgreSQL {version / 10000}. Replace them with example values.");
            generic = true;
        }

        try
        {
            var result = await RunAsync(statement, query, analyze, generic, ct);
            if (actor != null) await audit.TryWriteAsync(Entry(actor, statement.Text, generic) with { Succeeded = true }, CancellationToken.None);
            return result;
        }
        catch (Exception e) when (actor != null && e is not OperationCanceledException)
        {
            // Only what the operator was shown: the message with the values PostgreSQL quoted from the data redacted.
            await audit.TryWriteAsync(Entry(actor, statement.Text, generic) with { Error = e.Message }, CancellationToken.None);
            throw;
        }
    }

    public async Task<string?> AnalyzeUnavailableAsync(CancellationToken ct = default) =>
        (await queries.QuerySingleAsync<AnalyzeReadiness>("explain/analyze_readiness", ct: ct)).UnavailableReason;

    private async Task<ExplainResult> RunAsync(ScannedStatement statement, string typed, bool analyze, bool generic, CancellationToken ct)
    {
        var limit = StatementTimeout;
        var lockLimit = TimeSpan.FromMilliseconds(options.Value.Postgres.LockTimeoutMilliseconds);
        var started = Stopwatch.GetTimestamp();

        // ANALYZE runs the statement: on a connection of its own, closed afterwards instead of pooled, so whatever
        // session state the statement leaves (an advisory lock, a setting) goes with it.
        await using var conn = await (analyze ? unpooled : dataSource).OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        try
        {
            // Read-only for both: plain EXPLAIN runs nothing, and ANALYZE may only read (no setval, nextval, writes or
            // DDL). Rolled back below either way.
            await PostgresQueryRunner.ApplyTransactionSettingsAsync(conn, tx, limit, lockLimit, readOnly: true, ct: ct);
            var commandTimeout = (int)Math.Ceiling(limit.TotalSeconds) + 5;
            var json = analyze
                ? await conn.QuerySingleAsync<string>(new CommandDefinition(SqlCatalog.Get("explain/analyze"),
                    new { statement = statement.Text }, tx, commandTimeout, cancellationToken: ct))
                : await ExplainOnlyAsync(conn, tx, statement, generic, commandTimeout, ct);
            var parsed = ExplainPlan.Parse(json);
            logger.LogDebug("Explain{Analyze} took {ElapsedMs:0.0} ms", analyze ? " analyze" : "", Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return new ExplainResult
            {
                Statement = statement.Text,
                Analyzed = analyze,
                GenericPlan = generic,
                Plan = parsed.Root,
                PlanningMs = parsed.PlanningMs,
                ExecutionMs = parsed.ExecutionMs,
                PlanJson = json,
            };
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.QueryCanceled && !ct.IsCancellationRequested)
        {
            logger.LogWarning("Explain{Analyze} timed out after {TimeoutMs} ms", analyze ? " analyze" : "", limit.TotalMilliseconds);
            throw new QueryTimeoutException(analyze ? AnalyzeAction : "postgres.explain", limit, e);
        }
        catch (PostgresException e) when (IsAboutTheQuery(e))
        {
            throw new InvalidInputException(SqlStatementScanner.Field, Describe(e, statement, typed, analyze, generic, lockLimit));
        }
        finally
        {
            // Always: nothing the statement did survives.
            try { await tx.RollbackAsync(CancellationToken.None); }
            catch (Exception) { /* a broken connection: PostgreSQL rolls back on its own */ }
        }
    }

    private static async Task<string> ExplainOnlyAsync(NpgsqlConnection conn, NpgsqlTransaction tx, ScannedStatement statement, bool generic,
        int commandTimeout, CancellationToken ct)
    {
        // VERBOSE: relations with their schema (the stack has tables of the same name in several schemas).
        // The statement is the one thing not a parameter here: EXPLAIN takes no parameters for its statement.
        // It is sent as one prepared statement (a batch of one is never split by Npgsql), so PostgreSQL itself
        // refuses a second statement that the scanner might have missed.
        await using var batch = new NpgsqlBatch(conn, tx) { Timeout = commandTimeout };
        batch.BatchCommands.Add(new NpgsqlBatchCommand(ExplainOnlyText(statement, generic)));
        return (string?)await batch.ExecuteScalarAsync(ct) ?? throw new InvalidOperationException("EXPLAIN returned no plan.");
    }

    private static string ExplainOnlyText(ScannedStatement statement, bool generic) =>
        $"EXPLAIN (FORMAT JSON, VERBOSE{(generic ? ", GENERIC_PLAN" : "")}) {statement.Text}";

    private async Task<int> ServerVersionAsync(CancellationToken ct) =>
        serverVersion ??= await queries.QuerySingleAsync<int>("monitoring/settings/server_version_num", ct: ct);

    // Errors about the statement (syntax, unknown table, bad value, failed constraint…), as opposed to the server or
    // the connection failing: connection (08), resources (53), operator intervention (57), system (58), internal (XX).
    private static bool IsAboutTheQuery(PostgresException e) => e.SqlState[..2] is not ("08" or "53" or "57" or "58" or "XX");

    /// <summary>
    /// PostgreSQL's message, with its error position mapped back into what was typed. Values PostgreSQL quotes that the
    /// operator did not type are hidden: under ANALYZE they come from the data (<c>(data->>'token')::int</c> fails with
    /// the token in the message), and the message is shown on the page and kept in the audit log. The detail and the
    /// context are left out under ANALYZE for the same reason (an XML or JSON error quotes the value unquoted there).
    /// </summary>
    internal static string Describe(PostgresException e, ScannedStatement statement, string typed, bool analyzed, bool generic, TimeSpan lockTimeout)
    {
        if (e.SqlState == PostgresErrorCodes.LockNotAvailable)
            return $"A table the query reads is locked by another session: it waited {lockTimeout.TotalMilliseconds:0} ms and gave up rather than queue " +
                   "behind the lock (and hold up everything that queues behind it). Try again once the lock is released (Activity tab: blocking tree).";

        var message = $"PostgreSQL cannot {(analyzed ? "run" : "explain")} this query: {RedactValues(e.MessageText, statement.Text)} (SQLSTATE {e.SqlState})";
        // Under ANALYZE the statement runs inside orchestra_admin.explain_analyze: the position is in its internal query.
        var (position, query) = analyzed ? (e.InternalPosition, e.InternalQuery) : (e.Position, ExplainOnlyText(statement, generic));
        var offset = position - 1 - ((query?.Length ?? 0) - statement.Text.Length);
        if (position > 0 && query != null && query.EndsWith(statement.Text, StringComparison.Ordinal) && offset >= 0 && offset <= statement.Text.Length)
            message += $" (at {SqlStatementScanner.Where(typed, statement.Start + offset)})";
        if (analyzed)
        {
            if (e.SqlState == PostgresErrorCodes.ReadOnlySqlTransaction)
                message += ". EXPLAIN ANALYZE runs statements read-only: use Explain (without analyze) for the plan of a statement that writes.";
            else if (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
                message += ". EXPLAIN ANALYZE runs as the role orchestra_admin_explain, which may only read the stack's tables.";
        }
        else if (!string.IsNullOrEmpty(e.Detail)) message += $". {RedactValues(e.Detail, statement.Text)}";
        if (!string.IsNullOrEmpty(e.Hint)) message += $" Hint: {RedactValues(e.Hint, statement.Text)}";
        return message;
    }

    /// <summary>Replaces each "quoted" part of a server message that does not appear in the statement with "…": what
    /// the operator typed (a table name, a literal) stays, what came from the data goes.</summary>
    internal static string RedactValues(string message, string statement)
    {
        var redacted = new System.Text.StringBuilder(message.Length);
        var i = 0;
        while (i < message.Length)
        {
            var open = message.IndexOf('"', i);
            var close = open < 0 ? -1 : message.IndexOf('"', open + 1);
            if (close < 0) break;
            var quoted = message[(open + 1)..close];
            redacted.Append(message, i, open - i + 1)
                    .Append(quoted.Length == 0 || statement.Contains(quoted, StringComparison.Ordinal) ? quoted : "…")
                    .Append('"');
            i = close + 1;
        }
        return redacted.Append(message, i, message.Length - i).ToString();
    }

    private static AuditEntry Entry(OperatorIdentity actor, string? query, bool generic) =>
        new(AnalyzeAction, actor.Name, actor.Role, actor.ClientIp, Succeeded: false,
            Parameters: new
            {
                query = query is { Length: > AuditedQueryLength } q ? q[..AuditedQueryLength] + "…" : query,
                rolled_back = true,
                generic_plan = generic,
            });
}
