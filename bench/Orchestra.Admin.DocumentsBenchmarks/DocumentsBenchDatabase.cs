using Orchestra.Admin.Benchmarks.Shared;
using System.Globalization;
using Dapper;
using Npgsql;

namespace Orchestra.Admin.DocumentsBenchmarks;

/// <summary>
/// The benchmark's database: a fresh database on the tests' throwaway cluster (or on the server <c>BENCH_POSTGRES_DSN</c>
/// names) with the stack's schema exactly as the stack creates it (indexes on collection, GIN on data and metadata) and
/// the dashboard's own schema; collection "events" with 1,000,000 documents and four other collections with 300,000
/// more (<see cref="OtherCollections"/>), VACUUM ANALYZE'd. Dropped at the end.
/// </summary>
public sealed class DocumentsBenchDatabase : BenchDatabase
{
    public const string Collection = "events";
    public const int CollectionDocuments = 1_000_000;
    /// <summary>The other collections' documents, interleaved with the big one's as a live stack writes them.</summary>
    public const int OtherDocuments = 300_000;
    public const string OtherCollections = "orders (60 %), users (20 %), audit (10 %), carts (10 %)";

    private DocumentsBenchDatabase() : base("orchestra_docbench_", setupPoolSize: 10) { }

    public static Task<DocumentsBenchDatabase> CreateAsync(Action<string> log) => CreateAsync(new DocumentsBenchDatabase(), log);

    protected override async Task LoadAsync(NpgsqlDataSource setup, Action<string> done)
    {
        done("stack schema (documents with its indexes on collection, GIN(data), GIN(metadata)) and the dashboard's schema");

        // Loading is faster without the secondary indexes; they are rebuilt afterwards exactly as the stack defines them.
        List<(string Name, string Definition)> indexes;
        await using (var conn = await setup.OpenConnectionAsync())
        {
            indexes = (await conn.QueryAsync<(string, string)>("""
                SELECT indexname, indexdef FROM pg_indexes
                WHERE schemaname = 'public' AND tablename = 'documents' AND indexname <> 'documents_pkey'
                ORDER BY indexname
                """)).ToList();
            foreach (var (index, _) in indexes)
                await conn.ExecuteAsync($"DROP INDEX public.\"{index}\"");
        }

        // g = 1 .. total, one collection per g as a stack interleaves its writes: "events" takes 10 of every 13 rows.
        var total = CollectionDocuments + OtherDocuments;
        await BenchServer.InsertInChunksAsync(setup, InsertSql, total, chunk: 100_000);
        done(string.Create(CultureInfo.InvariantCulture, $"{total:N0} documents inserted"));

        await using (var conn = await setup.OpenConnectionAsync())
        {
            await conn.ExecuteAsync("SET maintenance_work_mem = '512MB'");
            foreach (var (_, definition) in indexes)
                await conn.ExecuteAsync(definition);
        }
        done($"indexes rebuilt: {string.Join(", ", indexes.Select(i => i.Name))}");

        await using (var conn = await setup.OpenConnectionAsync())
        {
            await conn.ExecuteAsync("VACUUM (ANALYZE) documents");
            await BenchServer.CheckpointAsync(conn);
        }
        done("VACUUM (ANALYZE) documents, CHECKPOINT");

        await using (var conn = await setup.OpenConnectionAsync())
            Figures = await FiguresAsync(conn);
    }

    /// <summary>
    /// One chunk of the documents (@from..@to of 1..1,300,000). Realistic small objects (≈ 400 characters of JSON: a
    /// type, a user, a session id, a status, a score, tags, a nested device object and a sentence of text) and
    /// metadata. created_at advances 2 minutes every 4 documents of a collection (ties: 4 documents share each time),
    /// about 11 months for "events"; 1 in 100,000 has none (NULL, which the grid sorts as the oldest); updated_at is
    /// later by up to 16 hours.
    /// </summary>
    private static string InsertSql => string.Create(CultureInfo.InvariantCulture, $"""
        INSERT INTO documents (collection, data, metadata, created_at, updated_at)
        SELECT c.collection,
               jsonb_build_object(
                   'type', (ARRAY['page_view', 'click', 'purchase', 'signup', 'logout', 'search'])[1 + g % 6],
                   'user_id', 'u' || lpad(((g * 7919) % 250000)::text, 6, '0'),
                   'session', md5(g::text),
                   'status', (ARRAY['active', 'archived', 'pending'])[1 + g % 3],
                   'score', ((g * 31) % 1000) / 10.0,
                   'tags', jsonb_build_array('t' || g % 7, 't' || g % 13, 't' || g % 29),
                   'device', jsonb_build_object('os', (ARRAY['ios', 'android', 'web'])[1 + g % 3], 'version', '2.' || g % 20 || '.' || g % 7),
                   'message', 'Event ' || g || ' from ' || md5((g * 2)::text) || ' after ' || (g % 977) || ' ms on ' || md5((g * 3)::text)
               ),
               jsonb_build_object('source', (ARRAY['api', 'import', 'worker'])[1 + g % 3], 'batch', g / 1000, 'schema', 3),
               CASE WHEN g % 100000 = 77 THEN NULL
                    ELSE '2024-01-01T00:00:00Z'::timestamptz + (c.n / 4) * interval '2 minutes' END,
               '2024-01-01T00:00:00Z'::timestamptz + (c.n / 4) * interval '2 minutes' + (g % 1000) * interval '1 minute'
        FROM generate_series(@from::bigint, @to::bigint) AS g
        CROSS JOIN LATERAL (
            -- 10 of every 13 rows are {Collection}'s; n is a row's position in its collection (its time).
            SELECT CASE WHEN g % 13 < 10 THEN '{Collection}'
                        ELSE (ARRAY['orders', 'orders', 'orders', 'orders', 'orders', 'orders', 'users', 'users', 'audit', 'carts'])[1 + (g / 13) % 10]
                   END AS collection,
                   CASE WHEN g % 13 < 10 THEN (g / 13) * 10 + g % 13 ELSE (g / 13) * 3 + g % 13 - 10 END AS n
        ) AS c
        """);

    private static async Task<string> FiguresAsync(NpgsqlConnection conn)
    {
        var counts = (await conn.QueryAsync<(string Collection, long Count)>(
            "SELECT collection, count(*) FROM documents GROUP BY collection ORDER BY count(*) DESC")).ToList();
        var (avgJson, nullTimes, distinctTimes) = await conn.QuerySingleAsync<(double, long, long)>($"""
            SELECT avg(length(data::text))::float8, count(*) FILTER (WHERE created_at IS NULL), count(DISTINCT created_at)
            FROM documents WHERE collection = '{Collection}'
            """);
        var (tableBytes, totalBytes) = await conn.QuerySingleAsync<(long, long)>(
            "SELECT pg_table_size('documents'), pg_total_relation_size('documents')");
        return string.Create(CultureInfo.InvariantCulture,
            $"documents: {string.Join(", ", counts.Select(c => $"{c.Collection} {c.Count:N0}"))} ({counts.Sum(c => c.Count):N0} rows); " +
            $"{Collection}: {avgJson:0} characters of JSON per document on average, {distinctTimes:N0} distinct created_at values " +
            $"(ties of 4), {nullTimes} without one; table {tableBytes / 1048576.0:N0} MB, {totalBytes / 1048576.0:N0} MB with its indexes");
    }
}
