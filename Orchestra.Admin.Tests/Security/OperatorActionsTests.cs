using System.Net;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orchestra.Admin.Security;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Security;

public class OperatorActionsTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private static readonly OperatorIdentity Viewer = new("vera", AdminRoles.Viewer, IPAddress.Parse("10.1.2.3"));
    private static readonly OperatorIdentity Operator = new("otto", AdminRoles.Operator, IPAddress.Parse("10.1.2.4"));

    private OperatorActions Actions => new(db.DataSource, new AuditLog(db.DataSource, NullLogger<AuditLog>.Instance));

    private async Task<Guid> InsertFailedTaskAsync()
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        return await conn.ExecuteScalarAsync<Guid>(
            "INSERT INTO task_queue (task_type, payload, status, error) VALUES ('send_email', '{\"to\":\"a@b.c\"}', 'failed', 'timeout') RETURNING id");
    }

    // The kind of change later features make: guarded by the state it expects, previous values captured.
    private static Func<NpgsqlConnection, NpgsqlTransaction, CancellationToken, Task<ChangeOutcome>> Requeue(Guid id) =>
        async (conn, tx, ct) =>
        {
            var previous = await conn.QueryAsync<string>(new CommandDefinition("""
                WITH old AS (SELECT * FROM task_queue WHERE id = @id AND status = 'failed' FOR UPDATE)
                UPDATE task_queue AS t SET status = 'pending', error = NULL FROM old WHERE t.id = old.id
                RETURNING to_jsonb(old)::text
                """, new { id }, tx, cancellationToken: ct));
            var rows = previous.ToList();
            return new ChangeOutcome(rows.Count, "[" + string.Join(',', rows) + "]");
        };

    private async Task<dynamic> LastAuditAsync()
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        return await conn.QuerySingleAsync("SELECT *, host(client_ip) AS ip, previous::text AS previous_text FROM orchestra_admin.audit_log ORDER BY id DESC LIMIT 1");
    }

    private async Task<string> StatusAsync(Guid id)
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        return await conn.ExecuteScalarAsync<string>("SELECT status FROM task_queue WHERE id = @id", new { id }) ?? "";
    }

    [Fact]
    public async Task A_viewer_is_refused_nothing_changes_and_the_refusal_is_recorded()
    {
        var id = await InsertFailedTaskAsync();
        var changeRan = false;

        var e = await Assert.ThrowsAsync<OperatorRequiredException>(() => Actions.RunAsync(Viewer,
            new OperatorAction("task.requeue", "task_queue", [id.ToString()]),
            (c, t, ct) => { changeRan = true; return Requeue(id)(c, t, ct); }));

        Assert.Contains("needs the Operator role", e.Message);
        Assert.False(changeRan);
        Assert.Equal("failed", await StatusAsync(id));
        var audit = await LastAuditAsync();
        Assert.Equal(("vera", "Viewer", "task.requeue", false), ((string)audit.actor, (string)audit.actor_role, (string)audit.action, (bool)audit.succeeded));
        Assert.Equal("refused: needs the Operator role", (string)audit.error);
        Assert.Equal("10.1.2.3", (string)audit.ip);
    }

    [Fact]
    public async Task Invalid_input_is_refused_before_anything_changes()
    {
        var id = await InsertFailedTaskAsync();
        await Assert.ThrowsAsync<InvalidInputException>(() => Actions.RunAsync(Operator,
            new OperatorAction("task.requeue", "task_queue", [id.ToString()]), Requeue(id),
            validate: () => throw new InvalidInputException("priority", "priority must be a whole number")));
        Assert.Equal("failed", await StatusAsync(id));
    }

    [Fact]
    public async Task An_operator_action_changes_and_records_in_one_transaction_with_previous_values()
    {
        var id = await InsertFailedTaskAsync();

        var result = await Actions.RunAsync(Operator, new OperatorAction("task.requeue", "task_queue", [id.ToString()], new { priority = 5 }), Requeue(id));

        Assert.Equal(1, result.RowsAffected);
        Assert.Equal("pending", await StatusAsync(id));
        var audit = await LastAuditAsync();
        Assert.Equal(result.AuditId, (long)audit.id);
        Assert.True((bool)audit.succeeded);
        Assert.Equal(1L, (long)audit.rows_affected);
        Assert.Equal(new[] { id.ToString() }, (string[])audit.target_ids);
        using var previous = JsonDocument.Parse((string)audit.previous_text);
        Assert.Equal("failed", previous.RootElement[0].GetProperty("status").GetString());
        Assert.Equal("timeout", previous.RootElement[0].GetProperty("error").GetString());

        // Guarded by the expected state: running it again changes nothing, and says so.
        var again = await Actions.RunAsync(Operator, new OperatorAction("task.requeue", "task_queue", [id.ToString()]), Requeue(id));
        Assert.Equal(0, again.RowsAffected);
    }

    [Fact]
    public async Task A_failing_change_is_rolled_back_and_the_failure_recorded()
    {
        var id = await InsertFailedTaskAsync();
        await Assert.ThrowsAsync<PostgresException>(() => Actions.RunAsync(Operator,
            new OperatorAction("task.requeue", "task_queue", [id.ToString()]),
            async (conn, tx, ct) =>
            {
                await Requeue(id)(conn, tx, ct);
                await conn.ExecuteAsync("SELECT 1 / 0", transaction: tx);
                return new ChangeOutcome(1, null);
            }));

        Assert.Equal("failed", await StatusAsync(id));
        var audit = await LastAuditAsync();
        Assert.False((bool)audit.succeeded);
        Assert.Contains("division by zero", (string)audit.error);
    }

    [Theory]
    [InlineData("UPDATE orchestra_admin.audit_log SET actor = 'someone else'")]
    [InlineData("DELETE FROM orchestra_admin.audit_log")]
    [InlineData("TRUNCATE orchestra_admin.audit_log")]
    public async Task The_audit_log_is_append_only_even_for_the_apps_own_role(string sql)
    {
        await new AuditLog(db.DataSource, NullLogger<AuditLog>.Instance).TryWriteAsync(new AuditEntry("test", "otto", "Operator", null, true));
        await using var conn = await db.DataSource.OpenConnectionAsync(); // the app's connection (here: the owner)
        var e = await Assert.ThrowsAsync<PostgresException>(() => conn.ExecuteAsync(sql));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, e.SqlState);
        Assert.Contains("append-only", e.MessageText);
    }
}
