using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Features.Cache;
using Orchestra.Admin.Hosting;

namespace Orchestra.Admin.CacheBenchmarks;

public enum CacheSort { Key, Expiry }

/// <summary>The stack's indexes as they are, or with an index for the TTL sort created in the benchmark's own database.</summary>
public enum IndexSetup { StackOnly, ExpiryIndex }

/// <summary>
/// What is measured: the app's key list (CacheService.PageAsync, 100 keys a page) on page 1 and on page 5,000 (by the keyset
/// cursor of the row before it), sorted by key and by TTL (expiry). The deep cursors are found once with OFFSET, in setup.
/// </summary>
public sealed class CachePagingSides : IAsyncDisposable
{
    public const string Table = "cache.default_cache";
    public const int PageSize = 100;
    public const int DeepPage = 5_000;
    public const int DeepOffset = (DeepPage - 1) * PageSize;
    public const string ExpiryIndexName = "bench_default_cache_expires_at_key";
    public const string ExpiryIndexSql = $"CREATE INDEX {ExpiryIndexName} ON cache.default_cache (expires_at, key)";

    private readonly NpgsqlDataSource dashboard;
    private readonly NpgsqlDataSource setup;
    private readonly CacheService service;
    private readonly Dictionary<CacheSort, CacheKeyCursor> deep = [];

    private CachePagingSides(CacheBenchDatabase db)
    {
        dashboard = NpgsqlDataSource.Create(db.ConnectionString);
        setup = NpgsqlDataSource.Create(db.SetupConnectionString);
        var options = Microsoft.Extensions.Options.Options.Create(new OrchestraAdminOptions());
        service = new CacheService(new PostgresQueryRunner(dashboard, options, NullLogger<PostgresQueryRunner>.Instance));
    }

    public static async Task<CachePagingSides> CreateAsync(CacheBenchDatabase db)
    {
        var sides = new CachePagingSides(db);
        await using var conn = await sides.setup.OpenConnectionAsync();
        var k = await conn.QuerySingleAsync<string>($"SELECT key FROM {Table} ORDER BY key OFFSET {DeepOffset - 1} LIMIT 1");
        sides.deep[CacheSort.Key] = new CacheKeyCursor(k);
        var (at, key) = await conn.QuerySingleAsync<(DateTime, string)>($"SELECT expires_at, key FROM {Table} ORDER BY expires_at, key OFFSET {DeepOffset - 1} LIMIT 1");
        sides.deep[CacheSort.Expiry] = new CacheKeyCursor(key, At: new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)));
        return sides;
    }

    public CacheKeyCursor DeepCursor(CacheSort sort) => deep[sort];

    private static CacheKeySort AppSort(CacheSort sort) => sort == CacheSort.Key ? CacheKeySort.Key : CacheKeySort.Expiry;

    public Task<CacheKeyPage> PageAsync(CacheSort sort, int page) =>
        service.PageAsync(new CacheKeyPageRequest(Table, new CacheKeyFilter(), AppSort(sort), false, PageSize, page == 1 ? null : deep[sort]));

    public async Task SetIndexAsync(IndexSetup index, Action<string> log)
    {
        await using var conn = await setup.OpenConnectionAsync();
        await conn.ExecuteAsync($"DROP INDEX IF EXISTS cache.{ExpiryIndexName}");
        if (index == IndexSetup.ExpiryIndex)
        {
            await conn.ExecuteAsync(ExpiryIndexSql, commandTimeout: 0);
            await conn.ExecuteAsync("ANALYZE cache.default_cache", commandTimeout: 0);
            log($"Created in this benchmark's database only: {ExpiryIndexSql}");
        }
    }

    /// <summary>The app's page equals the same rows read with OFFSET (so the cursor lands where page 5,000 starts).</summary>
    public async Task VerifyAsync()
    {
        await using var conn = await setup.OpenConnectionAsync();
        foreach (var sort in Enum.GetValues<CacheSort>())
        {
            var order = sort == CacheSort.Key ? "key" : "expires_at, key";
            foreach (var page in new[] { 1, DeepPage })
            {
                var expected = (await conn.QueryAsync<string>($"SELECT key FROM {Table} ORDER BY {order} OFFSET {(page - 1) * PageSize} LIMIT {PageSize}")).ToList();
                var actual = (await PageAsync(sort, page)).Rows.Select(r => r.Key).ToList();
                if (!expected.SequenceEqual(actual))
                    throw new InvalidOperationException($"The app's page {page} by {sort} differs from OFFSET's.");
            }
        }
    }

    /// <summary>EXPLAIN (ANALYZE) of the page's statement as the app composes it.</summary>
    public async Task<string> PlanAsync(CacheSort sort, int page)
    {
        var table = await service.TableAsync(Table);
        var (sql, parameters) = CacheService.BuildPage(table, new CacheKeyPageRequest(Table, new CacheKeyFilter(), AppSort(sort), false, PageSize,
            page == 1 ? null : deep[sort]));
        await using var conn = await setup.OpenConnectionAsync();
        var lines = await conn.QueryAsync<string>("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + sql, parameters);
        return string.Join('\n', lines);
    }

    public async ValueTask DisposeAsync()
    {
        await dashboard.DisposeAsync();
        await setup.DisposeAsync();
    }
}
