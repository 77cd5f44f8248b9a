using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestra.Admin.Features.Sessions;
using Orchestra.Admin.Security;
using Orchestra.Admin.Tests.Infrastructure;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace Orchestra.Admin.Tests.Sessions;

/// <summary>Writes sessions with known values (times relative to now) and reads the table back, from a connection that is not the dashboard's.</summary>
public static class SessionsTestData
{
    public sealed record Session(
        string User, string? Ip = "10.1.2.3", string? Agent = "curl/8.5.0",
        TimeSpan? CreatedAgo = null, TimeSpan? ExpiresIn = null, TimeSpan? DeletedAgo = null, string Data = "{}", TimeSpan? UpdatedAgo = null);

    public static async Task ResetAsync(PostgresDatabase db)
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        await conn.ExecuteAsync("TRUNCATE sessions.sessions");
    }

    public static async Task<Guid> InsertAsync(PostgresDatabase db, Session s)
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        return await conn.ExecuteScalarAsync<Guid>("""
            INSERT INTO sessions.sessions (user_id, data, ip_address, user_agent, created_at, updated_at, expires_at, deleted_at)
            VALUES (@User, @Data::jsonb, @Ip::inet, @Agent,
                    now() - make_interval(secs => @created), now() - make_interval(secs => @updated),
                    now() + make_interval(secs => @expires),
                    CASE WHEN @deleted::float8 IS NULL THEN NULL ELSE now() - make_interval(secs => @deleted) END)
            RETURNING session_id
            """, new
        {
            s.User, s.Data, s.Ip, s.Agent,
            created = (s.CreatedAgo ?? TimeSpan.FromHours(1)).TotalSeconds,
            updated = (s.UpdatedAgo ?? s.CreatedAgo ?? TimeSpan.FromHours(1)).TotalSeconds,
            expires = (s.ExpiresIn ?? TimeSpan.FromHours(1)).TotalSeconds,
            deleted = s.DeletedAgo?.TotalSeconds,
        });
    }

    public static async Task<List<Guid>> InsertAllAsync(PostgresDatabase db, params Session[] sessions)
    {
        var ids = new List<Guid>();
        foreach (var s in sessions) ids.Add(await InsertAsync(db, s));
        return ids;
    }

    public static async Task<T> ScalarAsync<T>(PostgresDatabase db, string sql, object? parameters = null)
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        return (await conn.ExecuteScalarAsync<T>(sql, parameters))!;
    }

    public static async Task<List<T>> QueryAsync<T>(PostgresDatabase db, string sql, object? parameters = null)
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        return (await conn.QueryAsync<T>(sql, parameters)).AsList();
    }

    public static SessionsService Service(PostgresDatabase db, SessionsOptions? sessions = null)
    {
        var options = TestServices.Options(db);
        if (sessions != null) options.Sessions = sessions;
        return new SessionsService(TestServices.QueryRunner(db.DataSource, options), MsOptions.Create(options));
    }

    public static SessionActions Actions(PostgresDatabase db, ICurrentOperator? who = null, int batchSize = 1000)
    {
        var options = TestServices.Options(db);
        options.Sessions.CleanupBatchSize = batchSize;
        return new SessionActions(new OperatorActions(db.DataSource, new AuditLog(db.DataSource, NullLogger<AuditLog>.Instance)),
            who ?? FakeCurrentOperator.Operator, TestServices.QueryRunner(db.DataSource, options), MsOptions.Create(options), TimeProvider.System);
    }
}
