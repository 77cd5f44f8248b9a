using Microsoft.Playwright;
using Npgsql;
using Orchestra.Admin.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestra.Admin.E2E.Tests;

/// <summary>PostgreSQL slow for one table: the panel that reads it says so, the rest of the page renders.</summary>
public sealed class SlowPostgresTests(AppFixture app) : E2ETest(app)
{
    [Fact]
    public Task A_locked_table_skips_its_panel_and_the_other_panels_render() => WithPageAsync(async page =>
    {
        // As a migration holding a lock would: the dashboard's read of documents does not join its lock queue (where it
        // would wait its 5 s statement timeout and hold up every reader after it); it gives up at its lock_timeout.
        await using var conn = new NpgsqlConnection(App.DatabaseConnectionString);
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE documents IN ACCESS EXCLUSIVE MODE", conn, tx))
            await lockTable.ExecuteNonQueryAsync();
        try
        {
            await page.GotoAsync("/");
            await Expect(Panel(page, "Table sizes")).ToContainTextAsync("Skipped: a table this reads is locked by another session", new() { Timeout = 30_000 });
            await Expect(page.GetByTestId("active-connections")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("cache-hit-ratio")).ToBeVisibleAsync();
            await Expect(Panel(page, "Active connections").GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        }
        finally
        {
            await tx.RollbackAsync();
        }

        // Released: the panel reads again on the next sampler round.
        await Expect(Panel(page, "Table sizes").GetByRole(AriaRole.Row).Filter(new() { HasText = "documents" }))
            .ToBeVisibleAsync(new() { Timeout = 30_000 });
    });
}
