using System.Diagnostics;
using System.Globalization;
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
    /// EXPLAIN (FORMAT JSON) of one statement, inside a transaction that is always rolled back, under the statement
    /// timeout. <paramref name="analyze"/> runs it (EXPLAIN ANALYZE): Operators only, audited; what it writes is
    /// rolled back. Bad input: <see cref="InvalidInputException"/> (field "query"); a run past the timeout:
    /// <see cref="QueryTimeoutException"/>; a Viewer asking for ANALYZE: <see cref="OperatorRequiredException"/>.
    /// </summary>
    Task<ExplainResult> ExplainAsync(string query, bool analyze = false, CancellationToken ct = default);
}

public sealed class ExplainService(
    NpgsqlDataSource dataSource,
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
            await audit.TryWriteAsync(Entry(actor, statement.Text, generic) with { Error = e.Message }, CancellationToken.None);
            throw;
        }
    }

    private async Task<ExplainResult> RunAsync(ScannedStatement statement, string typed, bool analyze, bool generic, CancellationToken ct)
    {
        // VERBOSE: relations with their schema (the stack has tables of the same name in several schemas).
        List<string> explainOptions = ["FORMAT JSON", "VERBOSE"];
        if (analyze) explainOptions.AddRange(["ANALYZE", "BUFFERS"]);
        if (generic) explainOptions.Add("GENERIC_PLAN");
        // The statement is the one thing not a parameter here: EXPLAIN takes no parameters for its statement.
        // It is sent as one prepared statement (a batch of one is never split by Npgsql), so PostgreSQL itself
        // refuses a second statement that the scanner might have missed.
        var prefix = $"EXPLAIN ({string.Join(", ", explainOptions)}) ";
        var limit = StatementTimeout;
        var started = Stopwatch.GetTimestamp();

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        try
        {
            // Plain EXPLAIN runs nothing: read-only as a second guard. ANALYZE may write, and is rolled back below.
            if (!analyze) await ExecuteAsync(conn, tx, "SET TRANSACTION READ ONLY", ct);
            var ms = ((long)limit.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
            await ExecuteAsync(conn, tx, $"SET LOCAL statement_timeout = {ms}", ct);

            await using var batch = new NpgsqlBatch(conn, tx) { Timeout = (int)Math.Ceiling(limit.TotalSeconds) + 5 };
            batch.BatchCommands.Add(new NpgsqlBatchCommand(prefix + statement.Text));
            var json = (string?)await batch.ExecuteScalarAsync(ct)
                ?? throw new InvalidOperationException("EXPLAIN returned no plan.");
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
            throw new InvalidInputException(SqlStatementScanner.Field, Describe(e, statement, typed, prefix.Length));
        }
        finally
        {
            // Always: nothing EXPLAIN ANALYZE wrote survives.
            try { await tx.RollbackAsync(CancellationToken.None); }
            catch (Exception) { /* a broken connection: PostgreSQL rolls back on its own */ }
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private async Task<int> ServerVersionAsync(CancellationToken ct) =>
        serverVersion ??= await queries.QuerySingleAsync<int>("monitoring/settings/server_version_num", ct: ct);

    // Errors about the statement (syntax, unknown table, bad value, failed constraint…), as opposed to the server or
    // the connection failing: connection (08), resources (53), operator intervention (57), system (58), internal (XX).
    private static bool IsAboutTheQuery(PostgresException e) => e.SqlState[..2] is not ("08" or "53" or "57" or "58" or "XX");

    /// <summary>PostgreSQL's message, with its error position mapped back into what was typed.</summary>
    internal static string Describe(PostgresException e, ScannedStatement statement, string typed, int prefixLength)
    {
        var message = $"PostgreSQL cannot explain this query: {e.MessageText}";
        var offset = e.Position - 1 - prefixLength;
        if (e.Position > 0 && offset >= 0 && offset <= statement.Text.Length)
            message += $" (at {SqlStatementScanner.Where(typed, statement.Start + offset)})";
        if (!string.IsNullOrEmpty(e.Detail)) message += $". {e.Detail}";
        if (!string.IsNullOrEmpty(e.Hint)) message += $" Hint: {e.Hint}";
        return message;
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
