using Dapper;
using Npgsql;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.Features.Postgres;

/// <summary>The measures the top statements can be ordered by (a fixed list: the SQL receives only these names).</summary>
public enum StatementOrder { TotalTime, MeanTime, Calls, Rows }

public enum StatementsAvailability
{
    Available,
    /// <summary>The extension is not created in this database (CREATE EXTENSION pg_stat_statements).</summary>
    NotInstalled,
    /// <summary>The library is not in shared_preload_libraries (the view then fails with 55000).</summary>
    NotPreloaded,
}

public sealed record TopStatement
{
    /// <summary>Null when the dashboard's role may not see the statement.</summary>
    public long? QueryId { get; init; }
    public string? UserName { get; init; }
    public string? Query { get; init; }
    public long Calls { get; init; }
    public double TotalMs { get; init; }
    public double MeanMs { get; init; }
    public double MaxMs { get; init; }
    public long Rows { get; init; }
    public long SharedBlocksHit { get; init; }
    public long SharedBlocksRead { get; init; }
    /// <summary>0..1; null when the statement touched no shared block.</summary>
    public double? HitRatio { get; init; }
    /// <summary>0..1 of all execution time recorded for this database.</summary>
    public double? ShareOfTotalTime { get; init; }
}

/// <summary>The top statements, or why there are none to show and how to enable them.</summary>
public sealed record StatementsReport
{
    public StatementsAvailability Availability { get; init; }
    public IReadOnlyList<TopStatement> Statements { get; init; } = [];
    /// <summary>What is missing and how to enable it; null when available.</summary>
    public string? HowToEnable { get; init; }

    public bool IsAvailable => Availability == StatementsAvailability.Available;
}

internal sealed record StatementsExtension
{
    public string? ExtensionVersion { get; init; }
    /// <summary>Quoted by PostgreSQL (quote_ident).</summary>
    public string? ExtensionSchema { get; init; }
    /// <summary>Null when hidden from the dashboard's role.</summary>
    public string? SharedPreloadLibraries { get; init; }

    public bool Installed => ExtensionVersion != null;

    /// <summary>Null when unknown (setting hidden).</summary>
    public bool? Preloaded => SharedPreloadLibraries is { } libs
        ? libs.Split(',').Any(l => l.Trim().Trim('"').Equals("pg_stat_statements", StringComparison.Ordinal))
        : null;
}

public interface IStatementChecks
{
    Task<StatementsReport> TopStatementsAsync(StatementOrder order, int limit, CancellationToken ct = default);
    /// <summary>The text of one statement of this database, or null when it is not (or no longer) recorded.</summary>
    Task<string?> StatementTextAsync(long queryId, CancellationToken ct = default);
    /// <summary>pg_stat_statements_reset() for this database's statements. Operator only; audited with the top
    /// statements as they were. Returns how many statements were cleared.</summary>
    Task<ActionResult> ResetAsync(CancellationToken ct = default);
}

/// <summary>The slowest and busiest statements, from pg_stat_statements, when it is available.</summary>
public sealed class StatementChecks(
    PostgresQueryRunner queries,
    OperatorActions actions,
    ICurrentOperator currentOperator) : IStatementChecks
{
    public const string ResetAction = "postgres.statements.reset";

    public const string EnableSteps =
        "pg_stat_statements ships with PostgreSQL (the standard contrib package). To enable it: add it to " +
        "shared_preload_libraries in postgresql.conf (shared_preload_libraries = 'pg_stat_statements'), restart " +
        "PostgreSQL, then run CREATE EXTENSION pg_stat_statements; in this database.";

    private const string ObjectNotInPrerequisiteState = "55000";

    internal static string OrderName(StatementOrder order) => order switch
    {
        StatementOrder.TotalTime => "total_time",
        StatementOrder.MeanTime => "mean_time",
        StatementOrder.Calls => "calls",
        StatementOrder.Rows => "rows",
        _ => throw new ArgumentOutOfRangeException(nameof(order), order, "Not a statement order."),
    };

    public async Task<StatementsReport> TopStatementsAsync(StatementOrder order, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var orderName = OrderName(order);
        var extension = await ExtensionAsync(ct);
        if (Unavailable(extension) is { } unavailable) return unavailable;
        try
        {
            var rows = await queries.QuerySqlAsync<TopStatement>("monitoring/statements/top",
                Qualified(SqlCatalog.Get("monitoring/statements/top"), extension), new { order = orderName, limit }, ct: ct);
            return new StatementsReport { Availability = StatementsAvailability.Available, Statements = rows };
        }
        catch (PostgresException e) when (e.SqlState == ObjectNotInPrerequisiteState)
        {
            return NotPreloaded();
        }
    }

    public async Task<string?> StatementTextAsync(long queryId, CancellationToken ct = default)
    {
        var extension = await ExtensionAsync(ct);
        if (Unavailable(extension) is not null) return null;
        try
        {
            var rows = await queries.QuerySqlAsync<string>("monitoring/statements/by_query_id",
                Qualified(SqlCatalog.Get("monitoring/statements/by_query_id"), extension), new { queryId }, ct: ct);
            return rows.FirstOrDefault();
        }
        catch (PostgresException e) when (e.SqlState == ObjectNotInPrerequisiteState)
        {
            return null;
        }
    }

    public async Task<ActionResult> ResetAsync(CancellationToken ct = default)
    {
        var actor = await currentOperator.GetAsync();
        var extension = actor.IsOperator ? await ExtensionAsync(ct) : null;
        var schema = extension?.ExtensionSchema ?? "public";
        return await actions.RunAsync(actor,
            new OperatorAction(ResetAction, "pg_stat_statements", [], new { scope = "current database" }),
            async (conn, tx, token) =>
            {
                // What is cleared is kept in the audit log: the count and the 50 statements that took the most time.
                var before = await conn.QuerySingleAsync<(long Count, string? Top)>(new CommandDefinition($"""
                    SELECT
                        (SELECT count(*) FROM {schema}.pg_stat_statements AS s WHERE s.dbid = d.oid),
                        (SELECT json_agg(t)::text
                         FROM (SELECT s.queryid, s.calls, s.total_exec_time AS total_ms, s.mean_exec_time AS mean_ms,
                                      s.rows, left(s.query, 1000) AS query
                               FROM {schema}.pg_stat_statements AS s
                               WHERE s.dbid = d.oid
                               ORDER BY s.total_exec_time DESC
                               LIMIT 50) AS t)
                    FROM pg_database AS d
                    WHERE d.datname = current_database()
                    """, transaction: tx, cancellationToken: token));
                // Only this database's statements: other databases on the server are not the dashboard's to clear.
                await conn.ExecuteAsync(new CommandDefinition($"""
                    SELECT {schema}.pg_stat_statements_reset(0::oid, d.oid, 0::bigint)
                    FROM pg_database AS d
                    WHERE d.datname = current_database()
                    """, transaction: tx, cancellationToken: token));
                return new ChangeOutcome(before.Count, before.Top ?? "[]");
            },
            validate: () =>
            {
                if (extension is null || Unavailable(extension) is not null)
                    throw new InvalidInputException("pg_stat_statements",
                        "There are no statement statistics to reset: pg_stat_statements is not available. " + EnableSteps);
            }, ct);
    }

    private Task<StatementsExtension> ExtensionAsync(CancellationToken ct) =>
        queries.QuerySingleAsync<StatementsExtension>("monitoring/statements/availability", ct: ct);

    internal static StatementsReport? Unavailable(StatementsExtension extension) =>
        extension.Preloaded == false ? NotPreloaded()
        : !extension.Installed ? new StatementsReport
        {
            Availability = StatementsAvailability.NotInstalled,
            HowToEnable = "The pg_stat_statements extension is not created in this database. " + EnableSteps,
        }
        : null;

    private static StatementsReport NotPreloaded() => new()
    {
        Availability = StatementsAvailability.NotPreloaded,
        HowToEnable = "pg_stat_statements is not loaded: it must be in shared_preload_libraries. " + EnableSteps,
    };

    // The extension may live in any schema: qualify its view with the schema name PostgreSQL quoted.
    private static string Qualified(string sql, StatementsExtension extension) =>
        sql.Replace("FROM pg_stat_statements AS s", $"FROM {extension.ExtensionSchema ?? "public"}.pg_stat_statements AS s", StringComparison.Ordinal);
}
