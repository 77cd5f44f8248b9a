using System.Net;
using System.Text.Json;
using Dapper;
using Npgsql;

namespace Orchestra.Admin.Security;

public static class AuditActions
{
    public const string SignIn = "sign-in";
    public const string SignOut = "sign-out";
}

/// <param name="Parameters">What the operator asked for (filters, new values), serialized as JSON.</param>
/// <param name="PreviousJson">What was changed or removed, as it was before (JSON): nothing an operator does is lost.</param>
public sealed record AuditEntry(
    string Action,
    string Actor,
    string ActorRole,
    IPAddress? ClientIp,
    bool Succeeded,
    string? TargetTable = null,
    IReadOnlyList<string>? TargetIds = null,
    object? Parameters = null,
    string? PreviousJson = null,
    long? RowsAffected = null,
    string? Error = null);

/// <summary>Writes <c>orchestra_admin.audit_log</c> (append-only: see sql/admin/002_audit_log.sql).</summary>
public sealed class AuditLog(NpgsqlDataSource dataSource, ILogger<AuditLog> logger)
{
    private const string InsertSql = """
        INSERT INTO orchestra_admin.audit_log
            (actor, actor_role, client_ip, action, target_table, target_ids, parameters, previous, succeeded, rows_affected, error)
        VALUES
            (@actor, @actorRole, @clientIp::inet, @action, @targetTable, @targetIds, @parameters::jsonb, @previous::jsonb, @succeeded, @rowsAffected, @error)
        RETURNING id
        """;

    /// <summary>Inside the caller's transaction, so the change and its record commit or roll back together.</summary>
    public Task<long> WriteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, AuditEntry entry, CancellationToken ct = default) =>
        connection.ExecuteScalarAsync<long>(new CommandDefinition(InsertSql, new
        {
            actor = entry.Actor,
            actorRole = entry.ActorRole,
            clientIp = entry.ClientIp?.ToString(),
            action = entry.Action,
            targetTable = entry.TargetTable,
            targetIds = (entry.TargetIds ?? []).ToArray(),
            parameters = JsonSerializer.Serialize(entry.Parameters ?? new { }),
            previous = entry.PreviousJson,
            succeeded = entry.Succeeded,
            rowsAffected = entry.RowsAffected,
            error = entry.Error,
        }, transaction, cancellationToken: ct));

    /// <summary>On its own connection, for records that must not fail what they describe (a refused or failed action, a sign-in).</summary>
    public async Task<long?> TryWriteAsync(AuditEntry entry, CancellationToken ct = default)
    {
        try
        {
            await using var conn = await dataSource.OpenConnectionAsync(ct);
            return await WriteAsync(conn, null, entry, ct);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            logger.LogError("Could not write the audit record of {Action} by {Actor}: {Error}", entry.Action, entry.Actor, e.Message);
            return null;
        }
    }
}
