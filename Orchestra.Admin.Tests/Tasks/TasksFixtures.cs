using System.Net;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orchestra.Admin.Features.Tasks;
using Orchestra.Admin.Hosting;
using Orchestra.Admin.Sampling;
using Orchestra.Admin.Security;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Tasks;

/// <summary>The app's real task services on a test database, as the host wires them.</summary>
public sealed class TasksHarness
{
    public static readonly OperatorIdentity Operator = new("otto", AdminRoles.Operator, IPAddress.Parse("10.1.2.4"));
    public static readonly OperatorIdentity SecondOperator = new("olga", AdminRoles.Operator, IPAddress.Parse("10.1.2.5"));
    public static readonly OperatorIdentity Viewer = new("vera", AdminRoles.Viewer, IPAddress.Parse("10.1.2.3"));

    public OrchestraAdminOptions Options { get; }
    public MetricSampler Sampler { get; }
    public PerRoundCache Cache { get; }
    public TasksService Service { get; }
    public TaskActions Actions { get; }

    /// <param name="logger">The query runner's logger (e.g. one that captures what is logged); none by default.</param>
    /// <param name="dataSource">Another way in than the database's own (e.g. a least-privilege role's); the database's by default.</param>
    public TasksHarness(PostgresDatabase db, Action<TasksOptions>? configure = null, Microsoft.Extensions.Logging.ILogger<Orchestra.Admin.Data.Postgres.PostgresQueryRunner>? logger = null,
        NpgsqlDataSource? dataSource = null)
    {
        var data = dataSource ?? db.DataSource;
        Options = TestServices.Options(db);
        configure?.Invoke(Options.Tasks);
        var options = Microsoft.Extensions.Options.Options.Create(Options);
        var runner = TestServices.QueryRunner(data, Options, logger);
        var source = new TasksMetricSource(runner, NullLogger<TasksMetricSource>.Instance);
        Sampler = new MetricSampler(runner, data, options, TimeProvider.System, NullLogger<MetricSampler>.Instance, [source]);
        Cache = new PerRoundCache(Sampler, TimeProvider.System);
        Service = new TasksService(runner, Sampler, Cache, source, options, TimeProvider.System);
        var audit = new AuditLog(data, NullLogger<AuditLog>.Instance);
        Actions = new TaskActions(data, runner, new OperatorActions(data, audit), audit, Cache, options, NullLogger<TaskActions>.Instance);
    }
}

/// <summary>Inserting tasks as the stack's workers would leave them.</summary>
public static class TaskRows
{
    public static async Task<Guid> InsertAsync(PostgresDatabase db, string taskType, string status = "failed", string? error = "boom",
        string payload = "{}", int priority = 0, DateTimeOffset? created = null, DateTimeOffset? started = null, DateTimeOffset? completed = null)
    {
        await using var conn = await db.OpenOtherConnectionAsync("test-seed");
        var now = DateTimeOffset.UtcNow;
        return await conn.ExecuteScalarAsync<Guid>("""
            INSERT INTO task_queue (task_type, payload, status, priority, created_at, started_at, completed_at, error)
            VALUES (@taskType, @payload::jsonb, @status, @priority, @created, @started, @completed, @error)
            RETURNING id
            """, new
        {
            taskType, payload, status, priority, error,
            created = (created ?? now.AddMinutes(-10)).UtcDateTime,
            started = status is "pending" ? (DateTime?)null : (started ?? now.AddMinutes(-5)).UtcDateTime,
            completed = status is "failed" or "completed" ? (completed ?? now.AddMinutes(-1)).UtcDateTime : (DateTime?)null,
        });
    }

    /// <summary>Many failed tasks of one type at once: failed at base + i seconds, error "{errorPrefix} {i}".</summary>
    public static async Task InsertManyFailedAsync(PostgresDatabase db, string taskType, int count, DateTimeOffset failedBase, string errorPrefix = "TimeoutError: timed out after")
    {
        await using var conn = await db.OpenOtherConnectionAsync("test-seed");
        await conn.ExecuteAsync("""
            INSERT INTO task_queue (task_type, payload, status, priority, created_at, started_at, completed_at, error)
            SELECT @taskType, jsonb_build_object('n', g, 'even', g % 2 = 0), 'failed', g % 3,
                   @base - interval '1 hour', @base - interval '1 minute', @base + g * interval '1 second',
                   @prefix || ' ' || (g * 7) || ' ms'
            FROM generate_series(1, @count) AS g
            """, new { taskType, count, @base = failedBase.UtcDateTime, prefix = errorPrefix });
    }

    public static async Task<T> ScalarAsync<T>(PostgresDatabase db, string sql, object? args = null)
    {
        await using var conn = await db.OpenOtherConnectionAsync("test-read");
        return (await conn.ExecuteScalarAsync<T>(sql, args))!;
    }

    public static async Task<List<T>> ListAsync<T>(PostgresDatabase db, string sql, object? args = null)
    {
        await using var conn = await db.OpenOtherConnectionAsync("test-read");
        return (await conn.QueryAsync<T>(sql, args)).AsList();
    }
}
