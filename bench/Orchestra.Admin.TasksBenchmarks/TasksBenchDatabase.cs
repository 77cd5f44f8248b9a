using System.Globalization;
using Dapper;
using Npgsql;
using Orchestra.Admin.Benchmarks.Shared;

namespace Orchestra.Admin.TasksBenchmarks;

/// <summary>
/// The benchmark's database: a fresh database on the tests' throwaway cluster (or on BENCH_POSTGRES_DSN's server) with
/// the stack's task_queue exactly as the stack creates it (primary key only) and the dashboard's schema, loaded with
/// <see cref="Total"/> tasks (BENCH_TASKS, default 5,000,000): 1 in 50 failed (100,000 of 5 million) with errors of a
/// dozen kinds carrying varying numbers, ids and hosts; 1 in 100 pending; a few running; the rest completed, over 30
/// days. VACUUM ANALYZE'd. Dropped at the end.
/// </summary>
public sealed class TasksBenchDatabase : BenchDatabase
{
    public static int Total => int.TryParse(Environment.GetEnvironmentVariable("BENCH_TASKS"), out var n) && n > 0 ? n : 5_000_000;
    public const int FailedEvery = 50;


    private TasksBenchDatabase() : base("orchestra_taskbench_", setupPoolSize: 10) { }

    public static Task<TasksBenchDatabase> CreateAsync(Action<string> log) => CreateAsync(new TasksBenchDatabase(), log);

    protected override async Task LoadAsync(NpgsqlDataSource setup, Action<string> done)
    {
        await using (var conn = await setup.OpenConnectionAsync())
            await conn.ExecuteAsync("ALTER TABLE task_queue DROP CONSTRAINT task_queue_pkey"); // rebuilt after the load
        done("stack schema (task_queue: primary key only) and the dashboard's schema");

        await BenchServer.InsertInChunksAsync(setup, InsertSql, Total, chunk: 250_000, new { total = Total });
        done(string.Create(CultureInfo.InvariantCulture, $"{Total:N0} tasks inserted"));

        await using (var conn = await setup.OpenConnectionAsync())
        {
            await conn.ExecuteAsync("SET maintenance_work_mem = '512MB'");
            await conn.ExecuteAsync("ALTER TABLE task_queue ADD PRIMARY KEY (id)");
            done("primary key rebuilt");
            await conn.ExecuteAsync("VACUUM (ANALYZE) task_queue");
            await BenchServer.CheckpointAsync(conn);
            done("VACUUM (ANALYZE) task_queue, CHECKPOINT");
            var counts = (await conn.QueryAsync<(string Status, long Count)>("SELECT status, count(*) FROM task_queue GROUP BY status ORDER BY 2 DESC")).ToList();
            var bytes = await conn.ExecuteScalarAsync<long>("SELECT pg_total_relation_size('task_queue')");
            Figures = string.Create(CultureInfo.InvariantCulture,
                $"task_queue: {string.Join(", ", counts.Select(c => $"{c.Status} {c.Count:N0}"))} ({counts.Sum(c => c.Count):N0} rows, {bytes / 1048576.0:N0} MB with its primary key)");
        }
    }

    /// <summary>Tasks @from..@to: g % 50 = 0 failed, g % 100 = 1 pending, g % 10,000 = 3 running, the rest completed.</summary>
    private const string InsertSql = """
        INSERT INTO task_queue (id, task_type, payload, status, priority, created_at, started_at, completed_at, error)
        SELECT gen_random_uuid(),
               (ARRAY['send_email', 'generate_embedding', 'webhook_delivery', 'resize_image', 'sync_crm', 'generate_report', 'cleanup'])[1 + g % 7],
               jsonb_build_object('customer_id', g % 20000, 'attempt', 1 + g % 3, 'ref', md5(g::text)),
               s.status,
               (ARRAY[0, 0, 0, 0, 0, 0, 1, 2, 5, 10])[1 + g % 10],
               t.created,
               CASE WHEN s.status <> 'pending' THEN t.created + interval '2 seconds' END,
               CASE WHEN s.status IN ('completed', 'failed') THEN t.created + interval '2 seconds' + (g % 5000) * interval '1 millisecond' END,
               CASE WHEN s.status = 'failed' THEN
                   (ARRAY[
                       'TimeoutError: POST https://api.openai.com/v1/embeddings timed out after ' || (2000 + g % 58000) || ' ms',
                       'HTTPStatusError: Server error ''' || (500 + g % 5) || ' Bad Gateway'' for url ''https://hooks.example' || g % 97 || '.com/webhooks/orders''',
                       'RateLimitError: 429 Too Many Requests from api.hubapi.com: retry after ' || g % 90 || ' s (request id req_' || md5(g::text) || ')',
                       'ConnectionRefusedError: [Errno 111] Connect call failed (''10.0.' || g % 256 || '.' || g % 200 || ''', 6379)',
                       E'Traceback (most recent call last):\n  File "/app/orchestra/worker.py", line 142, in run_task\n    result = await handler(task.payload)\nKeyError: ''' || (ARRAY['email', 'owner_id', 'amount'])[1 + g % 3] || '''',
                       E'System.NullReferenceException: Object reference not set to an instance of an object.\n   at Orchestra.Imaging.ResizeHandler.ResizeAsync(ImageJob job) in /src/ResizeHandler.cs:line 87\n--- job ' || gen_random_uuid() || ' ---',
                       E'psycopg.errors.DeadlockDetected: deadlock detected\nDETAIL:  Process ' || g % 99999 || ' waits for ShareLock on transaction ' || g || '.',
                       'DocumentNotFound: document ' || gen_random_uuid() || ' not found in collection ''notes'''
                   ])[1 + (g / 50) % 8]
               END
        FROM generate_series(@from::bigint, @to::bigint) AS g
        CROSS JOIN LATERAL (SELECT CASE WHEN g % 50 = 0 THEN 'failed' WHEN g % 100 = 1 THEN 'pending' WHEN g % 10000 = 3 THEN 'running' ELSE 'completed' END AS status) AS s
        CROSS JOIN LATERAL (SELECT now() - interval '30 days' + (g::float8 / @total::float8) * interval '30 days' AS created) AS t
        """;
}
