using Dapper;
using Npgsql;

namespace Orchestra.Admin.Data.Postgres;

/// <summary>Applies the embedded scripts: the dashboard's own schema, and (for the demo and tests) the stack's.</summary>
public static class SqlScripts
{
    // Any constant works: it only has to be the same for every instance of the dashboard.
    private const long MigrationLockKey = 0x4F72636865737472; // "Orchestr"

    /// <summary>
    /// Applies <c>sql/admin/*.sql</c> in file-name order, each once, each in its own transaction with
    /// its row in orchestra_admin.schema_versions. An advisory lock lets several instances start together.
    /// Returns the names of the scripts it applied.
    /// </summary>
    public static async Task<IReadOnlyList<string>> MigrateAdminSchemaAsync(NpgsqlDataSource dataSource, CancellationToken ct = default)
    {
        var scripts = SqlCatalog.Folder("admin");
        var applied = new List<string>();
        await using var conn = await dataSource.OpenConnectionAsync(ct);

        // Up to date: change nothing. This is also what lets the dashboard run with a read-only role
        // once the schema has been applied by a role that may create it (see sql/roles.sql).
        var recorded = await RecordedScriptsAsync(conn, ct);
        if (scripts.All(s => recorded.Contains(s.Name))) return applied;

        // A session lock, taken before the transactions: each transaction that starts after it is granted sees what
        // another instance committed meanwhile (a transaction-level advisory lock would not refresh the catalog
        // cache, and CREATE … IF NOT EXISTS could then still collide).
        await conn.ExecuteAsync(new CommandDefinition(SqlCatalog.Get("migrator/lock"), new { key = MigrationLockKey }, cancellationToken: ct));
        try
        {
            await conn.ExecuteAsync(new CommandDefinition(SqlCatalog.Get("migrator/bootstrap"), cancellationToken: ct));
            recorded = await RecordedScriptsAsync(conn, ct);
            foreach (var (name, sql) in scripts.Where(s => !recorded.Contains(s.Name)))
            {
                await using var tx = await conn.BeginTransactionAsync(ct);
                await conn.ExecuteAsync(new CommandDefinition(sql, transaction: tx, commandTimeout: 0, cancellationToken: ct));
                await conn.ExecuteAsync(new CommandDefinition(SqlCatalog.Get("migrator/record"), new { name }, tx, cancellationToken: ct));
                await tx.CommitAsync(ct);
                applied.Add(name);
            }
        }
        finally
        {
            await conn.ExecuteAsync(SqlCatalog.Get("migrator/unlock"), new { key = MigrationLockKey });
        }
        return applied;
    }

    private static async Task<HashSet<string>> RecordedScriptsAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var exists = await conn.ExecuteScalarAsync<bool>(new CommandDefinition(SqlCatalog.Get("migrator/versions_exist"), cancellationToken: ct));
        if (!exists) return [];
        return (await conn.QueryAsync<string>(new CommandDefinition(SqlCatalog.Get("migrator/applied_scripts"), cancellationToken: ct)))
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Applies <c>sql/roles.sql</c> (the least-privilege roles, and the restricted role EXPLAIN ANALYZE runs as). For the
    /// demo and tests: on a real stack its owner runs it (see the file).</summary>
    public static async Task ApplyRolesAsync(NpgsqlDataSource dataSource, CancellationToken ct = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var conn = await dataSource.OpenConnectionAsync(ct);
                await conn.ExecuteAsync(new CommandDefinition(SqlCatalog.Get("roles"), commandTimeout: 0, cancellationToken: ct));
                return;
            }
            // Roles are the cluster's: two databases of one server applying it at once collide on CREATE ROLE (23505) or
            // on a GRANT to the same role ("tuple concurrently updated", XX000). The script is idempotent: run it again.
            catch (PostgresException e) when (attempt < 5 && e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.InternalError)
            {
                await Task.Delay(100 * attempt, ct);
            }
        }
    }

    /// <summary>Creates the stack's tables (<c>sql/schema</c>) where they are missing. For the demo and tests only:
    /// the dashboard never changes the shape of a real stack's tables.</summary>
    public static async Task ApplyStackSchemaAsync(NpgsqlDataSource dataSource, CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        foreach (var (_, sql) in SqlCatalog.Folder("schema"))
            await conn.ExecuteAsync(new CommandDefinition(sql, commandTimeout: 0, cancellationToken: ct));
    }
}
