using System.Globalization;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orchestra.Admin.Benchmarks.Shared;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Features.Sessions;
using Orchestra.Admin.Hosting;

namespace Orchestra.Admin.SessionsBenchmarks;

/// <summary>
/// The list's data for sessions whose user agents any user of the stack made hostile (issue 15, finding 2): one page of
/// <see cref="UserAgentBenchDatabase.Rows"/> sessions with 64 KB adversarial user agents against one of as many ordinary
/// ones, each read by the app's <see cref="SessionsService.PageAsync"/> and every row's user agent parsed, as the page
/// renders it. Every user agent is distinct, and the two sides together have twice as many as the parser caches, so the
/// sides evict each other: every call parses every row afresh (the worst case, not a cache hit).
/// </summary>
public sealed class UserAgentSides : IAsyncDisposable
{
    private readonly NpgsqlDataSource dataSource;
    private readonly SessionsService service;
    private readonly int rows;

    public UserAgentSides(UserAgentBenchDatabase database)
    {
        var options = new OrchestraAdminOptions { Postgres = new PostgresOptions { ConnectionString = database.ConnectionString } };
        dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        var runner = new PostgresQueryRunner(dataSource, Microsoft.Extensions.Options.Options.Create(options), NullLogger<PostgresQueryRunner>.Instance);
        service = new SessionsService(runner, Microsoft.Extensions.Options.Options.Create(options));
        rows = database.RowsPerSide;
    }

    /// <summary>
    /// The page's data for one side's sessions: the rows, and (with <paramref name="parse"/>) each row's parsed user agent,
    /// what the list shows; returns the rows parsed as bots. Without parsing: the read alone, to tell the two costs apart.
    /// </summary>
    public async Task<int> ListAsync(string side, bool parse = true)
    {
        var page = await service.PageAsync(new SessionPageRequest(new SessionFilter { UserId = side }, PageSize: rows));
        if (page.Rows.Count != rows) throw new InvalidOperationException($"{side}: {page.Rows.Count} rows, expected {rows}.");
        return parse ? page.Rows.Count(row => row.Agent is { IsBot: true } or { Browser: "" }) : 0;
    }

    public ValueTask DisposeAsync() => dataSource.DisposeAsync();
}

/// <summary>
/// <see cref="Rows"/> sessions of user "ordinary" with real, distinct user agents, and as many of user "adversarial" with
/// 64 KB ones: half a real start and then a long run of letters with no bot token, half a long run of dots and digits.
/// </summary>
public sealed class UserAgentBenchDatabase : BenchDatabase
{
    public const int Rows = 1_000;
    public const int Kilobytes = 64;
    public const string Ordinary = "ordinary";
    public const string Adversarial = "adversarial";

    private UserAgentBenchDatabase(int rows, int kilobytes) : base("orchestra_uabench_", setupPoolSize: 2)
    {
        RowsPerSide = rows;
        UserAgentKilobytes = kilobytes;
    }

    public int RowsPerSide { get; }
    public int UserAgentKilobytes { get; }

    public static Task<UserAgentBenchDatabase> CreateAsync(Action<string> log, int rows = Rows, int kilobytes = Kilobytes) =>
        CreateAsync(new UserAgentBenchDatabase(rows, kilobytes), log);

    protected override async Task LoadAsync(NpgsqlDataSource setup, Action<string> done)
    {
        await using var c = await setup.OpenConnectionAsync();
        await c.ExecuteAsync(string.Create(CultureInfo.InvariantCulture, $"""
            INSERT INTO sessions.sessions (user_id, user_agent, ip_address, expires_at)
            SELECT '{Ordinary}',
                   'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.' || g || '.0 Safari/537.36',
                   '10.0.0.1', now() + interval '1 day'
            FROM generate_series(1, {RowsPerSide}) AS g;
            INSERT INTO sessions.sessions (user_id, user_agent, ip_address, expires_at)
            SELECT '{Adversarial}',
                   left(CASE WHEN g % 2 = 0 THEN 'Mozilla/5.0 (X11; Linux x86_64; ' || g || ') ' || repeat('a', {UserAgentKilobytes * 1024})
                             ELSE g || '.' || repeat('1.', {UserAgentKilobytes * 512}) END, {UserAgentKilobytes * 1024}),
                   '10.0.0.2', now() + interval '1 day'
            FROM generate_series(1, {RowsPerSide}) AS g;
            """));
        await c.ExecuteAsync("VACUUM (ANALYZE) sessions.sessions");
        var bytes = await c.QuerySingleAsync<long>("SELECT sum(octet_length(user_agent)) FROM sessions.sessions WHERE user_id = @Adversarial", new { Adversarial });
        Figures = string.Create(CultureInfo.InvariantCulture,
            $"{RowsPerSide:N0} sessions with ordinary user agents, {RowsPerSide:N0} with {UserAgentKilobytes} KB adversarial ones ({bytes / 1048576.0:N0} MB of user agents)");
        done("sessions inserted, VACUUM (ANALYZE)");
    }
}
