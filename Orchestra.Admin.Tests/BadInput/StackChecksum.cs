using Dapper;
using Npgsql;

namespace Orchestra.Admin.Tests.BadInput;

/// <summary>
/// The stack's tables as they are: md5 of every row of documents, task_queue, cache.default_cache and
/// sessions.sessions (in that order, each by its key), with the row counts and the number of tables. The bad-input
/// suites compare it before and after feeding hostile values (the service suite here, the browser suite in E2E).
/// </summary>
public static class StackChecksum
{
    public static async Task<string> OfAsync(NpgsqlConnection conn) =>
        await conn.ExecuteScalarAsync<string>("""
            SELECT concat_ws(' | ',
                (SELECT count(*) FROM pg_tables WHERE schemaname IN ('public', 'cache', 'sessions')),
                (SELECT count(*) || ':' || COALESCE(md5(string_agg(t::text, ',' ORDER BY t.id)), '') FROM documents AS t),
                (SELECT count(*) || ':' || COALESCE(md5(string_agg(t::text, ',' ORDER BY t.id)), '') FROM task_queue AS t),
                (SELECT count(*) || ':' || COALESCE(md5(string_agg(t::text, ',' ORDER BY t.key)), '') FROM cache.default_cache AS t),
                (SELECT count(*) || ':' || COALESCE(md5(string_agg(t::text, ',' ORDER BY t.session_id)), '') FROM sessions.sessions AS t))
            """) ?? "";
}
