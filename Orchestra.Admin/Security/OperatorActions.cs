using Npgsql;

namespace Orchestra.Admin.Security;

/// <summary>An action that needs the Operator role, refused for a Viewer whatever the UI shows.</summary>
public sealed class OperatorRequiredException(string action)
    : Exception($"'{action}' needs the Operator role; you are signed in as a Viewer.")
{
    public string Action { get; } = action;
}

/// <summary>Input that an action refuses before changing anything; <see cref="Field"/> says where to show it.</summary>
public sealed class InvalidInputException(string field, string message) : FieldInputException(field, message);

/// <param name="Name">e.g. <c>task.requeue</c>.</param>
public sealed record OperatorAction(string Name, string? TargetTable, IReadOnlyList<string> TargetIds, object? Parameters = null);

/// <summary>What a change did: rows changed and the rows as they were before (JSON), for the audit log.</summary>
public sealed record ChangeOutcome(long RowsAffected, string? PreviousJson);

public sealed record ActionResult(long RowsAffected, long AuditId);

/// <summary>
/// The one path every operator action takes: authorize (Operator) → validate → one short transaction that makes the
/// change and writes its audit row → the number of rows changed. Refusals and failures are audited too.
/// </summary>
public sealed class OperatorActions(NpgsqlDataSource dataSource, AuditLog audit)
{
    public async Task<ActionResult> RunAsync(
        OperatorIdentity actor,
        OperatorAction action,
        Func<NpgsqlConnection, NpgsqlTransaction, CancellationToken, Task<ChangeOutcome>> change,
        Action? validate = null,
        CancellationToken ct = default)
    {
        var entry = new AuditEntry(action.Name, actor.Name, actor.Role, actor.ClientIp, Succeeded: false,
            action.TargetTable, action.TargetIds, action.Parameters);
        if (!actor.IsOperator)
        {
            await audit.TryWriteAsync(entry with { Error = "refused: needs the Operator role" }, ct);
            throw new OperatorRequiredException(action.Name);
        }
        validate?.Invoke();

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        try
        {
            var outcome = await change(conn, tx, ct);
            var id = await audit.WriteAsync(conn, tx,
                entry with { Succeeded = true, RowsAffected = outcome.RowsAffected, PreviousJson = outcome.PreviousJson }, ct);
            await tx.CommitAsync(ct);
            return new ActionResult(outcome.RowsAffected, id);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            try { await tx.RollbackAsync(CancellationToken.None); }
            catch (Exception) { /* the connection is broken: PostgreSQL rolls back on its own; report the first error */ }
            await audit.TryWriteAsync(entry with { Error = e.Message }, CancellationToken.None);
            throw;
        }
    }
}
