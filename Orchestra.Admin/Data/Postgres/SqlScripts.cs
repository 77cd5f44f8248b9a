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
        var applied = new List<string>();
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using (var tx = await conn.BeginTransactionAsync(ct))
        {
            await conn.ExecuteAsync("SELECT pg_advisory_xact_lock(@key)", new { key = MigrationLockKey }, tx);
            await conn.ExecuteAsync("""
                CREATE SCHEMA IF NOT EXISTS orchestra_admin;
                CREATE TABLE IF NOT EXISTS orchestra_admin.schema_versions (
                    script      text PRIMARY KEY,
                    applied_at  timestamptz NOT NULL DEFAULT now()
                );
                """, transaction: tx);
            await tx.CommitAsync(ct);
        }
        foreach (var (name, sql) in SqlCatalog.Folder("admin"))
        {
            await using var tx = await conn.BeginTransactionAsync(ct);
            await conn.ExecuteAsync("SELECT pg_advisory_xact_lock(@key)", new { key = MigrationLockKey }, tx);
            var done = await conn.ExecuteScalarAsync<bool>(
                "SELECT EXISTS (SELECT 1 FROM orchestra_admin.schema_versions WHERE script = @name)", new { name }, tx);
            if (done) { await tx.RollbackAsync(ct); continue; }
            await conn.ExecuteAsync(new CommandDefinition(sql, transaction: tx, commandTimeout: 0, cancellationToken: ct));
            await conn.ExecuteAsync("INSERT INTO orchestra_admin.schema_versions (script) VALUES (@name)", new { name }, tx);
            await tx.CommitAsync(ct);
            applied.Add(name);
        }
        return applied;
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
