using Dapper;
using Npgsql;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Features.Postgres;
using Orchestra.Admin.Security;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Security;

/// <summary>
/// An Operator types, into the Explain tab with ANALYZE, statements whose effects a rollback does not undo (issue 15,
/// finding 1). Each must leave nothing behind, whether the dashboard logs in as a superuser (the demo, a quick
/// docker-compose) or as the least-privilege operator role of sql/roles.sql.
/// </summary>
public class ExplainAnalyzeContainmentTests(PostgresDatabaseWithRoles db) : IClassFixture<PostgresDatabaseWithRoles>
{
    private const string Secret = "tok_7f3a9c1e5b2d4f6a8c0e";

    private ExplainService AsSuperuser(int timeoutSeconds = 5) =>
        TestServices.Explain(db.DataSource, db.Unpooled, TestServices.Options(db, timeoutSeconds), FakeCurrentOperator.Operator);

    private static ExplainService AsLogin(NpgsqlDataSource login, PostgresDatabase db) =>
        TestServices.Explain(login, login, TestServices.Options(db), FakeCurrentOperator.Operator);

    private async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        return (await conn.ExecuteScalarAsync<T>(sql, parameters))!;
    }

    /// <summary>The attack is refused (as bad input, with PostgreSQL's SQLSTATE), and its audit entry says so.</summary>
    private async Task<InvalidInputException> RefusedAsync(ExplainService service, string statement)
    {
        var e = await Assert.ThrowsAsync<InvalidInputException>(() => service.ExplainAsync(statement, analyze: true));
        Assert.Equal("query", e.Field);
        Assert.Contains("SQLSTATE", e.Message);
        var audit = await ScalarAsync<string>(
            "SELECT to_jsonb(a)::text FROM orchestra_admin.audit_log AS a WHERE action = @action ORDER BY id DESC LIMIT 1",
            new { action = ExplainService.AnalyzeAction });
        Assert.Contains("\"succeeded\": false", audit);
        return e;
    }

    private static async Task<bool> AliveAsync(NpgsqlConnection victim)
    {
        try
        {
            return await victim.ExecuteScalarAsync<int>("SELECT 1") == 1;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            return false;
        }
    }

    [Theory]
    [InlineData("SELECT pg_terminate_backend({0})")]
    [InlineData("SELECT pg_cancel_backend({0}) OR pg_terminate_backend({0})")]
    // Climbing back to the dashboard's own login first: refused inside the security-definer function.
    [InlineData("SELECT set_config('role', session_user, true), pg_terminate_backend({0})")]
    [InlineData("SELECT pg_terminate_backend({0}) FROM (SELECT set_config('role', 'none', true)) AS escape")]
    public async Task A_superuser_login_cannot_terminate_a_backend_of_the_stack(string attack)
    {
        await using var victim = await db.OpenOtherConnectionAsync("the-stacks-worker");
        var pid = victim.ProcessID;

        var e = await RefusedAsync(AsSuperuser(), string.Format(System.Globalization.CultureInfo.InvariantCulture, attack, pid));

        Assert.Matches("(must be a superuser to (terminate superuser process|cancel superuser query)|cannot set parameter \"role\" within security-definer function)", e.Message);
        Assert.True(await AliveAsync(victim), "the stack's backend was terminated");
    }

    [Fact]
    public async Task An_operator_login_cannot_terminate_its_own_logins_backends_though_it_has_pg_signal_backend()
    {
        await using var login = await db.ConnectAsRoleAsync("orchestra_admin_operator");
        // The same login, busy elsewhere (a page's query): a role may always signal its own backends, and the operator
        // role may signal any non-superuser's through pg_signal_backend.
        await using var victim = await login.OpenConnectionAsync();

        var e = await RefusedAsync(AsLogin(login, db), $"SELECT set_config('role', session_user, true), pg_terminate_backend({victim.ProcessID})");
        Assert.Contains("cannot set parameter \"role\" within security-definer function", e.Message);
        await RefusedAsync(AsLogin(login, db), $"SELECT pg_terminate_backend({victim.ProcessID})");

        Assert.True(await AliveAsync(victim));
    }

    [Fact]
    public async Task Setval_on_the_audit_logs_sequence_is_refused_and_auditing_keeps_working()
    {
        var before = await ScalarAsync<long>("SELECT last_value FROM orchestra_admin.audit_log_id_seq");

        var e = await RefusedAsync(AsSuperuser(), "SELECT setval('orchestra_admin.audit_log_id_seq', 1)");

        Assert.Contains("permission denied for schema orchestra_admin", e.Message);
        Assert.True(await ScalarAsync<long>("SELECT last_value FROM orchestra_admin.audit_log_id_seq") > before); // only the audit rows moved it
        Assert.NotNull(await new AuditLog(db.DataSource, Microsoft.Extensions.Logging.Abstractions.NullLogger<AuditLog>.Instance)
            .TryWriteAsync(new AuditEntry("probe", "otto", "Operator", null, true)));
    }

    [Fact]
    public async Task Nextval_on_a_stack_sequence_is_refused_and_the_sequence_does_not_move()
    {
        await using (var owner = await db.OpenOtherConnectionAsync())
            await owner.ExecuteAsync("CREATE SEQUENCE IF NOT EXISTS public.invoice_number_seq; SELECT nextval('public.invoice_number_seq')");

        await RefusedAsync(AsSuperuser(), "SELECT nextval('public.invoice_number_seq'), nextval('public.invoice_number_seq')");

        Assert.Equal(1, await ScalarAsync<long>("SELECT last_value FROM public.invoice_number_seq"));
    }

    [Fact]
    public async Task A_session_level_advisory_lock_does_not_outlive_the_run()
    {
        // Allowed to anyone: taken during the run, and gone with the connection, which is closed rather than pooled.
        await AsSuperuser().ExplainAsync("SELECT pg_advisory_lock(4242), set_config('work_mem', '1MB', false)", analyze: true);

        for (var i = 0; i < 100 && await HeldAsync(); i++) await Task.Delay(50); // the backend exits just after the close
        Assert.False(await HeldAsync(), "advisory lock 4242 is still held");
        await using var pooled = await db.DataSource.OpenConnectionAsync();
        Assert.NotEqual("1MB", await pooled.ExecuteScalarAsync<string>("SHOW work_mem"));

        Task<bool> HeldAsync() => ScalarAsync<bool>("SELECT EXISTS (SELECT FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242)");
    }

    [Fact]
    public async Task A_replication_slot_is_not_created()
    {
        const string slot = "explain_attack";
        try
        {
            var e = await RefusedAsync(AsSuperuser(), $"SELECT pg_create_physical_replication_slot('{slot}', true)");

            Assert.Contains("must be superuser or replication role", e.Message);
            Assert.False(await ScalarAsync<bool>("SELECT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = @slot)", new { slot }));
        }
        finally
        {
            // The test server is shared: a slot left by a failing run would retain WAL for every later test.
            await ScalarAsync<object>("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = @slot", new { slot });
        }
    }

    [Theory]
    [InlineData("SELECT (data->>'access_token')::int FROM sessions.sessions")]
    [InlineData("SELECT (data->>'access_token')::regclass FROM sessions.sessions")] // "relation … does not exist" (42P01)
    [InlineData("SELECT (data->>'access_token')::json FROM sessions.sessions")] // the value in the detail and the context
    [InlineData("SELECT (data->>'access_token')::uuid FROM sessions.sessions")]
    [InlineData("SELECT (data->>'access_token')::timestamptz FROM sessions.sessions")]
    public async Task A_value_of_the_stack_does_not_leak_through_the_error_text_nor_into_the_audit_log(string attack)
    {
        await using (var owner = await db.OpenOtherConnectionAsync())
            await owner.ExecuteAsync("""
                INSERT INTO sessions.sessions (user_id, data, expires_at)
                SELECT 'leak-probe', jsonb_build_object('access_token', @secret::text), now() + interval '1 day'
                WHERE NOT EXISTS (SELECT FROM sessions.sessions WHERE user_id = 'leak-probe')
                """, new { secret = Secret });

        var e = await RefusedAsync(AsSuperuser(), attack);

        Assert.DoesNotContain(Secret[4..], e.Message);
        Assert.False(await ScalarAsync<bool>(
            "SELECT EXISTS (SELECT FROM orchestra_admin.audit_log AS a WHERE strpos(to_jsonb(a)::text, @part) > 0)", new { part = Secret[4..] }));
    }

    [Fact]
    public async Task A_server_file_cannot_be_read_into_the_error_text()
    {
        var hostname = (await ScalarAsync<string>("SELECT pg_read_file('/etc/hostname')")).Trim();

        foreach (var attack in new[] { "SELECT pg_read_file('/etc/hostname')::int", "SELECT convert_from(lo_get(lo_import('/etc/hostname')), 'UTF8')::int" })
        {
            var e = await RefusedAsync(AsSuperuser(), attack);
            Assert.Contains("permission denied for function", e.Message);
            if (hostname.Length > 0) Assert.DoesNotContain(hostname, e.Message);
        }
        Assert.Equal(0, await ScalarAsync<long>("SELECT count(*) FROM pg_largeobject_metadata"));
    }

    [Fact]
    public async Task The_configuration_is_not_reloaded()
    {
        var loaded = await ScalarAsync<DateTime>("SELECT pg_conf_load_time()");

        await RefusedAsync(AsSuperuser(), "SELECT pg_reload_conf()");

        await Task.Delay(200);
        Assert.Equal(loaded, await ScalarAsync<DateTime>("SELECT pg_conf_load_time()"));
    }

    [Fact]
    public async Task Dblink_cannot_reach_back_into_the_database_to_write()
    {
        // dblink ships with PostgreSQL's contrib, which Debian's server package includes.
        Assert.True(await ScalarAsync<bool>("SELECT EXISTS (SELECT FROM pg_available_extensions WHERE name = 'dblink')"), "dblink is not installed on the test server");
        await using (var owner = await db.OpenOtherConnectionAsync())
            await owner.ExecuteAsync("""
                CREATE EXTENSION IF NOT EXISTS dblink;
                INSERT INTO documents (collection, data) VALUES ('dblink-probe', '{}');
                """);
        var server = new NpgsqlConnectionStringBuilder(db.ConnectionString);
        var target = $"host={server.Host} port={server.Port} dbname={server.Database} user={server.Username}";

        var e = await RefusedAsync(AsSuperuser(),
            $"SELECT * FROM dblink('{target}', 'DELETE FROM documents WHERE collection = ''dblink-probe'' RETURNING 1') AS deleted(one int)");

        Assert.Contains("password is required", e.Message);
        Assert.Equal(1, await ScalarAsync<long>("SELECT count(*) FROM documents WHERE collection = 'dblink-probe'"));
    }

    [Fact]
    public async Task A_sleep_holding_a_table_lock_ends_at_the_statement_timeout_and_releases_the_lock()
    {
        await using (var owner = await db.OpenOtherConnectionAsync())
            await owner.ExecuteAsync("INSERT INTO task_queue (task_type, payload) VALUES ('sleep-probe', '{}')");

        await Assert.ThrowsAsync<QueryTimeoutException>(() => AsSuperuser(timeoutSeconds: 1)
            .ExplainAsync("SELECT pg_sleep(3600) FROM task_queue WHERE task_type = 'sleep-probe'", analyze: true));

        await using var worker = await db.OpenOtherConnectionAsync();
        await using var tx = await worker.BeginTransactionAsync();
        await worker.ExecuteAsync("SET LOCAL lock_timeout = '2s'; LOCK TABLE task_queue IN ACCESS EXCLUSIVE MODE");
    }

    [Fact]
    public async Task A_table_locked_by_another_session_is_not_waited_for()
    {
        await using var holder = await db.OpenOtherConnectionAsync("the-stacks-migration");
        await using var tx = await holder.BeginTransactionAsync();
        await holder.ExecuteAsync("LOCK TABLE documents IN ACCESS EXCLUSIVE MODE");

        // Queued behind the lock, the run would itself hold up every later reader of the table until its timeout.
        foreach (var analyze in new[] { true, false })
        {
            var e = await Assert.ThrowsAsync<InvalidInputException>(() =>
                AsSuperuser(timeoutSeconds: 30).ExplainAsync("SELECT count(*) FROM documents", analyze));
            Assert.StartsWith("A table the query reads is locked by another session: it waited 200 ms", e.Message);
        }
    }

    [Fact]
    public async Task The_function_itself_refuses_a_second_statement()
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var e = await Assert.ThrowsAsync<PostgresException>(() =>
            conn.ExecuteScalarAsync<string>("SELECT orchestra_admin.explain_analyze('SELECT 1; SELECT pg_advisory_lock(7)')"));
        Assert.Equal("cannot open multi-query plan as cursor", e.MessageText);
    }
}

/// <summary>Where the function is missing, not executable by the login, or owned by a role with more rights, ANALYZE is
/// refused before anything runs, with the reason (the page shows it on the disabled button).</summary>
public class ExplainAnalyzeReadinessTests(PostgresDatabaseWithRoles db) : IClassFixture<PostgresDatabaseWithRoles>
{
    [Fact]
    public async Task Analyze_is_ready_with_sql_roles_applied()
    {
        var service = TestServices.Explain(db.DataSource, db.Unpooled, TestServices.Options(db), FakeCurrentOperator.Operator);
        Assert.Null(await service.AnalyzeUnavailableAsync());
    }

    [Fact]
    public async Task A_viewer_login_may_not_execute_the_function()
    {
        await using var viewer = await db.ConnectAsRoleAsync("orchestra_admin_viewer");
        var service = TestServices.Explain(viewer, viewer, TestServices.Options(db), FakeCurrentOperator.Operator);

        Assert.Matches("^the database role orchestra_admin_viewer_\\w+ may not execute orchestra_admin.explain_analyze\\(text\\)",
            await service.AnalyzeUnavailableAsync());
    }

    [Fact]
    public async Task A_function_owned_by_a_superuser_is_refused_before_anything_runs()
    {
        await using var owner = await db.OpenOtherConnectionAsync();
        await owner.ExecuteAsync("ALTER FUNCTION orchestra_admin.explain_analyze(text) OWNER TO CURRENT_USER");
        try
        {
            var service = TestServices.Explain(db.DataSource, db.Unpooled, TestServices.Options(db), FakeCurrentOperator.Operator);
            Assert.Contains("which has SUPERUSER", await service.AnalyzeUnavailableAsync());

            var e = await Assert.ThrowsAsync<InvalidInputException>(() => service.ExplainAsync("SELECT pg_advisory_lock(77)", analyze: true));
            Assert.StartsWith("EXPLAIN ANALYZE is not available: orchestra_admin.explain_analyze(text) is owned by postgres", e.Message);
            Assert.False(await owner.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT FROM pg_locks WHERE locktype = 'advisory' AND objid = 77)"));
        }
        finally
        {
            await owner.ExecuteAsync("ALTER FUNCTION orchestra_admin.explain_analyze(text) OWNER TO orchestra_admin_explain");
        }
    }

    [Fact]
    public async Task Without_sql_roles_the_reason_says_to_run_it()
    {
        var bare = new EmptyPostgresDatabase();
        await bare.InitializeAsync();
        try
        {
            var service = TestServices.Explain(bare.DataSource, bare.Unpooled, TestServices.Options(bare), FakeCurrentOperator.Operator);
            Assert.StartsWith("orchestra_admin.explain_analyze(text) is missing: run sql/roles.sql", await service.AnalyzeUnavailableAsync());
        }
        finally
        {
            await bare.DisposeAsync();
        }
    }
}
