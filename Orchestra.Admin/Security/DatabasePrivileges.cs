using System.Text.RegularExpressions;
using Dapper;
using Npgsql;

namespace Orchestra.Admin.Security;

/// <summary>
/// Whether the dashboard's own database role may do what an action needs. With the read-only role of
/// sql/roles.sql the actions are then shown disabled, with this reason, instead of failing when clicked.
/// </summary>
public interface IDatabasePrivileges
{
    /// <summary>Null when allowed; otherwise the reason, e.g. "the database role orchestra_admin_app may not UPDATE task_queue".</summary>
    /// <param name="privilege">A table privilege (<c>DELETE</c>), or one on a column (<c>UPDATE (expires_at)</c>), which a
    /// grant on the whole table gives too.</param>
    Task<string?> MissingAsync(string table, string privilege, CancellationToken ct = default);
}

public sealed partial class DatabasePrivileges(NpgsqlDataSource dataSource) : IDatabasePrivileges
{
    public async Task<string?> MissingAsync(string table, string privilege, CancellationToken ct = default)
    {
        var onColumn = ColumnPrivilege().Match(privilege);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleAsync<(bool Allowed, string Role)>(new CommandDefinition(onColumn.Success
                ? "SELECT has_column_privilege(current_user, @table::regclass, @column, @privilege), current_user::text"
                : "SELECT has_table_privilege(current_user, @table::regclass, @privilege), current_user::text",
            new { table, privilege = onColumn.Success ? onColumn.Groups[1].Value : privilege, column = onColumn.Groups[2].Value },
            cancellationToken: ct));
        return row.Allowed ? null : $"the database role {row.Role} may not {privilege} {table} (see sql/roles.sql)";
    }

    [GeneratedRegex(@"^(\w+)\s*\((\w+)\)$", RegexOptions.NonBacktracking)]
    private static partial Regex ColumnPrivilege();
}
