using Bunit;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Orchestra.Admin.Features.Postgres;
using Orchestra.Admin.Features.Postgres.Tabs;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Monitoring;

/// <summary>Each check against a real PostgreSQL: the test creates the condition and asserts it is reported (and a non-case is not).</summary>
public class MaintenanceChecksTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private MaintenanceChecks Checks => new(TestServices.QueryRunner(db));

    [Fact]
    public async Task Dead_rows_above_the_autovacuum_threshold_make_a_table_overdue_honouring_its_own_settings()
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        // Autovacuum off for these tables, so it cannot clean up before the check runs.
        await conn.ExecuteAsync("""
            CREATE TABLE overdue_t (id int, pad text) WITH (autovacuum_enabled = false);
            INSERT INTO overdue_t SELECT g, 'x' FROM generate_series(1, 5000) AS g;
            DELETE FROM overdue_t WHERE id > 1000;
            CREATE TABLE overdue_high_threshold (id int, pad text) WITH (autovacuum_enabled = false, autovacuum_vacuum_threshold = 10000);
            INSERT INTO overdue_high_threshold SELECT g, 'x' FROM generate_series(1, 5000) AS g;
            DELETE FROM overdue_high_threshold WHERE id > 1000;
            CREATE TABLE overdue_vacuumed (id int, pad text) WITH (autovacuum_enabled = false);
            INSERT INTO overdue_vacuumed SELECT g, 'x' FROM generate_series(1, 5000) AS g;
            DELETE FROM overdue_vacuumed WHERE id > 1000;
            """);
        // Flush this session's counts first: VACUUM writes its own straight to the statistics, and counts of earlier
        // writes flushed after it would be added on top.
        await conn.ExecuteAsync("SELECT pg_stat_force_next_flush()");
        await conn.ExecuteAsync("VACUUM overdue_vacuumed");
        await conn.ExecuteAsync("SELECT pg_stat_force_next_flush()");

        var overdue = await Checks.VacuumOverdueAsync();

        var t = Assert.Single(overdue, o => o.TableName == "public.overdue_t");
        Assert.Equal((4000L, 1000L), (t.DeadRows, t.LiveRows));
        // Never vacuumed or analyzed (reltuples = -1): autovacuum counts 0 rows, so the threshold is the base, 50.
        Assert.Equal((50L, 0.2, 50.0), (t.BaseThreshold, t.ScaleFactor, t.VacuumThreshold));
        Assert.False(t.AutovacuumEnabled);
        Assert.Null(t.LastVacuum);
        Assert.Equal("VACUUM (VERBOSE, ANALYZE) public.overdue_t;", t.VacuumStatement);
        Assert.DoesNotContain(overdue, o => o.TableName == "public.overdue_high_threshold"); // 4,000 dead < its own 10,000
        Assert.DoesNotContain(overdue, o => o.TableName == "public.overdue_vacuumed");       // vacuumed: no dead rows

        // The fix shown works.
        await conn.ExecuteAsync(t.VacuumStatement);
        await conn.ExecuteAsync("SELECT pg_stat_force_next_flush()");
        Assert.DoesNotContain(await Checks.VacuumOverdueAsync(), o => o.TableName == "public.overdue_t");
    }

    [Fact]
    public async Task The_threshold_grows_with_the_table_by_the_scale_factor()
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        await conn.ExecuteAsync("""
            CREATE TABLE overdue_scaled (id int) WITH (autovacuum_enabled = false, autovacuum_vacuum_scale_factor = 0.5, autovacuum_vacuum_threshold = 100);
            INSERT INTO overdue_scaled SELECT g FROM generate_series(1, 10000) AS g;
            ANALYZE overdue_scaled;
            DELETE FROM overdue_scaled WHERE id <= 4000;
            """);
        await conn.ExecuteAsync("SELECT pg_stat_force_next_flush()");
        // 4,000 dead < 100 + 0.5 × 10,000 = 5,100.
        Assert.DoesNotContain(await Checks.VacuumOverdueAsync(), o => o.TableName == "public.overdue_scaled");

        await conn.ExecuteAsync("DELETE FROM overdue_scaled WHERE id <= 6000");
        await conn.ExecuteAsync("SELECT pg_stat_force_next_flush()");
        var t = Assert.Single(await Checks.VacuumOverdueAsync(), o => o.TableName == "public.overdue_scaled");
        Assert.Equal((6000L, 5100.0), (t.DeadRows, t.VacuumThreshold));
    }

    [Fact]
    public async Task Vacuum_and_analyze_statistics_per_table()
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        await conn.ExecuteAsync("""
            CREATE TABLE stats_dead (id int) WITH (autovacuum_enabled = false);
            INSERT INTO stats_dead SELECT g FROM generate_series(1, 1000) AS g;
            DELETE FROM stats_dead WHERE id > 200;
            CREATE TABLE stats_vacuumed (id int);
            INSERT INTO stats_vacuumed SELECT g FROM generate_series(1, 100) AS g;
            """);
        var before = DateTime.UtcNow.AddSeconds(-5);
        await conn.ExecuteAsync("SELECT pg_stat_force_next_flush()"); // before VACUUM: see the test above
        await conn.ExecuteAsync("VACUUM ANALYZE stats_vacuumed");
        await conn.ExecuteAsync("SELECT pg_stat_force_next_flush()");

        var stats = await Checks.VacuumStatsAsync(100);

        var dead = Assert.Single(stats, s => s.TableName == "public.stats_dead");
        Assert.Equal((200L, 800L), (dead.LiveRows, dead.DeadRows));
        Assert.Equal(0.8, dead.DeadRatio!.Value, 9);
        Assert.False(dead.AutovacuumEnabled);
        Assert.Null(dead.LastVacuum);
        Assert.Equal(0, dead.VacuumCount);

        var vacuumed = Assert.Single(stats, s => s.TableName == "public.stats_vacuumed");
        Assert.True(vacuumed.AutovacuumEnabled);
        Assert.Equal((1L, 1L), (vacuumed.VacuumCount, vacuumed.AnalyzeCount));
        Assert.Equal(DateTimeKind.Utc, vacuumed.LastVacuum!.Value.Kind);
        Assert.InRange(vacuumed.LastVacuum.Value, before, DateTime.UtcNow.AddMinutes(1));
        Assert.InRange(vacuumed.LastAnalyze!.Value, before, DateTime.UtcNow.AddMinutes(1));
        Assert.Equal(0.0, vacuumed.DeadRatio);

        // Most dead rows first, and the limit holds.
        Assert.Equal(stats.OrderByDescending(s => s.DeadRows).Select(s => s.DeadRows), stats.Select(s => s.DeadRows));
        Assert.Single(await Checks.VacuumStatsAsync(1));
    }

    [Fact]
    public async Task Transaction_id_age_is_reported_per_database_and_per_table_as_a_percent_of_autovacuum_freeze_max_age()
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        // The table's own autovacuum_freeze_max_age (100,000 is the lowest allowed) lowers its limit; then use up
        // 30,000 transaction IDs (one per subtransaction that writes) so its age is 30 % of that.
        await conn.ExecuteAsync("""
            CREATE TABLE wrap_t (id int) WITH (autovacuum_freeze_max_age = 100000, autovacuum_enabled = false);
            DO $$
            BEGIN
                FOR i IN 1..30000 LOOP
                    BEGIN
                        INSERT INTO wrap_t VALUES (i);
                    EXCEPTION WHEN others THEN NULL;
                    END;
                END LOOP;
            END $$;
            """);
        var serverFreezeMaxAge = long.Parse((await conn.ExecuteScalarAsync<string>("SHOW autovacuum_freeze_max_age"))!);

        var databases = await Checks.WraparoundDatabasesAsync();
        var current = Assert.Single(databases, d => d.IsCurrent);
        Assert.Equal(db.Name, current.DatabaseName);
        Assert.True(current.XidAge >= 30_000, $"age {current.XidAge}");
        Assert.Equal(serverFreezeMaxAge, current.FreezeMaxAge);
        Assert.Equal(100.0 * current.XidAge / serverFreezeMaxAge, current.PercentOfFreezeMaxAge, 9);
        Assert.Equal(100.0 * current.XidAge / int.MaxValue, current.PercentTowardsWraparound, 9);
        Assert.Contains(databases, d => d.DatabaseName == "template0" && !d.IsCurrent); // the whole server
        Assert.Equal(databases.OrderByDescending(d => d.XidAge).Select(d => d.XidAge), databases.Select(d => d.XidAge));

        var tables = await Checks.WraparoundTablesAsync(50); // every table of the test database, however many the dashboard's schema adds
        var wrap = tables[0]; // the highest percent first
        Assert.Equal("public.wrap_t", wrap.TableName);
        Assert.Equal(100_000, wrap.FreezeMaxAge);
        Assert.InRange(wrap.XidAge, 30_000, 90_000); // other tests on the server use transaction IDs too
        Assert.Equal(wrap.XidAge / 1000.0, wrap.PercentOfFreezeMaxAge, 9);
        Assert.Equal("VACUUM (FREEZE, VERBOSE) public.wrap_t;", wrap.FreezeStatement);
        var documents = Assert.Single(tables, t => t.TableName == "public.documents");
        Assert.Equal(serverFreezeMaxAge, documents.FreezeMaxAge);
        Assert.True(documents.PercentOfFreezeMaxAge < 1);

        // The fix shown works: frozen, the table is young again.
        await conn.ExecuteAsync(wrap.FreezeStatement);
        var frozen = Assert.Single(await Checks.WraparoundTablesAsync(1000), t => t.TableName == "public.wrap_t");
        Assert.True(frozen.XidAge < 5_000, $"age {frozen.XidAge}");
    }

    [Fact]
    public async Task Sequences_near_exhaustion_of_their_own_type_or_of_the_column_they_feed_are_reported_with_the_percent_used()
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        await conn.ExecuteAsync("""
            CREATE TABLE seq_int_col (id int NOT NULL);
            CREATE SEQUENCE seq_int_col_id_seq OWNED BY seq_int_col.id;  -- a bigint sequence feeding an int column
            ALTER TABLE seq_int_col ALTER COLUMN id SET DEFAULT nextval('seq_int_col_id_seq');
            SELECT setval('seq_int_col_id_seq', 2147483000);
            CREATE SEQUENCE seq_big_free;                                -- bigint, owned by nothing
            SELECT setval('seq_big_free', 9223372036854775807 - 1000);
            CREATE TABLE seq_serial (id serial PRIMARY KEY, v text);       -- a fresh serial: nothing used
            INSERT INTO seq_serial (v) VALUES ('a'), ('b');
            CREATE TABLE seq_identity (id int GENERATED ALWAYS AS IDENTITY, v text);
            """);
        // The int column fails right where the check says it would.
        await conn.ExecuteAsync("INSERT INTO seq_int_col DEFAULT VALUES");

        var sequences = (await Checks.SequencesAsync()).ToDictionary(s => s.SequenceName);

        var intCol = sequences["public.seq_int_col_id_seq"];
        Assert.Equal(("bigint", "public.seq_int_col", "id", "integer"), (intCol.SequenceType, intCol.OwnerTable, intCol.OwnerColumn, intCol.ColumnType));
        Assert.True(intCol.LimitedByColumn);
        Assert.Equal(int.MaxValue, intCol.UsableLimit);
        Assert.Equal(2147483001, intCol.LastValue);
        Assert.Equal(100.0 * 2147483001 / int.MaxValue, intCol.PercentUsed, 9);
        Assert.Equal(646m, intCol.ValuesLeft);
        Assert.Equal("ALTER TABLE public.seq_int_col ALTER COLUMN id TYPE bigint;", intCol.AlterStatement);

        var big = sequences["public.seq_big_free"];
        Assert.False(big.LimitedByColumn);
        Assert.Null(big.OwnerTable);
        Assert.Equal(long.MaxValue, big.UsableLimit);
        Assert.Equal(long.MaxValue - 1000, big.LastValue);
        Assert.True(big.PercentUsed > 99.99999, $"{big.PercentUsed}");
        Assert.Equal(1000m, big.ValuesLeft);
        Assert.Null(big.AlterStatement); // nothing wider than bigint

        var serial = sequences["public.seq_serial_id_seq"];
        Assert.Equal(("integer", "integer", 2L), (serial.SequenceType, serial.ColumnType, serial.LastValue));
        Assert.True(serial.PercentUsed < 0.001);
        Assert.Equal("ALTER TABLE public.seq_serial ALTER COLUMN id TYPE bigint;\nALTER SEQUENCE public.seq_serial_id_seq AS bigint;", serial.AlterStatement);

        var identity = sequences["public.seq_identity_id_seq"];
        Assert.Equal(("public.seq_identity", "id"), (identity.OwnerTable, identity.OwnerColumn));
        Assert.Null(identity.LastValue);        // never used
        Assert.Equal(0, identity.PercentUsed);
        Assert.Equal("ALTER TABLE public.seq_identity ALTER COLUMN id TYPE bigint;", identity.AlterStatement); // the identity's sequence follows

        // Most used first.
        var all = sequences.Values.OrderByDescending(s => s.PercentUsed).Select(s => s.SequenceName).Take(2).ToList();
        Assert.Equal(["public.seq_big_free", "public.seq_int_col_id_seq"], all);

        // The fix shown works: widened, the column has room again.
        await conn.ExecuteAsync(intCol.AlterStatement!);
        var widened = Assert.Single(await Checks.SequencesAsync(), s => s.SequenceName == "public.seq_int_col_id_seq");
        Assert.False(widened.LimitedByColumn);
        Assert.True(widened.PercentUsed < 0.001);
    }
}

/// <summary>The Maintenance tab with fake checks.</summary>
public class MaintenanceTabTests : BunitSetup
{
    private sealed class FakeMaintenanceChecks : IMaintenanceChecks
    {
        public Func<Task<IReadOnlyList<VacuumOverdueTable>>> Overdue { get; set; } = () => Task.FromResult<IReadOnlyList<VacuumOverdueTable>>([
            new VacuumOverdueTable
            {
                TableName = "public.task_queue", DeadRows = 250_000, LiveRows = 40_000, VacuumThreshold = 8_050, BaseThreshold = 50, ScaleFactor = 0.2,
                AutovacuumEnabled = false, VacuumStatement = "VACUUM (VERBOSE, ANALYZE) public.task_queue;",
            }]);
        public Func<Task<IReadOnlyList<SequenceUsage>>> Sequences { get; set; } = () => Task.FromResult<IReadOnlyList<SequenceUsage>>([
            new SequenceUsage
            {
                SequenceName = "public.jobs_id_seq", SequenceType = "bigint", LastValue = 2_147_483_000, UsableLimit = int.MaxValue, LimitedByColumn = true,
                OwnerTable = "public.jobs", OwnerColumn = "id", ColumnType = "integer", PercentUsed = 99.99997,
                AlterStatement = "ALTER TABLE public.jobs ALTER COLUMN id TYPE bigint;",
            },
            new SequenceUsage { SequenceName = "public.small_seq", SequenceType = "bigint", LastValue = 10, UsableLimit = long.MaxValue, PercentUsed = 1e-16, AlterStatement = null },
        ]);

        public Task<IReadOnlyList<TableVacuumStats>> VacuumStatsAsync(int limit, CancellationToken ct = default) =>
            Task.FromResult<IReadOnlyList<TableVacuumStats>>([
                new TableVacuumStats { TableName = "public.documents", LiveRows = 1000, DeadRows = 10, DeadRatio = 10 / 1010.0, LastAutovacuum = DateTime.UtcNow.AddMinutes(-3), AutovacuumEnabled = true }]);
        public Task<IReadOnlyList<VacuumOverdueTable>> VacuumOverdueAsync(CancellationToken ct = default) => Overdue();
        public Task<IReadOnlyList<DatabaseWraparound>> WraparoundDatabasesAsync(CancellationToken ct = default) =>
            Task.FromResult<IReadOnlyList<DatabaseWraparound>>([
                new DatabaseWraparound { DatabaseName = "orchestra", IsCurrent = true, XidAge = 150_000_000, FreezeMaxAge = 200_000_000, PercentOfFreezeMaxAge = 75, PercentTowardsWraparound = 6.98 }]);
        public Func<Task<IReadOnlyList<TableWraparound>>> Tables { get; set; } = () =>
            Task.FromResult<IReadOnlyList<TableWraparound>>([
                new TableWraparound { TableName = "public.documents", XidAge = 150_000_000, FreezeMaxAge = 200_000_000, PercentOfFreezeMaxAge = 75, FreezeStatement = "VACUUM (FREEZE, VERBOSE) public.documents;" },
                new TableWraparound { TableName = "public.young", XidAge = 1_000, FreezeMaxAge = 200_000_000, PercentOfFreezeMaxAge = 0.0005, FreezeStatement = "VACUUM (FREEZE, VERBOSE) public.young;" }]);
        public Task<IReadOnlyList<TableWraparound>> WraparoundTablesAsync(int limit, CancellationToken ct = default) => Tables();
        public Task<IReadOnlyList<SequenceUsage>> SequencesAsync(CancellationToken ct = default) => Sequences();
    }

    private readonly FakeMaintenanceChecks checks = new();

    public MaintenanceTabTests() => Services.AddSingleton<IMaintenanceChecks>(checks);

    [Fact]
    public void Shows_findings_with_the_sql_to_fix_them_only_where_a_fix_is_due()
    {
        var tab = Render<MaintenanceTab>();

        Assert.Equal(["Tables overdue for vacuum", "Transaction ID wraparound", "Oldest tables (transaction ID age)", "Sequences", "Vacuum and analyze per table"],
            tab.FindAll("section h2").Select(h => h.TextContent));
        Assert.Equal(
            ["VACUUM (VERBOSE, ANALYZE) public.task_queue;", "VACUUM (FREEZE, VERBOSE) public.documents;", "ALTER TABLE public.jobs ALTER COLUMN id TYPE bigint;"],
            tab.FindAll("code.fix-sql").Select(c => c.TextContent));
        Assert.Contains("off for this table", tab.Markup);
        Assert.Contains("99.99997 %", tab.Markup);
        Assert.Contains("2,147,483,647 (column)", tab.Markup);
        Assert.Contains("75 %", tab.Markup);
        Assert.Contains("3 minutes ago", tab.Markup);
    }

    [Fact]
    public void Empty_checks_say_why()
    {
        checks.Overdue = () => Task.FromResult<IReadOnlyList<VacuumOverdueTable>>([]);
        checks.Sequences = () => Task.FromResult<IReadOnlyList<SequenceUsage>>([]);
        var tab = Render<MaintenanceTab>();

        Assert.Contains("autovacuum is keeping up", tab.Markup);
        Assert.Contains("No sequences in this database", tab.Markup);
        Assert.Equal(["VACUUM (FREEZE, VERBOSE) public.documents;"], tab.FindAll("code.fix-sql").Select(c => c.TextContent));
    }

    [Fact]
    public void Young_tables_get_no_fix_column()
    {
        checks.Tables = () => Task.FromResult<IReadOnlyList<TableWraparound>>([
            new TableWraparound { TableName = "public.young", XidAge = 1_000, FreezeMaxAge = 200_000_000, PercentOfFreezeMaxAge = 0.0005, FreezeStatement = "VACUUM (FREEZE, VERBOSE) public.young;" }]);
        var tab = Render<MaintenanceTab>();

        var panel = tab.FindAll("section").Single(s => s.QuerySelector("h2")!.TextContent == "Oldest tables (transaction ID age)");
        Assert.Equal(["Table", "XID age", "of freeze max age"], panel.QuerySelectorAll("th").Select(h => h.TextContent));
        Assert.Contains("< 0.01 %", panel.TextContent);
    }

    [Theory]
    [InlineData(0, "0 %")]
    [InlineData(0.0000245, "< 0.01 %")]
    [InlineData(2.456, "2.46 %")]
    [InlineData(75, "75 %")]
    [InlineData(99.9999698, "99.99997 %")]
    [InlineData(99.96, "99.96 %")]
    [InlineData(100, "100 %")]
    [InlineData(130.25, "130.3 %")]
    [InlineData(99.99999999999999, "> 99.999999 %")]
    public void Percentages_keep_the_digits_that_matter(double percent, string expected) =>
        Assert.Equal(expected, MaintenanceTab.Percent(percent));
}
