using System.Diagnostics;
using System.Globalization;
using Dapper;
using Npgsql;
using NpgsqlTypes;
using Orchestra.Admin.Data.Postgres;

namespace Orchestra.Admin.Features.Demo;

/// <summary>
/// Fills the stack's tables with realistic demo data, reproducibly (a fixed Bogus seed) and quickly (binary COPY).
/// A table is filled only when it is empty, so a second run adds nothing and a real database's data is never mixed with demo rows.
/// </summary>
public sealed class DemoSeeder(NpgsqlDataSource dataSource, DemoSeedSize size, TimeProvider? time = null, Action<string>? progress = null)
{
    /// <summary>The demo's Bogus seed. Each table's generator gets its own seed derived from it, so a table that is
    /// left alone does not change what the others get.</summary>
    public const int Seed = 20_250_601;

    public const string Documents = "documents";
    public const string Tasks = "task_queue";
    public const string Sessions = "sessions.sessions";
    public const string Cache = "cache.default_cache";
    public const string EmbeddingsCache = EmbeddingCacheGenerator.Table;

    // Reads a dashboard and the workers would make, run after seeding so the statistics have reads to show.
    private static readonly Dictionary<string, string[]> WarmUpQueries = new()
    {
        [Documents] =
        [
            "SELECT collection, count(*) FROM documents GROUP BY collection",
            """SELECT id FROM documents WHERE data @> '{"active": true}' LIMIT 50""",
        ],
        [Tasks] =
        [
            "SELECT status, count(*) FROM task_queue GROUP BY status",
            "SELECT id FROM task_queue WHERE status = 'pending' ORDER BY priority DESC, created_at LIMIT 10",
        ],
        [Sessions] = ["SELECT count(*) FROM sessions.sessions WHERE deleted_at IS NULL AND expires_at > now()"],
        [Cache] = ["SELECT value FROM cache.default_cache WHERE key = ANY (ARRAY(SELECT key FROM cache.default_cache ORDER BY key LIMIT 200))"],
        [EmbeddingsCache] = ["SELECT key, access_count FROM public.orchestra_embeddings_cache WHERE expires_at > now() ORDER BY key LIMIT 100"],
    };

    public async Task<DemoSeedReport> SeedAsync(CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        var now = (time ?? TimeProvider.System).GetUtcNow().UtcDateTime;

        Log("Creating the stack's tables and the dashboard's schema where missing…");
        await SqlScripts.ApplyStackSchemaAsync(dataSource, ct);
        await SqlScripts.MigrateAdminSchemaAsync(dataSource, ct);
        await using (var conn = await dataSource.OpenConnectionAsync(ct))
            await conn.ExecuteAsync(new CommandDefinition(EmbeddingCacheGenerator.CreateTableSql, cancellationToken: ct));

        var tables = new List<TableSeedResult>
        {
            await SeedTableAsync(Documents, "id, collection, data, metadata, created_at, updated_at",
                size.Documents, new DocumentGenerator(Seed + 1, now).Generate(size.Documents), WriteDocumentAsync, ct),
            await SeedTableAsync(Tasks, "id, task_type, payload, status, priority, created_at, started_at, completed_at, error",
                size.Tasks, new TaskGenerator(Seed + 2, now).Generate(size.Tasks), WriteTaskAsync, ct),
            await SeedTableAsync(Sessions, "session_id, user_id, data, ip_address, user_agent, created_at, updated_at, expires_at, deleted_at",
                size.Sessions, new SessionGenerator(Seed + 3, now).Generate(size.Sessions), WriteSessionAsync, ct),
            await SeedTableAsync(Cache, CacheColumns,
                size.CacheEntries, new CacheEntryGenerator(Seed + 4, now).Generate(size.CacheEntries), WriteCacheAsync, ct),
            await SeedTableAsync(EmbeddingsCache, CacheColumns,
                size.EmbeddingCacheEntries, new EmbeddingCacheGenerator(Seed + 5, now).Generate(size.EmbeddingCacheEntries), WriteCacheAsync, ct),
        };

        var seeded = tables.Where(t => !t.LeftAlone).Select(t => t.Table).ToList();
        if (seeded.Count > 0)
        {
            await AnalyzeAndReadAsync(seeded, ct);
        }
        await ApplyRolesAsync(ct);
        var report = new DemoSeedReport(tables, clock.Elapsed);
        Log(string.Create(CultureInfo.InvariantCulture, $"Done in {report.Elapsed.TotalSeconds:0.0} s: {report.RowsInserted:N0} rows inserted."));
        return report;
    }

    private const string CacheColumns = "key, value, expires_at, created_at, accessed_at, access_count";

    private async Task<TableSeedResult> SeedTableAsync<T>(
        string table, string columns, int count, IEnumerable<T> rows,
        Func<NpgsqlBinaryImporter, T, CancellationToken, Task> writeRow, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // Shuts out other writers (not readers) until commit, so no row can arrive between the check and the copy.
        await conn.ExecuteAsync(new CommandDefinition(
            $"SET LOCAL lock_timeout = '10s'; LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE", transaction: tx, cancellationToken: ct));
        var hasRows = await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
            $"SELECT EXISTS (SELECT 1 FROM {table})", transaction: tx, cancellationToken: ct));
        if (hasRows)
        {
            var untouched = new TableSeedResult(table, 0, LeftAlone: true, clock.Elapsed);
            Log(untouched.ToString());
            return untouched; // disposing the transaction rolls it back
        }

        Log(string.Create(CultureInfo.InvariantCulture, $"{table}: inserting {count:N0} rows…"));
        ulong inserted;
        await using (var importer = await conn.BeginBinaryImportAsync($"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)", ct))
        {
            importer.Timeout = TimeSpan.FromMinutes(5);
            var written = 0;
            foreach (var row in rows)
            {
                await importer.StartRowAsync(ct);
                await writeRow(importer, row, ct);
                if (++written % 10_000 == 0 && written < count)
                    Log(string.Create(CultureInfo.InvariantCulture, $"{table}: {written:N0} of {count:N0}"));
            }
            inserted = await importer.CompleteAsync(ct);
        }
        await tx.CommitAsync(ct);

        var result = new TableSeedResult(table, (long)inserted, LeftAlone: false, clock.Elapsed);
        Log(result.ToString());
        return result;
    }

    /// <summary>ANALYZE makes pg_class.reltuples (the counts the dashboard shows) right at once; the reads give the cache hit ratio data.</summary>
    private async Task AnalyzeAndReadAsync(IReadOnlyList<string> tables, CancellationToken ct)
    {
        Log($"Analyzing {string.Join(", ", tables)}…");
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        foreach (var table in tables)
            await conn.ExecuteAsync(new CommandDefinition($"ANALYZE {table}", commandTimeout: 300, cancellationToken: ct));

        Log("Reading from the seeded tables…");
        for (var round = 0; round < 3; round++)
            foreach (var sql in tables.SelectMany(t => WarmUpQueries[t]))
                await conn.QueryAsync(new CommandDefinition(sql, cancellationToken: ct));
    }

    private static async Task WriteDocumentAsync(NpgsqlBinaryImporter w, DocumentRow r, CancellationToken ct)
    {
        await w.WriteAsync(r.Id, NpgsqlDbType.Uuid, ct);
        await w.WriteAsync(r.Collection, NpgsqlDbType.Text, ct);
        await w.WriteAsync(r.Data, NpgsqlDbType.Jsonb, ct);
        await w.WriteAsync(r.Metadata, NpgsqlDbType.Jsonb, ct);
        await w.WriteAsync(r.CreatedAt, NpgsqlDbType.TimestampTz, ct);
        await w.WriteAsync(r.UpdatedAt, NpgsqlDbType.TimestampTz, ct);
    }

    private static async Task WriteTaskAsync(NpgsqlBinaryImporter w, TaskRow r, CancellationToken ct)
    {
        await w.WriteAsync(r.Id, NpgsqlDbType.Uuid, ct);
        await w.WriteAsync(r.TaskType, NpgsqlDbType.Text, ct);
        await w.WriteAsync(r.Payload, NpgsqlDbType.Jsonb, ct);
        await w.WriteAsync(r.Status, NpgsqlDbType.Text, ct);
        await w.WriteAsync(r.Priority, NpgsqlDbType.Integer, ct);
        await w.WriteAsync(r.CreatedAt, NpgsqlDbType.TimestampTz, ct);
        await w.WriteAsync(r.StartedAt, NpgsqlDbType.TimestampTz, ct);
        await w.WriteAsync(r.CompletedAt, NpgsqlDbType.TimestampTz, ct);
        await w.WriteAsync(r.Error, NpgsqlDbType.Text, ct);
    }

    private static async Task WriteSessionAsync(NpgsqlBinaryImporter w, SessionRow r, CancellationToken ct)
    {
        await w.WriteAsync(r.SessionId, NpgsqlDbType.Uuid, ct);
        await w.WriteAsync(r.UserId, NpgsqlDbType.Text, ct);
        await w.WriteAsync(r.Data, NpgsqlDbType.Jsonb, ct);
        await w.WriteAsync(r.IpAddress, NpgsqlDbType.Inet, ct);
        await w.WriteAsync(r.UserAgent, NpgsqlDbType.Text, ct);
        await w.WriteAsync(r.CreatedAt, NpgsqlDbType.TimestampTz, ct);
        await w.WriteAsync(r.UpdatedAt, NpgsqlDbType.TimestampTz, ct);
        await w.WriteAsync(r.ExpiresAt, NpgsqlDbType.TimestampTz, ct);
        await w.WriteAsync(r.DeletedAt, NpgsqlDbType.TimestampTz, ct);
    }

    private static async Task WriteCacheAsync(NpgsqlBinaryImporter w, CacheRow r, CancellationToken ct)
    {
        await w.WriteAsync(r.Key, NpgsqlDbType.Text, ct);
        await w.WriteAsync(r.Value, NpgsqlDbType.Jsonb, ct);
        await w.WriteAsync(r.ExpiresAt, NpgsqlDbType.TimestampTz, ct);
        await w.WriteAsync(r.CreatedAt, NpgsqlDbType.TimestampTz, ct);
        await w.WriteAsync(r.AccessedAt, NpgsqlDbType.TimestampTz, ct);
        await w.WriteAsync(r.AccessCount, NpgsqlDbType.Integer, ct);
    }

    /// <summary>sql/roles.sql, so that the demo has EXPLAIN ANALYZE's restricted role (and the least-privilege roles to try).
    /// A login that may not create roles leaves it to the owner: the dashboard then shows ANALYZE disabled, saying so.</summary>
    private async Task ApplyRolesAsync(CancellationToken ct)
    {
        try
        {
            await SqlScripts.ApplyRolesAsync(dataSource, ct);
            Log("Applied sql/roles.sql (the least-privilege roles, and the role EXPLAIN ANALYZE runs as).");
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            Log($"Could not apply sql/roles.sql ({e.MessageText}): run it as the database owner to enable EXPLAIN ANALYZE.");
        }
    }

    private void Log(string line) => progress?.Invoke(line);
}
