using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Npgsql;
using Orchestra.Admin.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestra.Admin.E2E.Tests;

/// <summary>The Overview's three panels show real values from the seeded database.</summary>
public sealed partial class OverviewTests(AppFixture app) : E2ETest(app)
{
    [Fact]
    public Task Cache_hit_ratio_is_a_percentage_because_the_seeder_read_data() => WithPageAsync(async page =>
    {
        await page.GotoAsync("/");
        var panel = Panel(page, "Cache hit ratio");
        await Expect(panel).ToHaveAttributeAsync("aria-busy", "false");

        var value = panel.GetByTestId("cache-hit-ratio");
        await Expect(value).ToHaveTextAsync(Percentage());
        var percent = double.Parse(Percentage().Match(await value.InnerTextAsync()).Groups["value"].Value, CultureInfo.InvariantCulture);
        Assert.InRange(percent, 0.01, 100);
    });

    [Fact]
    public Task Active_connections_show_a_count_and_the_servers_max_connections() => WithPageAsync(async page =>
    {
        await page.GotoAsync("/");
        var panel = Panel(page, "Active connections");
        await Expect(panel).ToHaveAttributeAsync("aria-busy", "false");

        await Expect(panel.GetByTestId("active-connections")).ToHaveTextAsync(Count());
        var used = panel.GetByTestId("connections-used");
        await Expect(used).ToHaveTextAsync(ConnectionsUsed());

        var m = ConnectionsUsed().Match(Normalize(await used.InnerTextAsync()));
        var (usedOnServer, maxShown) = (ParseCount(m.Groups["used"].Value), ParseCount(m.Groups["max"].Value));

        await using var conn = await OpenDatabaseAsync();
        var maxConnections = long.Parse((string)(await new NpgsqlCommand("SHOW max_connections", conn).ExecuteScalarAsync())!, CultureInfo.InvariantCulture);
        Assert.Equal(maxConnections, maxShown);
        // The dashboard's own connection takes a slot too, so at least one is in use.
        Assert.InRange(usedOnServer, 1, maxConnections);
    });

    [Fact]
    public Task Table_sizes_list_the_largest_tables_with_sizes_and_row_estimates() => WithPageAsync(async page =>
    {
        await page.GotoAsync("/");
        var panel = Panel(page, "Table sizes");
        await Expect(panel).ToHaveAttributeAsync("aria-busy", "false");
        var table = panel.GetByRole(AriaRole.Table);
        var documents = table.GetByRole(AriaRole.Row).Filter(new LocatorFilterOptions
        {
            Has = page.GetByRole(AriaRole.Cell, new PageGetByRoleOptions { Name = "public.documents", Exact = true }),
        });
        await Expect(documents).ToBeVisibleAsync();

        // One consistent snapshot of the table (the page refreshes itself every few seconds).
        var cells = await table.EvaluateAsync<string[][]>(
            "t => [...t.querySelectorAll('tr')].map(r => [...r.querySelectorAll('th, td')].map(c => c.innerText.trim()))");
        var header = cells[0].ToList();
        int Column(string name)
        {
            var i = header.IndexOf(name);
            Assert.True(i >= 0, $"Table sizes has no column '{name}' (columns: {string.Join(", ", header)})");
            return i;
        }
        var (nameCol, totalCol, rowsCol) = (Column("Table"), Column("Total"), Column("Rows"));
        var shown = cells.Skip(1).Select(r => (Name: r[nameCol], Total: r[totalCol], Rows: r[rowsCol])).ToList();

        var actual = await TableSizesInDatabaseAsync();
        var docs = shown.Single(r => r.Name == "public.documents");

        // Size: "12 MB", "1.5 MB", "840 kB" — what pg_total_relation_size says, within the display's rounding.
        Assert.Matches(HumanSize(), docs.Total);
        var shownBytes = ParseSize(docs.Total);
        var documentsBytes = actual.Single(t => t.Name == "public.documents").TotalBytes;
        Assert.InRange(shownBytes, documentsBytes * 0.85, documentsBytes * 1.15);

        // Rows: "≈ 10,000", an estimate from pg_class.reltuples, close to the real count.
        var rowsMatch = RowEstimate().Match(docs.Rows);
        Assert.True(rowsMatch.Success, $"documents rows should read like '≈ 10,000' but read '{docs.Rows}'");
        await using (var conn = await OpenDatabaseAsync())
        {
            var count = (long)(await new NpgsqlCommand("SELECT count(*) FROM public.documents", conn).ExecuteScalarAsync())!;
            Assert.True(count > 0, "the seeder put no documents in");
            Assert.InRange(ParseCount(rowsMatch.Groups["rows"].Value), count * 0.9, count * 1.1);
        }

        // The tables listed are the largest ones, largest first. Sizes are compared with some slack: autovacuum may
        // add a visibility map or free space map to a freshly seeded table between the page's query and this one.
        static bool Larger(long a, long b) => a > b * 1.1 + 64 * 1024;
        var sizeOf = actual.ToDictionary(t => t.Name, t => t.TotalBytes);
        foreach (var row in shown)
            Assert.True(sizeOf.ContainsKey(row.Name), $"'{row.Name}' is listed but is not a table of the database ({string.Join(", ", sizeOf.Keys)})");
        if (shown.Count < actual.Count)
            await Expect(panel).ToContainTextAsync($"The {shown.Count} largest tables.");
        else
            Assert.Equal(actual.Count, shown.Count);
        Assert.Equal(actual[0].Name, shown[0].Name);
        for (var i = 1; i < shown.Count; i++)
            Assert.False(Larger(sizeOf[shown[i].Name], sizeOf[shown[i - 1].Name]),
                $"'{shown[i].Name}' ({sizeOf[shown[i].Name]} bytes) is listed after the smaller '{shown[i - 1].Name}' ({sizeOf[shown[i - 1].Name]} bytes)");
        var smallestShown = shown.Min(r => sizeOf[r.Name]);
        foreach (var missing in actual.Where(t => shown.All(r => r.Name != t.Name)))
            Assert.False(Larger(missing.TotalBytes, smallestShown), $"'{missing.Name}' ({missing.TotalBytes} bytes) is larger than a listed table but is not listed");
    });

    [Fact]
    public Task Overview_loads_without_browser_errors() => WithPageAsync(async (page, problems) =>
    {
        var response = await page.GotoAsync("/");
        Assert.Equal(200, response!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new PageGetByRoleOptions { Name = "Overview", Level = 1 })).ToBeVisibleAsync();
        foreach (var name in new[] { "Cache hit ratio", "Active connections", "Table sizes" })
        {
            await Expect(Panel(page, name)).ToBeVisibleAsync();
            await Expect(Panel(page, name)).ToHaveAttributeAsync("aria-busy", "false");
        }
        await WaitForInteractiveAsync(page);
        // Static assets (styles, scripts) are served in Production too, and nothing failed on the way.
        Assert.Empty(problems.All);
    });


    private async Task<NpgsqlConnection> OpenDatabaseAsync()
    {
        var conn = new NpgsqlConnection(App.DatabaseConnectionString);
        await conn.OpenAsync();
        return conn;
    }

    private async Task<List<(string Name, long TotalBytes)>> TableSizesInDatabaseAsync()
    {
        await using var conn = await OpenDatabaseAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT format('%I.%I', n.nspname, c.relname), pg_total_relation_size(c.oid)
            FROM pg_class AS c
            JOIN pg_namespace AS n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'm')
              AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND n.nspname NOT LIKE 'pg_toast%'
              AND n.nspname NOT LIKE 'pg_temp%'
            ORDER BY 2 DESC, 1
            """, conn);
        var result = new List<(string, long)>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) result.Add((reader.GetString(0), reader.GetInt64(1)));
        return result;
    }

    private static string Normalize(string text) => Whitespace().Replace(text, " ").Trim();

    private static long ParseCount(string text) => long.Parse(new string(text.Where(char.IsAsciiDigit).ToArray()), CultureInfo.InvariantCulture);

    private static double ParseSize(string text)
    {
        var m = HumanSize().Match(text);
        var value = double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
        var unit = m.Groups["unit"].Value switch { "bytes" => 0, "kB" => 1, "MB" => 2, "GB" => 3, "TB" => 4, _ => 5 };
        return value * Math.Pow(1024, unit);
    }

    [GeneratedRegex(@"^(?<value>\d{1,3}\.\d{2}) %$")]
    private static partial Regex Percentage();

    [GeneratedRegex(@"^\d{1,3}([,\u00a0\u202f ]?\d{3})*$")]
    private static partial Regex Count();

    [GeneratedRegex(@"(?<used>\d[\d,]*)\s+of\s+max_connections\s+(?<max>\d[\d,]*)\s+used")]
    private static partial Regex ConnectionsUsed();

    [GeneratedRegex(@"^(?<value>\d+(\.\d)?) (?<unit>bytes|kB|MB|GB|TB)$")]
    private static partial Regex HumanSize();

    [GeneratedRegex(@"^≈ (?<rows>\d[\d,.\u00a0\u202f ]*)$")]
    private static partial Regex RowEstimate();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
