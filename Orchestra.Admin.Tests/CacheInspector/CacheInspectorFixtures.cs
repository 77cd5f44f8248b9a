using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestra.Admin.Features.Cache;
using Orchestra.Admin.Security;
using Orchestra.Admin.Tests.Infrastructure;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace Orchestra.Admin.Tests.CacheInspector;

/// <summary>
/// Cache tables with known content: cache.default_cache (keys for the patterns, 60 "page:" keys for the sorts, expired
/// entries), a second cache table in another schema (public.orchestra_test_cache), a cache-shaped table without the
/// optional columns (extra.slim_cache), and look-alikes of another shape that discovery must ignore.
/// </summary>
public sealed class CacheInspectorDatabase : PostgresDatabase
{
    /// <summary>The tables and rows above (also seeded by other fixtures that need a little of everything).</summary>
    internal const string SeedSql = """
            INSERT INTO cache.default_cache (key, value, expires_at, access_count, accessed_at) VALUES
            ('user:1:profile',  '{"name":"Ada"}',   now() + interval '30 minutes', 3,    now() - interval '1 minute'),
            ('user:2:profile',  '{"name":"Bob"}',   now() + interval '2 hours',    7,    now() - interval '2 minutes'),
            ('user:10:profile', '{"name":"Cy"}',    now() + interval '3 days',     1,    now()),
            ('user:3:settings', '{"theme":"dark"}', now() + interval '30 minutes', 1,    now()),
            ('user:profile',    '{}',               now() + interval '30 minutes', 1,    now()),
            ('100%_done',       '{"n":1}',          now() + interval '30 minutes', 1,    now()),
            ('100abc_done',     '{"n":2}',          now() + interval '30 minutes', 1,    now()),
            ('100%Xdone',       '{"n":3}',          now() + interval '30 minutes', 1,    now()),
            ('path\to\x',       '{"n":4}',          now() + interval '30 minutes', 1,    now()),
            ('pathXtoXx',       '{"n":5}',          now() + interval '30 minutes', 1,    now()),
            ('old:1',           '{"gone":1}',       now() - interval '1 hour',     2,    now() - interval '2 hours'),
            ('old:2',           '{"gone":2}',       now() - interval '1 day',      2,    now() - interval '2 days'),
            ('hot:1',           '{"hits":true}',    now() + interval '10 hours',   5000, now());

            -- 60 keys for the sorts: expiry in 7 steps, size in 4, access count in 5 (many ties: the key breaks them).
            INSERT INTO cache.default_cache (key, value, expires_at, access_count)
            SELECT 'page:' || lpad(g::text, 3, '0'),
                   jsonb_build_object('n', g, 'pad', repeat('p', (g % 4) * 50)),
                   date_trunc('second', now()) + interval '1 hour 5 minutes' + (g % 7) * interval '10 minutes',
                   g % 5
            FROM generate_series(1, 60) AS g;

            INSERT INTO cache.default_cache (key, value, expires_at) VALUES ('big:1', jsonb_build_object('blob', repeat(md5('x'), 400)), now() + interval '5 hours');

            CREATE TABLE public.orchestra_test_cache (LIKE cache.default_cache INCLUDING ALL);
            INSERT INTO public.orchestra_test_cache (key, value, expires_at) VALUES
            ('emb:1', '[0.1, 0.2]', now() + interval '1 day'), ('emb:2', '[0.3]', now() - interval '1 minute');

            CREATE SCHEMA extra;
            CREATE TABLE extra.slim_cache (key text PRIMARY KEY, value jsonb NOT NULL, expires_at timestamptz);
            INSERT INTO extra.slim_cache VALUES ('a:1', '{"x":1}', now() + interval '1 hour'), ('a:2', '{"x":2}', NULL);

            -- Other shapes: not cache tables.
            CREATE TABLE public.not_cache_json (key text PRIMARY KEY, value json, expires_at timestamptz);
            CREATE TABLE public.not_cache_no_expiry (key text PRIMARY KEY, value jsonb);
            CREATE TABLE extra.not_cache_int_key (key int PRIMARY KEY, value jsonb, expires_at timestamptz);
            CREATE VIEW public.cache_view AS SELECT * FROM cache.default_cache;
            """;

    protected override async Task SeedAsync()
    {
        await using var conn = await OpenOtherConnectionAsync("test-seed");
        await conn.ExecuteAsync(SeedSql);
    }

    public async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var conn = await OpenOtherConnectionAsync();
        return (await conn.ExecuteScalarAsync<T>(sql, parameters))!;
    }

    public async Task ExecuteAsync(string sql, object? parameters = null)
    {
        await using var conn = await OpenOtherConnectionAsync();
        await conn.ExecuteAsync(sql, parameters, commandTimeout: 300);
    }

    public async Task<List<string>> KeysAsync(string sql)
    {
        await using var conn = await OpenOtherConnectionAsync();
        return (await conn.QueryAsync<string>(sql)).ToList();
    }

    public CacheService Service() => new(TestServices.QueryRunner(this));

    public CacheEditor Editor(ICurrentOperator? who = null, int maxPatternDeleteKeys = 10_000, int purgeBatchSize = 1_000)
    {
        var options = TestServices.Options(this);
        options.Cache.MaxPatternDeleteKeys = maxPatternDeleteKeys;
        options.Cache.PurgeBatchSize = purgeBatchSize;
        var runner = TestServices.QueryRunner(DataSource, options);
        return new CacheEditor(new CacheService(runner),
            new OperatorActions(DataSource, new AuditLog(DataSource, NullLogger<AuditLog>.Instance)),
            who ?? FakeCurrentOperator.Operator, runner, MsOptions.Create(options));
    }
}
