using Dapper;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Data;

public class SqlScriptsTests(EmptyPostgresDatabase db) : IClassFixture<EmptyPostgresDatabase>
{
    [Fact]
    public async Task Admin_scripts_apply_once_in_order_even_when_instances_start_together()
    {
        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => SqlScripts.MigrateAdminSchemaAsync(db.DataSource)));

        var expected = SqlCatalog.Folder("admin").Select(f => f.Name).ToList();
        Assert.NotEmpty(expected);
        // Exactly one of the concurrent runs applied each script; the others found it done.
        Assert.Equal(expected, runs.SelectMany(r => r).Order(StringComparer.Ordinal));

        await using var conn = await db.DataSource.OpenConnectionAsync();
        var recorded = (await conn.QueryAsync<string>("SELECT script FROM orchestra_admin.schema_versions ORDER BY applied_at, script")).ToList();
        Assert.Equal(expected, recorded);

        Assert.Empty(await SqlScripts.MigrateAdminSchemaAsync(db.DataSource));
    }

    [Fact]
    public async Task Stack_schema_creates_the_tables_as_designed_and_can_run_again()
    {
        await SqlScripts.ApplyStackSchemaAsync(db.DataSource);
        await SqlScripts.ApplyStackSchemaAsync(db.DataSource); // idempotent

        await using var conn = await db.DataSource.OpenConnectionAsync();
        async Task<string> Columns(string table) => string.Join(", ", await conn.QueryAsync<string>("""
            SELECT a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
            FROM pg_attribute AS a
            WHERE a.attrelid = @table::regclass AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum
            """, new { table }));

        Assert.Equal("id uuid not null, collection text not null, data jsonb not null, metadata jsonb, created_at timestamp with time zone, updated_at timestamp with time zone",
            await Columns("public.documents"));
        Assert.Equal("id uuid not null, task_type text not null, payload jsonb not null, status text, priority integer, created_at timestamp with time zone, started_at timestamp with time zone, completed_at timestamp with time zone, error text",
            await Columns("public.task_queue"));
        Assert.Equal("key text not null, value jsonb not null, expires_at timestamp with time zone not null, created_at timestamp with time zone, accessed_at timestamp with time zone, access_count integer",
            await Columns("cache.default_cache"));
        Assert.Equal("session_id uuid not null, user_id text not null, data jsonb not null, ip_address inet, user_agent text, created_at timestamp with time zone, updated_at timestamp with time zone, expires_at timestamp with time zone not null, deleted_at timestamp with time zone",
            await Columns("sessions.sessions"));

        var documentIndexes = (await conn.QueryAsync<string>("""
            SELECT regexp_replace(indexdef, '^.* USING ', '') FROM pg_indexes
            WHERE schemaname = 'public' AND tablename = 'documents' ORDER BY 1
            """)).ToList();
        Assert.Equal(["btree (collection)", "btree (id)", "gin (data)", "gin (metadata)"], documentIndexes);
    }
}

public class PostgresQueryRunnerTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task A_query_past_its_statement_timeout_says_so_and_the_pool_stays_clean()
    {
        var runner = TestServices.QueryRunner(db, statementTimeoutSeconds: 1);
        var e = await Assert.ThrowsAsync<QueryTimeoutException>(() => runner.QuerySqlAsync<object>("test/sleep", "SELECT pg_sleep(5)"));
        Assert.Equal("timed out after 1 s", e.Message);
        Assert.Equal("test/sleep", e.QueryName);

        // SET LOCAL ended with the transaction: the pooled connection is back to the server default.
        await using var conn = await db.DataSource.OpenConnectionAsync();
        Assert.Equal("0", await conn.ExecuteScalarAsync<string>("SHOW statement_timeout"));
        Assert.Equal("0", await conn.ExecuteScalarAsync<string>("SHOW lock_timeout"));
        Assert.Equal("orchestra-admin", await conn.ExecuteScalarAsync<string>("SHOW application_name"));
    }

    [Fact]
    public async Task A_read_that_meets_a_locked_table_gives_up_at_its_lock_timeout_rather_than_its_statement_timeout()
    {
        await using var locker = await db.OpenOtherConnectionAsync();
        await locker.ExecuteAsync("BEGIN; LOCK TABLE documents IN ACCESS EXCLUSIVE MODE;");

        // Table sizes needs AccessShareLock on documents (pg_total_relation_size): queued, it would hold up every reader after it.
        var runner = TestServices.QueryRunner(db, statementTimeoutSeconds: 30);
        var e = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => runner.QueryAsync<object>("monitoring/space/table_sizes", new { limit = 10 }));
        Assert.Equal(Npgsql.PostgresErrorCodes.LockNotAvailable, e.SqlState);

        await locker.ExecuteAsync("ROLLBACK");
    }
}
