using System.Globalization;
using Dapper;
using Npgsql;
using Orchestra.Admin.Benchmarks.Shared;

namespace Orchestra.Admin.SessionsBenchmarks;

/// <summary>
/// The benchmark's database: a fresh database on the tests' throwaway cluster (or on <c>BENCH_POSTGRES_DSN</c>'s server)
/// with the stack's schema exactly as the stack creates it (sessions.sessions with its primary key only) and
/// <see cref="Sessions"/> sessions, VACUUM ANALYZE'd. Dropped at the end.
/// </summary>
public sealed class SessionsBenchDatabase : BenchDatabase
{
    public const int Sessions = 200_000;

    private SessionsBenchDatabase() : base("orchestra_sessbench_", setupPoolSize: 4) { }

    public static Task<SessionsBenchDatabase> CreateAsync(Action<string> log) => CreateAsync(new SessionsBenchDatabase(), log);

    protected override async Task LoadAsync(NpgsqlDataSource setup, Action<string> done)
    {
        await using var c = await setup.OpenConnectionAsync();
        await c.ExecuteAsync(InsertSql);
        await c.ExecuteAsync("VACUUM (ANALYZE) sessions.sessions");
        Figures = await FiguresAsync(c);
        done($"{Sessions:N0} sessions inserted, VACUUM (ANALYZE)");
    }

    /// <summary>
    /// Sessions as the demo seeder shapes them: 60 % active, 30 % expired, 10 % revoked; about 65,000 users; a session's data
    /// ≈ 300 bytes of JSON (a CSRF token, auth with tokens, locale, theme, last path); created over 60 days, two sessions per
    /// second of creation time (ties), expiry 1 or 30 days after the last update.
    /// </summary>
    private static string InsertSql => string.Create(CultureInfo.InvariantCulture, $"""
        INSERT INTO sessions.sessions (user_id, data, ip_address, user_agent, created_at, updated_at, expires_at, deleted_at)
        SELECT 'user_' || ((g * 7919) % 65000),
               jsonb_build_object(
                   'csrf_token', md5(g::text),
                   'auth', jsonb_build_object('method', (ARRAY['password', 'oauth:google', 'sso:okta'])[1 + g % 3],
                                              'access_token', 'eyJ' || md5((g * 3)::text) || md5((g * 5)::text)),
                   'locale', (ARRAY['en-US', 'de-DE', 'fr-FR', 'ja-JP'])[1 + g % 4],
                   'theme', (ARRAY['light', 'dark'])[1 + g % 2],
                   'last_path', '/orders/' || g % 5000),
               ('10.' || (g % 256) || '.' || (g / 256 % 256) || '.' || (g % 251))::inet,
               (ARRAY['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
                      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
                      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15',
                      'curl/8.5.0'])[1 + g % 4],
               t.created, t.updated, t.expires,
               CASE WHEN g % 10 = 0 THEN t.updated END
        FROM generate_series(1, {Sessions}) AS g
        CROSS JOIN LATERAL (
            SELECT now() - interval '60 days' + (g / 2) * interval '1 second' * (60 * 86400.0 / {Sessions} * 2) AS created
        ) AS c
        CROSS JOIN LATERAL (
            SELECT c.created AS created,
                   c.created + (g % 3600) * interval '1 second' AS updated,
                   -- 30 % expired: their expiry is in the past; the rest expire up to 30 days from now.
                   CASE WHEN g % 10 BETWEEN 1 AND 3 THEN now() - (g % 20 + 1) * interval '1 day' + (g % 86400) * interval '1 second'
                        ELSE now() + (g % 30) * interval '1 day' + (g % 86400) * interval '1 second' END AS expires
        ) AS t
        """);

    private static async Task<string> FiguresAsync(NpgsqlConnection conn)
    {
        var f = await conn.QuerySingleAsync<(long Active, long Expired, long Revoked, long Users, long Table)>("""
            SELECT count(*) FILTER (WHERE deleted_at IS NULL AND expires_at > now()),
                   count(*) FILTER (WHERE deleted_at IS NULL AND expires_at <= now()),
                   count(*) FILTER (WHERE deleted_at IS NOT NULL),
                   count(DISTINCT user_id),
                   pg_total_relation_size('sessions.sessions')
            FROM sessions.sessions
            """);
        return string.Create(CultureInfo.InvariantCulture,
            $"sessions.sessions: {f.Active + f.Expired + f.Revoked:N0} rows ({f.Active:N0} active, {f.Expired:N0} expired, {f.Revoked:N0} revoked), " +
            $"{f.Users:N0} users, {f.Table / 1048576.0:N0} MB with its primary key");
    }
}
