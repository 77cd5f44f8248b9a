using Bunit;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Features.Overview;
using Orchestra.Admin.Features.Postgres;
using Orchestra.Admin.Features.Postgres.Tabs;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Monitoring;

public class SpaceChecksTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private SpaceChecks Checks => new(TestServices.QueryRunner(db));

    [Fact]
    public async Task A_table_locked_by_another_session_is_skipped_instead_of_queued_behind()
    {
        // A migration of the stack holds ACCESS EXCLUSIVE: the size query must not join that table's lock queue for its
        // whole statement_timeout (every reader arriving after it would then wait behind the dashboard too).
        await using var migration = await db.OpenOtherConnectionAsync("the-stacks-migration");
        await migration.ExecuteAsync("CREATE TABLE IF NOT EXISTS space_locked (id int)");
        await using var tx = await migration.BeginTransactionAsync();
        await migration.ExecuteAsync("LOCK TABLE space_locked IN ACCESS EXCLUSIVE MODE");

        var e = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => new SpaceChecks(TestServices.QueryRunner(db, statementTimeoutSeconds: 30)).TableSizesAsync(100));

        Assert.Equal(Npgsql.PostgresErrorCodes.LockNotAvailable, e.SqlState);
        Assert.StartsWith("Skipped: a table this reads is locked by another session", Orchestra.Admin.Components.Controls.ErrorMessages.Describe(e));
    }

    [Fact]
    public async Task The_database_size_grows_with_a_table_written_into_it()
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        var before = await Checks.DatabaseSizeAsync();
        Assert.Equal(db.Name, before.DatabaseName);
        Assert.Equal(await conn.ExecuteScalarAsync<long>("SELECT pg_database_size(current_database())"), before.DatabaseBytes);
        // The stack's four tables and the dashboard's own schema; their primary keys and indexes.
        Assert.True(before.TableCount >= 4, $"{before.TableCount} tables");
        Assert.True(before.IndexCount >= 7, $"{before.IndexCount} indexes");

        await conn.ExecuteAsync("""
            CREATE TABLE space_big (id int PRIMARY KEY, body text);
            INSERT INTO space_big SELECT g, md5(g::text) FROM generate_series(1, 50000) AS g;
            """);
        var after = await Checks.DatabaseSizeAsync();

        var grown = after.DatabaseBytes - before.DatabaseBytes;
        var written = await conn.ExecuteScalarAsync<long>("SELECT pg_total_relation_size('space_big'::regclass)");
        Assert.True(grown >= written, $"grew {grown} bytes, the table takes {written}");
        Assert.Equal((before.TableCount + 1, before.IndexCount + 1), (after.TableCount, after.IndexCount));

        // The per-table list is the Overview's table_sizes query: the new table leads it.
        var tables = await Checks.TableSizesAsync(10);
        Assert.Equal("public.space_big", tables[0].TableName);
        Assert.Equal(written, tables[0].TotalBytes);
        Assert.Single(await Checks.TableSizesAsync(1));
    }
}

/// <summary>The Space tab with fake checks.</summary>
public class SpaceTabTests : BunitSetup
{
    private sealed class FakeSpaceChecks : ISpaceChecks
    {
        public Func<Task<DatabaseSize>> Database { get; set; } = () =>
            Task.FromResult(new DatabaseSize { DatabaseName = "orchestra", DatabaseBytes = 5L * 1024 * 1024 * 1024, TableCount = 6, IndexCount = 11 });
        public Func<Task<IReadOnlyList<TableSize>>> Tables { get; set; } = () => Task.FromResult<IReadOnlyList<TableSize>>(
            [new TableSize("public.documents", "public", "documents", 52_428_800, 40_000_000, 12_000_000, 428_800, 50_000)]);

        public Task<DatabaseSize> DatabaseSizeAsync(CancellationToken ct = default) => Database();
        public Task<IReadOnlyList<TableSize>> TableSizesAsync(int limit, CancellationToken ct = default) => Tables();
    }

    private readonly FakeSpaceChecks checks = new();

    public SpaceTabTests() => Services.AddSingleton<ISpaceChecks>(checks);

    [Fact]
    public void Shows_the_database_size_and_the_tables()
    {
        var tab = Render<SpaceTab>();

        Assert.Equal(["Database size", "Growth", "Table sizes"], tab.FindAll("section h2").Select(h => h.TextContent));
        Assert.Equal("5.0 GB", tab.Find("[data-testid=database-size]").TextContent);
        Assert.Contains("6 tables and 11 indexes", tab.Markup);
        var row = tab.Find("tbody tr");
        Assert.Contains("public.documents", row.TextContent);
        Assert.Contains("50 MB", row.TextContent);
    }

    [Fact]
    public void A_failing_size_query_breaks_only_its_own_panel()
    {
        checks.Database = () => Task.FromException<DatabaseSize>(
            new QueryTimeoutException("monitoring/space/database_size", TimeSpan.FromSeconds(5), new Exception()));
        var tab = Render<SpaceTab>();

        Assert.Contains("timed out after 5 s", tab.Find("[role=alert]").TextContent);
        Assert.Contains("public.documents", tab.Find("tbody").TextContent);
    }
}
