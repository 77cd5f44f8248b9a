using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Orchestra.Admin.Hosting;

namespace Orchestra.Admin.Data.Postgres;

/// <summary>A query that PostgreSQL cancelled because it ran past its statement_timeout.</summary>
public sealed class QueryTimeoutException(string queryName, TimeSpan timeout, Exception inner)
    : Exception($"timed out after {timeout.TotalSeconds:0.#} s", inner)
{
    public string QueryName { get; } = queryName;
    public TimeSpan Timeout { get; } = timeout;
}

/// <summary>Names of the app's data sources besides the one pool (keyed services).</summary>
public static class PostgresDataSources
{
    /// <summary>Each connection is closed after use, never pooled: for statements whose session state must not outlive them
    /// (EXPLAIN ANALYZE of an operator's statement).</summary>
    public const string Unpooled = "unpooled";
    /// <summary>The documents export's own small pool (OrchestraAdmin:Documents:ExportMaxConcurrent connections): an export
    /// holds its connection while its client downloads, never one of the pages'.</summary>
    public const string Exports = "exports";
}

/// <summary>
/// The one way the dashboard reads PostgreSQL: a named query from <see cref="SqlCatalog"/>,
/// parameters through Dapper, a per-call statement_timeout, and a log line with the query's
/// name and duration (never its values).
/// </summary>
public sealed class PostgresQueryRunner(
    NpgsqlDataSource dataSource,
    IOptions<OrchestraAdminOptions> options,
    ILogger<PostgresQueryRunner> logger)
{
    // Columns are snake_case (one style for every .sql file); records are PascalCase: see DapperSettings.
    private TimeSpan DefaultTimeout => TimeSpan.FromSeconds(options.Value.Postgres.StatementTimeoutSeconds);

    /// <summary>Runs the query file <c>sql/{name}.sql</c>.</summary>
    public Task<IReadOnlyList<T>> QueryAsync<T>(string name, object? parameters = null, TimeSpan? timeout = null, CancellationToken ct = default) =>
        QuerySqlAsync<T>(name, SqlCatalog.Get(name), parameters, timeout, ct);

    /// <summary>Runs the query file <c>sql/{name}.sql</c>, which returns exactly one row.</summary>
    public Task<T> QuerySingleAsync<T>(string name, object? parameters = null, TimeSpan? timeout = null, CancellationToken ct = default) =>
        RunAsync(name, SqlCatalog.Get(name), timeout, ct, (conn, tx, sql, cmdTimeout) =>
            conn.QuerySingleAsync<T>(new CommandDefinition(sql, parameters, tx, cmdTimeout, cancellationToken: ct)));

    /// <summary>Runs SQL that a service composes from fixed fragments (never from values: those are parameters); <paramref name="name"/> is what the log shows.</summary>
    public Task<IReadOnlyList<T>> QuerySqlAsync<T>(string name, string sql, object? parameters = null, TimeSpan? timeout = null, CancellationToken ct = default) =>
        RunAsync(name, sql, timeout, ct, async (conn, tx, text, cmdTimeout) =>
            (IReadOnlyList<T>)(await conn.QueryAsync<T>(new CommandDefinition(text, parameters, tx, cmdTimeout, cancellationToken: ct))).AsList());

    /// <summary>
    /// Starts SQL composed like <see cref="QuerySqlAsync{T}"/> for a caller that takes its rows one at a time and passes
    /// them on (the documents export), on <paramref name="pool"/>, with <paramref name="timeout"/> as its statement_timeout
    /// and times written as text in UTC. The connection and transaction stay open until the caller disposes the result.
    /// </summary>
    public async Task<StreamingQuery> OpenStreamAsync(NpgsqlDataSource pool, string name, string sql, DynamicParameters parameters,
        TimeSpan timeout, CancellationToken ct = default)
    {
        var started = Stopwatch.GetTimestamp();
        NpgsqlConnection? conn = null;
        NpgsqlTransaction? tx = null;
        NpgsqlCommand? command = null;
        StreamingQuery? opened = null;
        try
        {
            conn = await pool.OpenConnectionAsync(ct);
            tx = await conn.BeginTransactionAsync(ct);
            await ApplyTransactionSettingsAsync(conn, tx, timeout, lockTimeout: null, timeZone: "UTC", ct: ct);
            // Our own command rather than Dapper's reader: a read stopped early is cancelled on the server, not drained.
            command = new NpgsqlCommand(sql, conn, tx) { CommandTimeout = (int)Math.Ceiling(timeout.TotalSeconds) + 5 };
            foreach (var parameter in parameters.ParameterNames)
                command.Parameters.Add(new NpgsqlParameter(parameter, parameters.Get<object?>(parameter) ?? DBNull.Value));
            var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
            opened = new StreamingQuery(name, conn, tx, command, reader, timeout, started, logger);
            return opened;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.QueryCanceled && !ct.IsCancellationRequested)
        {
            logger.LogWarning("Query {QueryName} timed out after {TimeoutMs} ms", name, timeout.TotalMilliseconds);
            throw new QueryTimeoutException(name, timeout, e);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("Query {QueryName} failed after {ElapsedMs:0.0} ms: {Error}", name, Stopwatch.GetElapsedTime(started).TotalMilliseconds, LoggableError(e));
            throw;
        }
        finally
        {
            if (opened == null) await StreamingQuery.CloseAsync(conn, tx, command, null, cancel: false);
        }
    }

    /// <summary>sql/runner/transaction_settings.sql: the timeouts (and time zone, read-only) of this transaction only.</summary>
    internal static Task ApplyTransactionSettingsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, TimeSpan statementTimeout,
        TimeSpan? lockTimeout, string? timeZone = null, bool readOnly = false, CancellationToken ct = default) =>
        conn.ExecuteAsync(new CommandDefinition(SqlCatalog.Get("runner/transaction_settings"), new
        {
            statement_timeout_ms = (long)statementTimeout.TotalMilliseconds,
            lock_timeout_ms = (long?)lockTimeout?.TotalMilliseconds,
            time_zone = timeZone,
            read_only = readOnly,
        }, tx, cancellationToken: ct));

    private async Task<T> RunAsync<T>(string name, string sql, TimeSpan? timeout, CancellationToken ct,
        Func<NpgsqlConnection, NpgsqlTransaction, string, int, Task<T>> run)
    {
        var limit = timeout ?? DefaultTimeout;
        var started = Stopwatch.GetTimestamp();
        try
        {
            await using var conn = await dataSource.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            // lock_timeout: a read never queues behind a lock another session holds (nor holds up, in the lock queue,
            // everything that arrives after it); it fails at once with SQLSTATE 55P03 instead.
            await ApplyTransactionSettingsAsync(conn, tx, limit, TimeSpan.FromMilliseconds(options.Value.Postgres.LockTimeoutMilliseconds), ct: ct);
            // The client-side timeout is a backstop a little beyond the server's.
            var result = await run(conn, tx, sql, (int)Math.Ceiling(limit.TotalSeconds) + 5);
            await tx.CommitAsync(ct);
            logger.LogDebug("Query {QueryName} took {ElapsedMs:0.0} ms", name, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return result;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.QueryCanceled)
        {
            logger.LogWarning("Query {QueryName} timed out after {TimeoutMs} ms", name, limit.TotalMilliseconds);
            throw new QueryTimeoutException(name, limit, e);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("Query {QueryName} failed after {ElapsedMs:0.0} ms: {Error}", name, Stopwatch.GetElapsedTime(started).TotalMilliseconds, LoggableError(e));
            throw;
        }
    }

    /// <summary>What of a failure may be logged: a server error's text can quote the input (a JSONPath token, an invalid uuid), so only its SQLSTATE.</summary>
    public static string LoggableError(Exception e) => e is PostgresException pe ? $"SQLSTATE {pe.SqlState}" : e.Message;
}
