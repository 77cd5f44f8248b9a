using System.Globalization;
using Dapper;
using Npgsql;
using Orchestra.Admin.Benchmarks.Shared;

namespace Orchestra.Admin.CacheBenchmarks;

/// <summary>
/// The benchmark's database: a fresh database on the tests' throwaway cluster (or on the server <c>BENCH_POSTGRES_DSN</c>
/// names) with the stack's schema exactly as the stack creates it (cache.default_cache: only its primary key on key) and
/// 1,000,000 cache entries, VACUUM ANALYZE'd. Dropped at the end.
/// </summary>
public sealed class CacheBenchDatabase : BenchDatabase
{
    public const int Entries = 1_000_000;

    private CacheBenchDatabase() : base("orchestra_cachebench_", setupPoolSize: 10) { }

    public static Task<CacheBenchDatabase> CreateAsync(Action<string> log) => CreateAsync(new CacheBenchDatabase(), log);

    protected override async Task LoadAsync(NpgsqlDataSource setup, Action<string> done)
    {
        done("stack schema (cache.default_cache with its primary key on key) and the dashboard's schema");

        await BenchServer.InsertInChunksAsync(setup, InsertSql, Entries, chunk: 250_000);
        done($"{Entries:N0} cache entries inserted");

        await using (var conn = await setup.OpenConnectionAsync())
        {
            await conn.ExecuteAsync("VACUUM (ANALYZE) cache.default_cache");
            await BenchServer.CheckpointAsync(conn);
            done("VACUUM (ANALYZE), CHECKPOINT");
            var (rows, expired, avg, bytes) = await conn.QuerySingleAsync<(long, long, double, long)>("""
                SELECT count(*), count(*) FILTER (WHERE expires_at <= now()), avg(pg_column_size(value))::float8, pg_total_relation_size('cache.default_cache')
                FROM cache.default_cache
                """);
            Figures = string.Create(CultureInfo.InvariantCulture,
                $"cache.default_cache: {rows:N0} entries ({expired:N0} expired), {avg:0} bytes per value on average, {bytes / 1048576.0:N0} MB with its index");
        }
    }

    /// <summary>
    /// Keys as the demo's cache writes them (user:N:profile, product:SKU-N, search:v2:…:page:N, rate_limit:ip), values of a
    /// few hundred bytes, expiries from 6 hours ago to 2 days ahead (about 1 in 9 expired), access counts long-tailed.
    /// </summary>
    private const string InsertSql = """
        INSERT INTO cache.default_cache (key, value, expires_at, created_at, accessed_at, access_count)
        SELECT CASE g % 4
                   WHEN 0 THEN 'user:' || g || ':profile'
                   WHEN 1 THEN 'product:SKU-' || g
                   WHEN 2 THEN 'search:v2:' || md5(g::text) || ':page:' || (g % 5 + 1)
                   ELSE 'rate_limit:10.' || (g % 250) || '.' || (g / 250 % 250) || '.' || g
               END,
               jsonb_build_object('id', g, 'name', 'Entry ' || g, 'hash', md5(g::text), 'tags', jsonb_build_array(g % 7, g % 13),
                                  'note', repeat('x', ((g * 7919) % 300)::int)),
               now() - interval '6 hours' + ((g * 48271) % 3240000) * interval '60 milliseconds',
               now() - interval '1 day',
               now() - ((g * 16807) % 86400) * interval '1 second',
               1 + floor(exp(power(((g * 69621) % 1000) / 1000.0, 3) * ln(5000)))::int
        FROM generate_series(@from::bigint, @to::bigint) AS g
        """;
}
