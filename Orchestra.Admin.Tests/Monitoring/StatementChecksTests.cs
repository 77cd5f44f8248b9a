using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestra.Admin.Features.Postgres;
using Orchestra.Admin.Security;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Monitoring;

/// <summary>A test database where pg_stat_statements is created (the test cluster preloads its library).</summary>
public sealed class StatementsDatabase : PostgresDatabase
{
    protected override async Task SeedAsync()
    {
        await using var conn = await OpenOtherConnectionAsync("test-setup");
        await conn.ExecuteAsync("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    }
}

internal static class StatementTestHelpers
{
    public static StatementChecks Checks(PostgresDatabase db, ICurrentOperator? who = null) => new(
        TestServices.QueryRunner(db),
        new OperatorActions(db.DataSource, new AuditLog(db.DataSource, NullLogger<AuditLog>.Instance)),
        who ?? FakeCurrentOperator.Operator);

    /// <summary>This database's entries of pg_stat_statements whose text contains <paramref name="marker"/>.</summary>
    public static async Task<long> RecordedCallsAsync(PostgresDatabase db, string marker)
    {
        await using var conn = await db.OpenOtherConnectionAsync("test-inspector");
        return await conn.ExecuteScalarAsync<long>("""
            SELECT COALESCE(sum(calls), 0)::bigint FROM pg_stat_statements
            WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query LIKE '%' || @marker || '%'
              AND query NOT LIKE '%pg_stat_statements%'
            """, new { marker });
    }
}

public class StatementChecksTests(StatementsDatabase db) : IClassFixture<StatementsDatabase>
{
    // A table of its own per probe: pg_stat_statements identifies a statement by its parse tree, in which
    // constants, aliases and comments do not count, but the tables it reads do.
    private async Task RunProbeAsync(string table, int times)
    {
        await using var worker = await db.OpenOtherConnectionAsync("probe-worker");
        await worker.ExecuteAsync($"CREATE TABLE {table} (n int); INSERT INTO {table} SELECT g FROM generate_series(1, 200) AS g");
        for (var i = 0; i < times; i++)
            await worker.ExecuteScalarAsync<long>($"SELECT count(*) FROM {table} WHERE n > {i}");
    }

    private async Task<dynamic> LastAuditAsync(string action)
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        return await conn.QuerySingleAsync(
            "SELECT *, previous::text AS previous_text FROM orchestra_admin.audit_log WHERE action = @action ORDER BY id DESC LIMIT 1", new { action });
    }

    [Fact]
    public async Task A_statement_run_many_times_is_on_top_by_calls_with_its_numbers()
    {
        await RunProbeAsync("stmt_probe_calls", 250);

        var report = await StatementTestHelpers.Checks(db).TopStatementsAsync(StatementOrder.Calls, 10);

        Assert.Equal(StatementsAvailability.Available, report.Availability);
        Assert.Null(report.HowToEnable);
        var top = report.Statements[0];
        Assert.Contains("stmt_probe_calls", top.Query);
        Assert.Contains("n > $1", top.Query); // normalised: one entry for all 250 values
        Assert.Equal(250, top.Calls);
        Assert.Equal(250, top.Rows); // one row (the count) per call
        Assert.True(top.TotalMs > 0 && top.MeanMs > 0 && top.MaxMs >= top.MeanMs, $"{top.TotalMs} {top.MeanMs} {top.MaxMs}");
        Assert.Equal(top.TotalMs / top.Calls, top.MeanMs, 6);
        Assert.True(top.SharedBlocksHit + top.SharedBlocksRead > 0);
        Assert.InRange(top.HitRatio!.Value, 0, 1);
        Assert.InRange(top.ShareOfTotalTime!.Value, 0, 1);
        Assert.NotNull(top.QueryId);
        Assert.False(string.IsNullOrEmpty(top.UserName));
        Assert.Equal(report.Statements.OrderByDescending(s => s.Calls).Select(s => s.Calls), report.Statements.Select(s => s.Calls));
    }

    [Fact]
    public async Task A_slow_statement_is_on_top_by_mean_time_and_its_text_can_be_found_by_id()
    {
        await using (var worker = await db.OpenOtherConnectionAsync("probe-worker"))
        {
            await worker.ExecuteAsync("CREATE TABLE stmt_probe_slow (n int); INSERT INTO stmt_probe_slow VALUES (1)");
            for (var i = 0; i < 2; i++) await worker.ExecuteAsync("SELECT pg_sleep(0.3) FROM stmt_probe_slow");
        }

        var checks = StatementTestHelpers.Checks(db);
        var byMean = await checks.TopStatementsAsync(StatementOrder.MeanTime, 5);
        var top = byMean.Statements[0];
        Assert.Contains("stmt_probe_slow", top.Query);
        Assert.True(top.MeanMs >= 290, $"mean {top.MeanMs} ms");
        Assert.Equal(byMean.Statements.OrderByDescending(s => s.MeanMs).Select(s => s.MeanMs), byMean.Statements.Select(s => s.MeanMs));

        var byTotal = await checks.TopStatementsAsync(StatementOrder.TotalTime, 50);
        Assert.Equal(byTotal.Statements.OrderByDescending(s => s.TotalMs).Select(s => s.TotalMs), byTotal.Statements.Select(s => s.TotalMs));
        var byRows = await checks.TopStatementsAsync(StatementOrder.Rows, 50);
        Assert.Equal(byRows.Statements.OrderByDescending(s => s.Rows).Select(s => s.Rows), byRows.Statements.Select(s => s.Rows));

        Assert.Equal(top.Query, await checks.StatementTextAsync(top.QueryId!.Value));
        Assert.Null(await checks.StatementTextAsync(42));
    }

    [Fact]
    public async Task An_operator_resets_this_databases_statistics_and_the_audit_log_keeps_what_was_cleared()
    {
        await RunProbeAsync("stmt_probe_reset", 20);
        Assert.Equal(20, await StatementTestHelpers.RecordedCallsAsync(db, "FROM stmt_probe_reset WHERE"));

        var result = await StatementTestHelpers.Checks(db).ResetAsync();

        Assert.True(result.RowsAffected >= 1);
        Assert.Equal(0, await StatementTestHelpers.RecordedCallsAsync(db, "FROM stmt_probe_reset WHERE"));
        var report = await StatementTestHelpers.Checks(db).TopStatementsAsync(StatementOrder.TotalTime, 50);
        Assert.DoesNotContain(report.Statements, s => s.Query?.Contains("stmt_probe_reset") == true);

        var audit = await LastAuditAsync(StatementChecks.ResetAction);
        Assert.Equal(result.AuditId, (long)audit.id);
        Assert.True((bool)audit.succeeded);
        Assert.Equal(("otto", "Operator"), ((string)audit.actor, (string)audit.actor_role));
        Assert.Equal(result.RowsAffected, (long)audit.rows_affected);
        Assert.Contains("stmt_probe_reset", (string)audit.previous_text);
    }

    [Fact]
    public async Task A_viewer_is_refused_the_reset_and_nothing_is_cleared()
    {
        await RunProbeAsync("stmt_probe_viewer", 15);

        var e = await Assert.ThrowsAsync<OperatorRequiredException>(() => StatementTestHelpers.Checks(db, FakeCurrentOperator.Viewer).ResetAsync());

        Assert.Equal(StatementChecks.ResetAction, e.Action);
        Assert.Equal(15, await StatementTestHelpers.RecordedCallsAsync(db, "FROM stmt_probe_viewer WHERE"));
        var audit = await LastAuditAsync(StatementChecks.ResetAction);
        Assert.Equal(("vera", false), ((string)audit.actor, (bool)audit.succeeded));
        Assert.Equal("refused: needs the Operator role", (string)audit.error);
    }
}

/// <summary>The test cluster preloads the library, but a fresh database has no CREATE EXTENSION yet.</summary>
public class StatementChecksWithoutExtensionTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task Without_the_extension_the_report_says_it_is_not_available_and_how_to_enable_it()
    {
        var report = await StatementTestHelpers.Checks(db).TopStatementsAsync(StatementOrder.TotalTime, 10);

        Assert.Equal(StatementsAvailability.NotInstalled, report.Availability);
        Assert.False(report.IsAvailable);
        Assert.Empty(report.Statements);
        Assert.Contains("not created in this database", report.HowToEnable);
        Assert.Contains("shared_preload_libraries", report.HowToEnable);
        Assert.Contains("CREATE EXTENSION pg_stat_statements;", report.HowToEnable);
        Assert.Contains("contrib", report.HowToEnable);
        Assert.Null(await StatementTestHelpers.Checks(db).StatementTextAsync(1));
    }

    [Fact]
    public async Task A_reset_without_the_extension_is_refused_with_the_reason()
    {
        var e = await Assert.ThrowsAsync<InvalidInputException>(() => StatementTestHelpers.Checks(db).ResetAsync());
        Assert.Contains("pg_stat_statements is not available", e.Message);
    }
}

public class StatementChecksUnitTests
{
    [Theory]
    [InlineData("pg_stat_statements", true)]
    [InlineData("auto_explain, pg_stat_statements", true)]
    [InlineData("\"pg_stat_statements\",timescaledb", true)]
    [InlineData("auto_explain", false)]
    [InlineData("", false)]
    [InlineData(null, null)]
    public void Preloading_is_read_from_shared_preload_libraries(string? setting, bool? preloaded) =>
        Assert.Equal(preloaded, new StatementsExtension { SharedPreloadLibraries = setting }.Preloaded);

    [Fact]
    public void A_library_that_is_not_preloaded_reports_not_preloaded_even_with_the_extension_created()
    {
        var report = StatementChecks.Unavailable(new StatementsExtension { ExtensionVersion = "1.10", ExtensionSchema = "public", SharedPreloadLibraries = "" });
        Assert.Equal(StatementsAvailability.NotPreloaded, report!.Availability);
        Assert.Contains("must be in shared_preload_libraries", report.HowToEnable);
        Assert.Contains("restart", report.HowToEnable);

        Assert.Null(StatementChecks.Unavailable(new StatementsExtension { ExtensionVersion = "1.10", SharedPreloadLibraries = "pg_stat_statements" }));
        // Hidden setting: trust the extension, and the view's own 55000 error if the library is missing after all.
        Assert.Null(StatementChecks.Unavailable(new StatementsExtension { ExtensionVersion = "1.10", SharedPreloadLibraries = null }));
    }

    [Fact]
    public void Every_order_maps_to_a_fixed_name_and_nothing_else_is_accepted()
    {
        Assert.Equal(["total_time", "mean_time", "calls", "rows"], Enum.GetValues<StatementOrder>().Select(StatementChecks.OrderName));
        Assert.Throws<ArgumentOutOfRangeException>(() => StatementChecks.OrderName((StatementOrder)42));
    }
}
