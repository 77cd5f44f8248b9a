using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Features.Documents;
using Orchestra.Admin.Hosting;

namespace Orchestra.Admin.Tests.Documents;

/// <summary>
/// The app as <see cref="ExportApp"/> runs it (the default pool of 20 connections, a 120 s export timeout), with a write
/// timeout of <see cref="WriteTimeoutSeconds"/> s for an export whose client stops reading.
/// </summary>
public sealed class ExportLimitsApp : ExportApp
{
    public const int WriteTimeoutSeconds = 10;

    protected override void AddSettings(IDictionary<string, string?> settings) =>
        settings["OrchestraAdmin:Documents:ExportWriteTimeoutSeconds"] = WriteTimeoutSeconds.ToString();
}

/// <summary>
/// Issue 15, finding 3: a Viewer's slow downloads of the export held every pooled connection (each export holds one, in
/// an open transaction, for up to the export timeout), so /readyz said PostgreSQL was down and every page failed for
/// everyone. These tests perform the attack against the real app and a real PostgreSQL.
/// </summary>
public class DocumentsExportLimitsTests(ExportLimitsApp fixture) : IClassFixture<ExportLimitsApp>
{
    private const int Attackers = 30;
    private const int PerUserLimit = 2; // OrchestraAdmin:Documents:ExportMaxConcurrentPerUser, its default
    private const string ExportAction = "documents.export";

    private static string BulkUrl => DocumentsExport.Url("bulk", new DocumentFilter(), DocumentSort.CreatedAt, true);

    [Fact]
    public async Task Thirty_throttled_exports_by_one_viewer_leave_the_pages_and_readyz_working_and_are_refused_beyond_the_limit()
    {
        using var viewer = await fixture.SignedInClientAsync();
        using var other = await fixture.SignedInClientAsync(ExportApp.OperatorName, ExportApp.OperatorPassword);
        var since = await LastAuditIdAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, Attackers).Select(_ => viewer.GetAsync(BulkUrl, HttpCompletionOption.ResponseHeadersRead)));
        using var stop = new CancellationTokenSource();
        var admitted = answers.Where(a => a.StatusCode == HttpStatusCode.OK).ToList();
        // Each admitted download is read like `curl --limit-rate 16k`: slowly, but never slowly enough for the write timeout.
        var readers = admitted.Select(a => ReadThrottledAsync(a, stop.Token)).ToList();
        try
        {
            // The admitted exports hold their connections on the server while the pages are loaded.
            await WaitUntilAsync(async () => await RunningExportsAsync() >= admitted.Count, TimeSpan.FromSeconds(30));

            // Another user's Overview renders with its data, not the panels' errors.
            using (var overview = await other.GetAsync(""))
            {
                var html = await overview.Content.ReadAsStringAsync();
                Assert.True(overview.StatusCode == HttpStatusCode.OK, $"the Overview answered {(int)overview.StatusCode}");
                Assert.Contains("data-testid=\"active-connections\"", html);
                Assert.DoesNotContain("mud-alert-text-error", html);
            }
            // A page that reads the documents table itself (not through the sampler's round) too.
            using (var documents = await other.GetAsync("documents/shop"))
            {
                var html = await documents.Content.ReadAsStringAsync();
                Assert.True(documents.StatusCode == HttpStatusCode.OK, $"the documents page answered {(int)documents.StatusCode}");
                Assert.Contains("&quot;s20&quot;", html); // a row of the grid
                Assert.DoesNotContain("mud-alert-text-error", html);
            }
            using (var ready = await other.GetAsync("readyz"))
                Assert.True(ready.StatusCode == HttpStatusCode.OK, $"/readyz answered {(int)ready.StatusCode}: {await ready.Content.ReadAsStringAsync()}");

            // The Viewer's own limit: the rest were refused at once, told when to come back.
            Assert.Equal(PerUserLimit, admitted.Count);
            var refused = answers.Where(a => a.StatusCode != HttpStatusCode.OK).ToList();
            Assert.All(refused, a => Assert.Equal(HttpStatusCode.TooManyRequests, a.StatusCode));
            Assert.All(refused, a => Assert.True(a.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After in seconds"));
            Assert.Contains("exports running", await refused[0].Content.ReadAsStringAsync());

            // The checks above ran while the admitted exports were still running.
            Assert.All(readers, r => Assert.False(r.IsCompleted, "an admitted download ended early"));
            Assert.Equal(PerUserLimit, await RunningExportsAsync());
        }
        finally
        {
            stop.Cancel();
            foreach (var answer in answers) answer.Dispose();
        }
        await Task.WhenAll(readers);

        // The slow clients went away: the exports' connections are released, and the Viewer may export again.
        await WaitUntilAsync(async () => await RunningExportsAsync() == 0, TimeSpan.FromSeconds(30));
        using (var again = await viewer.GetAsync(DocumentsExport.Url("shop", new DocumentFilter(), DocumentSort.CreatedAt, true)))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            Assert.Equal(20, ExportHelpers.Lines(await again.Content.ReadAsStringAsync()).Count);
        }

        // Every export is in the audit log: the refusals, the two the clients abandoned, the one that completed.
        var entries = await AuditEntriesAsync(since, Attackers + 1);
        Assert.Equal(Attackers + 1, entries.Count);
        Assert.Equal(Attackers - PerUserLimit, entries.Count(e => !e.Succeeded && e.Error!.StartsWith("refused", StringComparison.Ordinal)));
        Assert.Equal(PerUserLimit, entries.Count(e => !e.Succeeded && e.Error!.StartsWith("the client went away", StringComparison.Ordinal)));
        Assert.Single(entries, e => e.Succeeded && e.RowsAffected == 20);
    }

    [Fact]
    public async Task A_client_that_stops_reading_is_cut_after_the_write_timeout_and_its_connection_released()
    {
        using var viewer = await fixture.SignedInClientAsync();
        var since = await LastAuditIdAsync();
        using var response = await viewer.GetAsync(BulkUrl, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64 * 1024];
        Assert.True(await body.ReadAsync(buffer) > 0);

        // The client stops reading. The export fills the buffers on the way, then waits for the client; after the
        // write timeout the server ends it: its statement is gone, its connection back in the pool. Well before the
        // export's own 120 s statement timeout, which is what ended it before.
        var clock = Stopwatch.StartNew();
        await WaitUntilAsync(async () => await RunningExportsAsync() == 0, TimeSpan.FromSeconds(60));
        var cutAfter = clock.Elapsed;

        // The download fails visibly: reading on reaches the cut, not the end of a complete-looking file.
        long received = 0;
        var cut = await Record.ExceptionAsync(async () =>
        {
            int n;
            while ((n = await body.ReadAsync(buffer)) > 0) received += n;
        });
        Assert.True(cut is IOException or HttpRequestException, $"the download ended without an error after {received:N0} more bytes ({cutAfter.TotalSeconds:0.0} s)");

        var entry = Assert.Single(await AuditEntriesAsync(since, 1));
        Assert.False(entry.Succeeded);
        Assert.StartsWith($"cut: the client read nothing for {ExportLimitsApp.WriteTimeoutSeconds} s", entry.Error);
        Assert.InRange(entry.RowsAffected ?? -1, 1, ExportApp.BulkDocuments - 1);

        // The slot is free again too.
        using var again = await viewer.GetAsync(DocumentsExport.Url("shop", new DocumentFilter(), DocumentSort.CreatedAt, true));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task Each_export_is_audited_with_who_what_the_filter_and_the_rows_sent()
    {
        using var viewer = await fixture.SignedInClientAsync();
        var since = await LastAuditIdAsync();
        var filter = new DocumentFilter { DataContains = """{"status":"active"}""", JsonPath = "$.score > 4" };
        using (var response = await viewer.GetAsync(DocumentsExport.Url("shop", filter, DocumentSort.UpdatedAt, false)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(8, ExportHelpers.Lines(await response.Content.ReadAsStringAsync()).Count); // s6, s8, …, s20
        }
        using (var bad = await viewer.GetAsync("documents/shop/export?sort=name"))
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        var entries = await AuditEntriesAsync(since, 2);
        Assert.Equal(2, entries.Count);
        var done = entries[0];
        Assert.Equal((ExportApp.UserName, "Viewer", "127.0.0.1"), (done.Actor, done.ActorRole, done.ClientIp));
        Assert.Equal("documents", done.TargetTable);
        Assert.Equal(["shop"], done.TargetIds);
        Assert.True(done.Succeeded);
        Assert.Null(done.Error);
        Assert.Equal(8, done.RowsAffected);
        using var parameters = JsonDocument.Parse(done.Parameters);
        var p = parameters.RootElement;
        Assert.Equal("shop", p.GetProperty("collection").GetString());
        var query = p.GetProperty("query");
        Assert.Equal("""{"status":"active"}""", query.GetProperty("data").GetString());
        Assert.Equal("$.score > 4", query.GetProperty("jsonpath").GetString());
        Assert.Equal("updated", query.GetProperty("sort").GetString());
        Assert.Equal("asc", query.GetProperty("order").GetString());

        var refused = entries[1];
        Assert.False(refused.Succeeded);
        Assert.StartsWith("refused: sort: must be 'created' or 'updated'", refused.Error);
        Assert.Null(refused.RowsAffected);
        Assert.Equal("name", JsonDocument.Parse(refused.Parameters).RootElement.GetProperty("query").GetProperty("sort").GetString());

        // The audit page, which Viewers read too, says what the export did: documents sent, not rows changed.
        var html = WebUtility.HtmlDecode(await viewer.GetStringAsync($"audit?action={ExportAction}&user={ExportApp.UserName}"));
        Assert.Contains("8 document(s) exported", html);
        Assert.DoesNotContain("row(s) changed", html);
        Assert.Contains("documents shop", html);
        Assert.Contains("refused: sort: must be 'created' or 'updated'", html);
    }

    [Fact]
    public void The_exports_have_a_pool_of_their_own_of_ExportMaxConcurrent_connections()
    {
        var exports = fixture.Services.GetRequiredKeyedService<NpgsqlDataSource>(PostgresDataSources.Exports);
        var pages = fixture.Services.GetRequiredService<NpgsqlDataSource>();
        Assert.NotSame(pages, exports);
        Assert.Equal(new DocumentsOptions().ExportMaxConcurrent, new NpgsqlConnectionStringBuilder(exports.ConnectionString).MaxPoolSize);
        Assert.Equal(20, new NpgsqlConnectionStringBuilder(pages.ConnectionString).MaxPoolSize);
    }

    private sealed class AuditRow
    {
        public string Actor { get; init; } = "";
        public string ActorRole { get; init; } = "";
        public string? ClientIp { get; init; }
        public string? TargetTable { get; init; }
        public string[] TargetIds { get; init; } = [];
        public string Parameters { get; init; } = "";
        public bool Succeeded { get; init; }
        public long? RowsAffected { get; init; }
        public string? Error { get; init; }
    }

    private async Task<long> LastAuditIdAsync()
    {
        await using var conn = await fixture.Database.OpenOtherConnectionAsync("test-observer");
        return await conn.ExecuteScalarAsync<long>("SELECT COALESCE(max(id), 0) FROM orchestra_admin.audit_log");
    }

    /// <summary>
    /// The exports' audit entries after <paramref name="since"/>, oldest first, once there are <paramref name="expected"/>:
    /// an export abandoned by its client is recorded after its connection is released.
    /// </summary>
    private async Task<List<AuditRow>> AuditEntriesAsync(long since, int expected)
    {
        var entries = new List<AuditRow>();
        await WaitUntilAsync(async () => (entries = await ReadAuditAsync(since)).Count >= expected, TimeSpan.FromSeconds(10));
        return entries;
    }

    private async Task<List<AuditRow>> ReadAuditAsync(long since)
    {
        await using var conn = await fixture.Database.OpenOtherConnectionAsync("test-observer");
        return (await conn.QueryAsync<AuditRow>("""
            SELECT actor, actor_role AS ActorRole, host(client_ip) AS ClientIp, target_table AS TargetTable, target_ids AS TargetIds,
                   parameters::text AS Parameters, succeeded, rows_affected AS RowsAffected, error
            FROM orchestra_admin.audit_log WHERE id > @since AND action = @action ORDER BY id
            """, new { since, action = ExportAction })).ToList();
    }

    /// <summary>Export statements the app has running or open on the server (a connection back in the pool is idle).</summary>
    private async Task<int> RunningExportsAsync()
    {
        await using var conn = await fixture.Database.OpenOtherConnectionAsync("test-observer");
        return await conn.ExecuteScalarAsync<int>("""
            SELECT count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = 'orchestra-admin' AND state <> 'idle'
              AND query LIKE '%json_build_object%' AND pid <> pg_backend_pid()
            """);
    }

    /// <summary>Reads 4 KB every quarter second until stopped or cut.</summary>
    private static async Task ReadThrottledAsync(HttpResponseMessage response, CancellationToken stop)
    {
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(stop);
            var buffer = new byte[4096];
            while (await body.ReadAsync(buffer, stop) > 0)
                await Task.Delay(250, stop);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException or ObjectDisposedException)
        {
            // stopped by the test, or cut by the server
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan patience)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > patience) throw new TimeoutException($"still not so after {patience.TotalSeconds:0} s");
            await Task.Delay(200);
        }
    }
}

/// <summary>The exports' limits, counted: per user, for the whole dashboard, released once.</summary>
public class DocumentsExportSlotsTests
{
    private static DocumentsExportSlots Slots(int all, int perUser) => new(Microsoft.Extensions.Options.Options.Create(new OrchestraAdminOptions
    {
        Documents = new DocumentsOptions { ExportMaxConcurrent = all, ExportMaxConcurrentPerUser = perUser },
    }));

    [Fact]
    public void A_user_at_their_limit_is_refused_with_429_whatever_the_case_of_the_name()
    {
        var slots = Slots(all: 4, perUser: 2);
        Assert.NotNull(slots.TryTake("viv", out _));
        Assert.NotNull(slots.TryTake("viv", out _));
        Assert.Null(slots.TryTake("VIV", out var refusal));
        Assert.Equal(StatusCodes.Status429TooManyRequests, refusal!.StatusCode);
        Assert.Contains("You have 2 exports running", refusal.Message);
        Assert.Contains("ExportMaxConcurrentPerUser", refusal.Message);
        Assert.NotNull(slots.TryTake("ann", out _)); // another user still may
        Assert.Equal(3, slots.Running);
    }

    [Fact]
    public void The_dashboards_limit_refuses_with_503_and_a_released_slot_is_free_again_once()
    {
        var slots = Slots(all: 3, perUser: 2);
        var first = slots.TryTake("viv", out _)!;
        Assert.NotNull(slots.TryTake("viv", out _));
        Assert.NotNull(slots.TryTake("ann", out _));
        Assert.Null(slots.TryTake("bob", out var refusal));
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, refusal!.StatusCode);
        Assert.Contains("3 exports are running", refusal.Message);
        Assert.Contains("ExportMaxConcurrent", refusal.Message);

        first.Dispose();
        first.Dispose(); // released once, not twice
        Assert.Equal(2, slots.Running);
        Assert.NotNull(slots.TryTake("bob", out _));
        Assert.Null(slots.TryTake("carl", out _));
    }

    [Fact]
    public void The_defaults_are_four_exports_two_per_user_and_a_30_s_write_timeout()
    {
        var documents = new OrchestraAdminOptions().Documents;
        Assert.Equal((4, 2, 30), (documents.ExportMaxConcurrent, documents.ExportMaxConcurrentPerUser, documents.ExportWriteTimeoutSeconds));
    }
}
