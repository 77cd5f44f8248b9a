using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Features.Sessions;
using Orchestra.Admin.Hosting;

namespace Orchestra.Admin.SessionsBenchmarks;

/// <summary>Which indexes sessions.sessions has while measuring (extra ones only in the benchmark's own database).</summary>
public enum IndexSetup
{
    /// <summary>The stack's table as it is: its primary key only. What the dashboard meets.</summary>
    StackOnly,
    /// <summary>The two indexes to advise: one on the default sort key, one on the expiry, each with the session id.</summary>
    AdvisedIndexes,
}

/// <summary>Page 1 and page 2,000 (100 a page, reached by the keyset cursor) of the app's list, for the default sort and the expiry sort.</summary>
public sealed class SessionsPagingSides : IAsyncDisposable
{
    public const int PageSize = 100;
    public const int DeepPage = 2_000;
    public const int RowsBefore = (DeepPage - 1) * PageSize;
    public static readonly SessionSort[] Sorts = [SessionSort.CreatedAt, SessionSort.ExpiresAt];

    public const string CreatedIndex = "sessions_bench_created_sort_key";
    public const string ExpiresIndex = "sessions_bench_expires_at";
    public const string CreateCreatedIndex = $"CREATE INDEX {CreatedIndex} ON sessions.sessions ((COALESCE(created_at, '-infinity'::timestamptz)) DESC, session_id DESC)";
    public const string CreateExpiresIndex = $"CREATE INDEX {ExpiresIndex} ON sessions.sessions (expires_at, session_id)";

    public static string Describe(IndexSetup setup) => setup == IndexSetup.StackOnly
        ? "the stack's table as it is (primary key only)"
        : "with the advised indexes (COALESCE(created_at, '-infinity') DESC, session_id DESC) and (expires_at, session_id)";

    private readonly NpgsqlDataSource setup;
    private readonly Dictionary<SessionSort, SessionCursor> deepCursors = [];
    private IndexSetup? current;

    public NpgsqlDataSource DataSource { get; }
    public SessionsService Service { get; }

    private SessionsPagingSides(SessionsBenchDatabase database)
    {
        // The app's defaults (statement_timeout 5 s), its pool, its runner, its service.
        var options = new OrchestraAdminOptions { Postgres = new PostgresOptions { ConnectionString = database.ConnectionString } };
        DataSource = NpgsqlDataSource.Create(database.ConnectionString);
        setup = NpgsqlDataSource.Create(database.SetupConnectionString);
        var runner = new PostgresQueryRunner(DataSource, Microsoft.Extensions.Options.Options.Create(options), NullLogger<PostgresQueryRunner>.Instance);
        Service = new SessionsService(runner, Microsoft.Extensions.Options.Options.Create(options));
    }

    /// <summary>
    /// The cursor of page 2,000 for each sort: the last row of page 1,999, found by walking the app's own pages once, 1,999
    /// pages (with the advised indexes in place, so the walk takes seconds rather than minutes; the cursor is the same).
    /// </summary>
    public static async Task<SessionsPagingSides> CreateAsync(SessionsBenchDatabase database, Action<string> log)
    {
        var sides = new SessionsPagingSides(database);
        await sides.SetIndexAsync(IndexSetup.AdvisedIndexes, log);
        foreach (var sort in Sorts)
        {
            var clock = Stopwatch.StartNew();
            SessionCursor? cursor = null;
            for (var page = 1; page < DeepPage; page++)
                cursor = (await sides.Service.PageAsync(new SessionPageRequest(new SessionFilter(), sort, true, PageSize, After: cursor))).Next
                         ?? throw new InvalidOperationException($"Page {page} of sort {sort} has no next page.");
            sides.deepCursors[sort] = cursor!;
            log(string.Create(CultureInfo.InvariantCulture, $"Sort {sort}: page {DeepPage:N0} cursor ({cursor!.At:O}, {cursor.Id}), reached page by page in {clock.Elapsed.TotalSeconds:0.0} s."));
        }
        return sides;
    }

    public SessionPageRequest Request(SessionSort sort, int page) =>
        new(new SessionFilter(), sort, Descending: true, PageSize, After: page == 1 ? null : deepCursors[sort]);

    public Task<SessionPage> PageAsync(SessionSort sort, int page) => Service.PageAsync(Request(sort, page));

    /// <summary>Page 2,000 holds what row_number says rows 199,901..200,000 are in that order (else the comparison would be moot).</summary>
    public async Task VerifyAsync()
    {
        await using var conn = await setup.OpenConnectionAsync();
        foreach (var sort in Sorts)
        {
            var key = SessionsService.SortKey(sort).Replace("s.", "", StringComparison.Ordinal);
            var expected = (await conn.QueryAsync<Guid>($"""
                SELECT session_id FROM sessions.sessions AS s ORDER BY {key} DESC, session_id DESC OFFSET {RowsBefore} LIMIT {PageSize}
                """)).ToList();
            var actual = (await PageAsync(sort, DeepPage)).Rows.Select(r => r.SessionId).ToList();
            if (!expected.SequenceEqual(actual))
                throw new InvalidOperationException($"Sort {sort}: page {DeepPage:N0} by keyset differs from rows {RowsBefore + 1:N0}.. by OFFSET.");
        }
    }

    public async Task SetIndexAsync(IndexSetup wanted, Action<string>? log = null)
    {
        if (current == wanted) return;
        var clock = Stopwatch.StartNew();
        await using var conn = await setup.OpenConnectionAsync();
        await conn.ExecuteAsync($"DROP INDEX IF EXISTS sessions.{CreatedIndex}; DROP INDEX IF EXISTS sessions.{ExpiresIndex}");
        if (wanted == IndexSetup.AdvisedIndexes)
        {
            await conn.ExecuteAsync(CreateCreatedIndex);
            await conn.ExecuteAsync(CreateExpiresIndex);
            await conn.ExecuteAsync("ANALYZE sessions.sessions");
        }
        current = wanted;
        log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"Index setup: {Describe(wanted)} ({clock.Elapsed.TotalSeconds:0.0} s)."));
    }

    /// <summary>EXPLAIN (ANALYZE, BUFFERS) of exactly the statement the app runs for the page.</summary>
    public async Task<string> PlanAsync(SessionSort sort, int page)
    {
        var (sql, parameters, _) = SessionsService.Build(Request(sort, page));
        await using var conn = await DataSource.OpenConnectionAsync();
        var lines = await conn.QueryAsync<string>("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, SUMMARY ON) " + sql, parameters);
        return string.Join('\n', lines.Where(l => !l.TrimStart().StartsWith("Planning", StringComparison.Ordinal)));
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await setup.DisposeAsync();
    }
}
