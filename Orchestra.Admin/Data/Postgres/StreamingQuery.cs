using System.Diagnostics;
using Npgsql;

namespace Orchestra.Admin.Data.Postgres;

/// <summary>
/// A statement started by <see cref="PostgresQueryRunner.OpenStreamAsync"/>: its rows are read one at a time on a
/// connection and transaction of its own, held until it is disposed. Disposed before its last row, the statement is
/// cancelled on the server (disposing the reader alone would read every remaining row); either way the connection
/// goes back to its pool.
/// </summary>
public sealed class StreamingQuery : IAsyncDisposable
{
    private readonly NpgsqlConnection conn;
    private readonly NpgsqlTransaction tx;
    private readonly NpgsqlCommand command;
    private readonly NpgsqlDataReader reader;
    private readonly TimeSpan timeout;
    private readonly long started;
    private readonly ILogger logger;
    private bool completed;

    internal StreamingQuery(string name, NpgsqlConnection conn, NpgsqlTransaction tx, NpgsqlCommand command, NpgsqlDataReader reader,
        TimeSpan timeout, long started, ILogger logger)
    {
        (Name, this.conn, this.tx, this.command, this.reader) = (name, conn, tx, command, reader);
        (this.timeout, this.started, this.logger) = (timeout, started, logger);
    }

    /// <summary>What the log calls it.</summary>
    public string Name { get; }

    /// <summary>The current row's columns (<see cref="ReadAsync"/> moves on).</summary>
    public NpgsqlDataReader Row => reader;

    /// <summary>Moves to the next row; false after the last. Past the statement timeout: <see cref="QueryTimeoutException"/>.</summary>
    public async Task<bool> ReadAsync(CancellationToken ct)
    {
        try
        {
            return await reader.ReadAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.QueryCanceled && !ct.IsCancellationRequested)
        {
            logger.LogWarning("Query {QueryName} timed out after {TimeoutMs} ms", Name, timeout.TotalMilliseconds);
            throw new QueryTimeoutException(Name, timeout, e);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("Query {QueryName} failed after {ElapsedMs:0.0} ms: {Error}", Name, Stopwatch.GetElapsedTime(started).TotalMilliseconds, PostgresQueryRunner.LoggableError(e));
            throw;
        }
    }

    /// <summary>After the last row: ends the statement and commits.</summary>
    public async Task CompleteAsync(CancellationToken ct)
    {
        await reader.DisposeAsync();
        await tx.CommitAsync(ct);
        completed = true;
        logger.LogDebug("Query {QueryName} took {ElapsedMs:0.0} ms", Name, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

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
