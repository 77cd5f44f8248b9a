using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Features.Postgres;
using Orchestra.Admin.Security;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Monitoring;

public class ExplainServiceTests(PostgresDatabaseWithRoles db) : IClassFixture<PostgresDatabaseWithRoles>
{
    private ExplainService Service(ICurrentOperator? who = null, int timeoutSeconds = 5) =>
        TestServices.Explain(db.DataSource, db.Unpooled, TestServices.Options(db, timeoutSeconds), who ?? FakeCurrentOperator.Operator);

    private async Task<int> ServerVersionAsync()
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        return await conn.ExecuteScalarAsync<int>("SELECT current_setting('server_version_num')::int");
    }

    private async Task<dynamic> LastAuditAsync()
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        return await conn.QuerySingleAsync(
            "SELECT *, parameters::text AS parameters_text FROM orchestra_admin.audit_log WHERE action = @action ORDER BY id DESC LIMIT 1",
            new { action = ExplainService.AnalyzeAction });
    }

    [Fact]
    public async Task Explain_of_a_query_shows_a_seq_scan_on_its_table_as_the_costly_node()
    {
        // A viewer may EXPLAIN: nothing runs.
        var result = await Service(FakeCurrentOperator.Viewer).ExplainAsync(
            "SELECT collection, count(*) FROM documents WHERE data->>'kind' = 'invoice' GROUP BY collection");

        Assert.False(result.Analyzed);
        Assert.Null(result.ExecutionMs);
        var scan = Assert.Single(result.Nodes, n => n.NodeType == "Seq Scan");
        Assert.Equal(("documents", "public"), (scan.RelationName, scan.Schema));
        Assert.Contains(scan.Details, d => d.StartsWith("Filter: ", StringComparison.Ordinal) && d.Contains("invoice"));
        Assert.True(scan.IsCostly, $"the scan's share is {scan.CostShare}");
        Assert.True(scan.Depth > 0);
        Assert.Equal(0, result.Plan.Depth);
        Assert.Equal(result.Plan.TotalCost, result.Nodes.Sum(n => n.ExclusiveCost), 3);
        Assert.StartsWith("[", result.PlanJson.TrimStart());
        Assert.Null(scan.ActualTotalMs);
    }

    [Fact]
    public async Task Explain_analyze_of_a_query_measures_it_and_is_audited()
    {
        var result = await Service().ExplainAsync("SELECT task_type, count(*) FROM task_queue WHERE status = 'failed' GROUP BY task_type", analyze: true);

        Assert.True(result.Analyzed);
        Assert.NotNull(result.ExecutionMs);
        Assert.Contains(result.Nodes, n => n.RelationName == "task_queue" && n.ActualRows != null);
        Assert.All(result.Nodes, n => Assert.NotNull(n.ExclusiveMs));
        Assert.Contains(result.Nodes, n => n.IsCostly);

        var audit = await LastAuditAsync();
        Assert.Equal(("otto", "Operator", true), ((string)audit.actor, (string)audit.actor_role, (bool)audit.succeeded));
        Assert.Contains("FROM task_queue", (string)audit.parameters_text);
    }

    [Fact]
    public async Task Explain_analyze_of_an_update_is_refused_as_read_only_and_changes_nothing()
    {
        await using var worker = await db.OpenOtherConnectionAsync();
        var id = await worker.ExecuteScalarAsync<Guid>(
            "INSERT INTO task_queue (task_type, payload, status, error) VALUES ('explain_probe', '{}', 'failed', 'boom') RETURNING id");

        var e = await Assert.ThrowsAsync<InvalidInputException>(() =>
            Service().ExplainAsync($"UPDATE task_queue SET status = 'pending', error = NULL WHERE id = '{id}'", analyze: true));

        Assert.Equal("query", e.Field);
        Assert.Contains("cannot execute UPDATE in a read-only transaction (SQLSTATE 25006)", e.Message);
        Assert.Contains("use Explain (without analyze) for the plan of a statement that writes", e.Message);
        var row = await worker.QuerySingleAsync<(string Status, string? Error)>("SELECT status, error FROM task_queue WHERE id = @id", new { id });
        Assert.Equal(("failed", "boom"), row);
        var audit = await LastAuditAsync();
        Assert.False((bool)audit.succeeded);
        Assert.Contains("SQLSTATE 25006", (string)audit.error);
    }

    [Fact]
    public async Task Explain_without_analyze_plans_a_write_without_running_it()
    {
        var result = await Service(FakeCurrentOperator.Viewer).ExplainAsync("DELETE FROM sessions.sessions WHERE expires_at < now()");
        Assert.Equal("Delete", result.Plan.Operation);
        Assert.Contains(result.Nodes, n => n.RelationName == "sessions" && n.Schema == "sessions");
    }

    [Fact]
    public async Task Two_statements_are_refused_with_where_the_second_starts()
    {
        var e = await Assert.ThrowsAsync<InvalidInputException>(() => Service().ExplainAsync("SELECT 1;\n  DELETE FROM documents", analyze: true));

        Assert.Equal("query", e.Field);
        Assert.Equal("Only one statement can be explained, but a second one starts at line 2, column 3 (after the ';' at line 1, column 9). " +
                     "Remove it, or explain the statements one at a time.", e.Message);
    }

    [Theory]
    [InlineData("SELECT ';'")]
    [InlineData("SELECT ';' AS semicolon;")]
    [InlineData("  -- a comment; with a semicolon\nSELECT 1 /* ; */ ;  \n -- trailing;\n")]
    [InlineData("SELECT $$a;b$$, $fn$ c;d $fn$, E'it\\'s;', \"x;y\" FROM (SELECT 1 AS \"x;y\") AS t")]
    public async Task Semicolons_in_literals_identifiers_and_comments_do_not_split_the_statement(string query)
    {
        var result = await Service().ExplainAsync(query);
        Assert.NotEmpty(result.Nodes);
        Assert.False(result.Statement.EndsWith(';'), result.Statement);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(" ; -- nothing\n ;")]
    public async Task An_empty_query_is_refused(string query)
    {
        var e = await Assert.ThrowsAsync<InvalidInputException>(() => Service().ExplainAsync(query));
        Assert.StartsWith("The query is empty", e.Message);
    }

    [Fact]
    public async Task A_syntax_error_is_reported_at_its_place_in_what_was_typed()
    {
        var e = await Assert.ThrowsAsync<InvalidInputException>(() => Service().ExplainAsync("-- find them\nSELECT *\n  FRM documents"));
        Assert.Equal("query", e.Field);
        Assert.Contains("syntax error at or near \"FRM\"", e.Message);
        Assert.Contains("(at line 3, column 3)", e.Message);

        var missing = await Assert.ThrowsAsync<InvalidInputException>(() => Service().ExplainAsync("SELECT * FROM no_such_table"));
        Assert.Contains("relation \"no_such_table\" does not exist", missing.Message);
    }

    [Fact]
    public async Task Analyze_past_the_statement_timeout_reports_a_timeout_and_is_audited()
    {
        var started = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<QueryTimeoutException>(() => Service(timeoutSeconds: 1).ExplainAsync("SELECT pg_sleep(10)", analyze: true));

        Assert.Equal(TimeSpan.FromSeconds(1), e.Timeout);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(8), $"took {started.Elapsed}");
        var audit = await LastAuditAsync();
        Assert.False((bool)audit.succeeded);
        Assert.Equal("timed out after 1 s", (string)audit.error);

        // The pooled connection is clean again: no leftover timeout, no open transaction.
        await using var conn = await db.DataSource.OpenConnectionAsync();
        Assert.Equal("0", await conn.ExecuteScalarAsync<string>("SHOW statement_timeout"));
    }

    [Fact]
    public async Task A_viewers_analyze_is_refused_before_anything_runs_and_the_refusal_is_recorded()
    {
        var started = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<OperatorRequiredException>(() =>
            Service(FakeCurrentOperator.Viewer).ExplainAsync("SELECT pg_sleep(5)", analyze: true));

        Assert.Equal(ExplainService.AnalyzeAction, e.Action);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(4));
        var audit = await LastAuditAsync();
        Assert.Equal(("vera", false, "refused: needs the Operator role"), ((string)audit.actor, (bool)audit.succeeded, (string)audit.error));
    }

    [Fact]
    public async Task Parameters_get_a_generic_plan_on_16_and_a_clear_refusal_before()
    {
        const string query = "SELECT * FROM documents WHERE collection = $1 AND created_at > $2";
        if (await ServerVersionAsync() >= 160000)
        {
            var result = await Service().ExplainAsync(query);
            Assert.True(result.GenericPlan);
            Assert.Contains(result.Nodes, n => n.RelationName == "documents");
        }
        else
        {
            var e = await Assert.ThrowsAsync<InvalidInputException>(() => Service().ExplainAsync(query));
            Assert.Contains("($1, $2)", e.Message);
            Assert.Contains("PostgreSQL 16", e.Message);
            Assert.Contains("example values", e.Message);
        }

        var analyze = await Assert.ThrowsAsync<InvalidInputException>(() => Service().ExplainAsync(query, analyze: true));
        Assert.Contains("needs values for $1, $2", analyze.Message);
    }
}

public class SqlStatementScannerTests
{
    [Theory]
    [InlineData("SELECT 1", "SELECT 1")]
    [InlineData("SELECT 1;", "SELECT 1")]
    [InlineData(";; SELECT 1 ;;", "SELECT 1")]
    [InlineData("/* a /* nested; */ comment */ SELECT 2", "SELECT 2")]
    [InlineData("SELECT 'it''s; fine'", "SELECT 'it''s; fine'")]
    [InlineData("SELECT e'\\';'", "SELECT e'\\';'")]
    [InlineData("SELECT $tag$ ; $notag$ ; $tag$", "SELECT $tag$ ; $notag$ ; $tag$")]
    [InlineData("SELECT a$b FROM t", "SELECT a$b FROM t")]
    public void Finds_the_one_statement(string sql, string statement) =>
        Assert.Equal(statement, SqlStatementScanner.Single(sql).Text);

    [Fact]
    public void Parameters_are_found_outside_literals_only()
    {
        var s = SqlStatementScanner.Single("SELECT $2, '$3', $$ $4 $$, \"$5\", a$6 FROM t WHERE x = $1 -- $7");
        Assert.Equal([1, 2], s.Parameters);
    }

    [Theory]
    [InlineData("SELECT 'open", "quoted string ('…') starting at line 1, column 8")]
    [InlineData("SELECT \"open", "quoted identifier (\"…\") starting at line 1, column 8")]
    [InlineData("SELECT 1\n/* open", "comment (/* … */) starting at line 2, column 1")]
    [InlineData("SELECT $x$ open", "dollar-quoted string ($x$…$x$) starting at line 1, column 8")]
    public void Unterminated_quotes_and_comments_are_named_with_their_place(string sql, string expected)
    {
        var e = Assert.Throws<InvalidInputException>(() => SqlStatementScanner.Single(sql));
        Assert.Equal($"The query has an unterminated {expected}: close it, or remove it.", e.Message);
    }

    [Fact]
    public void A_standard_string_ends_at_its_quote_even_after_a_backslash()
    {
        // standard_conforming_strings: a backslash is an ordinary character outside E'…'.
        var e = Assert.Throws<InvalidInputException>(() => SqlStatementScanner.Single("SELECT 'a\\'; SELECT 2"));
        Assert.StartsWith("Only one statement", e.Message);
    }
}

public class ExplainPlanTests
{
    private const string Estimated = """
        [{"Plan": {"Node Type": "Aggregate", "Strategy": "Hashed", "Startup Cost": 110.0, "Total Cost": 120.0, "Plan Rows": 10, "Plan Width": 40,
          "Group Key": ["collection"],
          "Plans": [{"Node Type": "Seq Scan", "Parent Relationship": "Outer", "Relation Name": "documents", "Schema": "public", "Alias": "d",
                     "Startup Cost": 0.0, "Total Cost": 100.0, "Plan Rows": 1000, "Plan Width": 32, "Filter": "(collection <> 'x'::text)"}]}}]
        """;

    [Fact]
    public void Exclusive_costs_split_the_total_and_the_costly_node_is_marked()
    {
        var plan = ExplainPlan.Parse(Estimated);

        Assert.Equal("HashAggregate", plan.Root.Title);
        Assert.Equal(20, plan.Root.ExclusiveCost, 6);
        Assert.False(plan.Root.IsCostly);
        var scan = Assert.Single(plan.Root.Children);
        Assert.Equal("Seq Scan on public.documents d", scan.Title);
        Assert.Equal(100.0 / 120, scan.CostShare, 6);
        Assert.True(scan.IsCostly);
        Assert.Equal(["Filter: (collection <> 'x'::text)"], scan.Details);
        Assert.Equal(["Group Key: collection"], plan.Root.Details);
        Assert.Null(plan.ExecutionMs);
    }

    [Fact]
    public void Measured_times_count_every_loop()
    {
        const string analyzed = """
            [{"Plan": {"Node Type": "Nested Loop", "Join Type": "Left", "Startup Cost": 0, "Total Cost": 50, "Plan Rows": 10, "Plan Width": 8,
              "Actual Startup Time": 0.01, "Actual Total Time": 10.0, "Actual Rows": 10, "Actual Loops": 1,
              "Plans": [
                {"Node Type": "Seq Scan", "Relation Name": "a", "Startup Cost": 0, "Total Cost": 5, "Plan Rows": 10, "Plan Width": 4,
                 "Actual Startup Time": 0.01, "Actual Total Time": 1.0, "Actual Rows": 10, "Actual Loops": 1},
                {"Node Type": "Index Scan", "Index Name": "b_pkey", "Relation Name": "b", "Startup Cost": 0, "Total Cost": 4, "Plan Rows": 1, "Plan Width": 4,
                 "Actual Startup Time": 0.5, "Actual Total Time": 0.8, "Actual Rows": 1, "Actual Loops": 10}]},
              "Planning Time": 0.2, "Triggers": [], "Execution Time": 10.5}]
            """;
        var plan = ExplainPlan.Parse(analyzed);

        Assert.Equal("Nested Loop Left Join", plan.Root.Title);
        Assert.Equal((0.2, 10.5), (plan.PlanningMs!.Value, plan.ExecutionMs!.Value));
        var index = plan.Root.Children[1];
        Assert.Equal("Index Scan using b_pkey on b", index.Title);
        Assert.Equal(8.0, index.ExclusiveMs!.Value, 6);       // 0.8 ms × 10 loops
        Assert.Equal(1.0, plan.Root.ExclusiveMs!.Value, 6);   // 10 − 1 − 8
        Assert.True(index.IsCostly);
        Assert.False(plan.Root.Children[0].IsCostly);
    }
}
