using Dapper;
using Npgsql;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Documents;

/// <summary>
/// A small documents table with known content: "shop" (documents s1..s6 for the filters), "other" (look-alikes in
/// another collection), "paged" (100 documents on 5 created_at and 3 updated_at values: many ties) and "nulls"
/// (30 documents, some with NULL timestamps).
/// </summary>
public sealed class DocumentsDatabase : PostgresDatabase
{
    public static readonly DateTime PagedCreatedBase = new(2024, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    /// <summary>The rows above (also seeded by other fixtures that need a little of everything).</summary>
    internal const string SeedSql = """
            INSERT INTO documents (collection, data, metadata, created_at, updated_at) VALUES
            ('shop', '{"name":"s1","status":"active","tags":["x","y"],"score":7,"nested":{"k":1}}', '{"source":"import"}', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'),
            ('shop', '{"name":"s2","status":"active","tags":["y"],"score":3}', '{"source":"api"}', '2024-02-01T00:00:00Z', '2024-02-01T00:00:00Z'),
            ('shop', '{"name":"s3","status":"archived","tags":["x"],"score":9,"note":"50%_off"}', '{}', '2024-03-01T00:00:00Z', '2024-03-01T00:00:00Z'),
            ('shop', '{"name":"s4","status":"active","score":5.5,"note":"path C:\\temp\\x"}', '{"source":"import"}', '2024-04-01T00:00:00Z', '2024-06-01T00:00:00Z'),
            ('shop', jsonb_build_object('name', 's5', 'status', 'draft', 'note', 'O''Brien said 50% off', 'long', repeat('x', 300)), '{}', '2024-05-01T00:00:00Z', '2024-05-01T00:00:00Z'),
            ('shop', jsonb_build_object('name', 's6', 'flag', true, 'note', '''; DROP TABLE documents; --', '''; DROP TABLE documents; --', 1), NULL, '2024-05-15T00:00:00Z', '2024-05-15T00:00:00Z'),
            ('other', '{"name":"o1","status":"active","tags":["x","y"],"score":7,"note":"50%_off"}', '{"source":"api"}', '2024-02-01T00:00:00Z', '2024-02-01T00:00:00Z'),
            ('other', '[1, 2, 3]', '{}', '2024-02-02T00:00:00Z', '2024-02-02T00:00:00Z');

            INSERT INTO documents (collection, data, created_at, updated_at)
            SELECT 'paged',
                   jsonb_build_object('n', g, 'name', 'p' || g),
                   '2024-03-01T12:00:00Z'::timestamptz + (g % 5) * interval '1 hour',
                   '2024-04-01T12:00:00Z'::timestamptz + (g % 3) * interval '1 minute'
            FROM generate_series(1, 100) AS g;

            INSERT INTO documents (collection, data, created_at, updated_at)
            SELECT 'nulls',
                   jsonb_build_object('n', g),
                   CASE WHEN g % 3 = 0 THEN NULL ELSE '2024-03-01T00:00:00Z'::timestamptz + (g % 2) * interval '1 day' END,
                   CASE WHEN g % 5 = 0 THEN NULL ELSE '2024-03-05T00:00:00Z'::timestamptz END
            FROM generate_series(1, 30) AS g;
            """;

    protected override async Task SeedAsync()
    {
        await using var conn = await OpenOtherConnectionAsync("test-seed");
        await conn.ExecuteAsync(SeedSql);
    }

    /// <summary>id → name (data->>'name') of the shop and other collections.</summary>
    public async Task<Dictionary<Guid, string>> NamesAsync()
    {
        await using var conn = await OpenOtherConnectionAsync();
        return (await conn.QueryAsync<(Guid Id, string Name)>("SELECT id, data->>'name' FROM documents WHERE data ? 'name'"))
            .ToDictionary(r => r.Id, r => r.Name);
    }

    public async Task<Guid> IdOfAsync(string name)
    {
        await using var conn = await OpenOtherConnectionAsync();
        return await conn.ExecuteScalarAsync<Guid>("SELECT id FROM documents WHERE data->>'name' = @name", new { name });
    }
}

/// <summary>
/// A documents table past the collection list's exact-count threshold (100,000 rows): 120,000 documents in
/// "events" 90,000, "orders" 29,000, "audit" 600, "users" 400, interleaved as a live stack writes them. ANALYZE'd with
/// documents.collection's statistics target at 1, so only "events" is among the most common values and the other
/// three are estimated as the planner does for any value outside that list (as with more collections than the
/// statistics target).
/// </summary>
public sealed class LargeDocumentsDatabase : PostgresDatabase
{
    public const int Total = 120_000;
    public static readonly IReadOnlyDictionary<string, int> Counts = new Dictionary<string, int>
    {
        ["events"] = 90_000, ["orders"] = 29_000, ["audit"] = 600, ["users"] = 400,
    };

    protected override async Task SeedAsync()
    {
        await using var conn = await OpenOtherConnectionAsync("test-seed");
        // g % 1200: 0..899 events, 900..1189 orders, 1190..1195 audit, 1196..1199 users (interleaved, 100 rounds).
        await conn.ExecuteAsync("""
            INSERT INTO documents (collection, data, metadata, created_at, updated_at)
            SELECT CASE WHEN g % 1200 < 900 THEN 'events'
                        WHEN g % 1200 < 1190 THEN 'orders'
                        WHEN g % 1200 < 1196 THEN 'audit'
                        ELSE 'users' END,
                   jsonb_build_object('n', g, 'kind', 'k' || (g % 7), 'payload', repeat('p', 40 + g % 60)),
                   jsonb_build_object('batch', g / 1000),
                   '2024-01-01T00:00:00Z'::timestamptz + g * interval '1 second',
                   '2024-01-01T00:00:00Z'::timestamptz + g * interval '1 second' + (g % 1000) * interval '1 minute'
            FROM generate_series(0, 119999) AS g;
            ALTER TABLE documents ALTER COLUMN collection SET STATISTICS 1;
            """, commandTimeout: 300);
        await conn.ExecuteAsync("VACUUM ANALYZE documents", commandTimeout: 300);
    }
}

/// <summary>Checks that nothing in the stack's tables changed.</summary>
public static class DocumentsChecksum
{
    public static async Task<string> OfAsync(PostgresDatabase db)
    {
        await using var conn = await db.OpenOtherConnectionAsync("test-checksum");
        return await conn.ExecuteScalarAsync<string>("""
            SELECT (SELECT count(*) FROM pg_tables WHERE schemaname IN ('public', 'cache', 'sessions'))::text
                   || ':' || count(*)::text
                   || ':' || COALESCE(md5(string_agg(
                        d.id::text || d.collection || d.data::text || COALESCE(d.metadata::text, '-')
                        || COALESCE(d.created_at::text, '-') || COALESCE(d.updated_at::text, '-'), ',' ORDER BY d.id)), '')
            FROM documents AS d
            """) ?? "";
    }
}

/// <summary>Another session holding documents in ACCESS EXCLUSIVE mode: any statement that touches the table waits.</summary>
public sealed class DocumentsLock : IAsyncDisposable
{
    private readonly NpgsqlConnection conn;
    private readonly NpgsqlTransaction tx;

    private DocumentsLock(NpgsqlConnection conn, NpgsqlTransaction tx) => (this.conn, this.tx) = (conn, tx);

    public static async Task<DocumentsLock> TakeAsync(PostgresDatabase db)
    {
        var conn = await db.OpenOtherConnectionAsync("test-locker");
        var tx = await conn.BeginTransactionAsync();
        await conn.ExecuteAsync("LOCK TABLE documents IN ACCESS EXCLUSIVE MODE", transaction: tx);
        return new DocumentsLock(conn, tx);
    }

    public async ValueTask DisposeAsync()
    {
        await tx.RollbackAsync();
        await conn.DisposeAsync();
    }
}
