using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchestra.Admin.Data.Postgres;
using Npgsql;
using Orchestra.Admin.Hosting;
using Orchestra.Admin.Sampling;

namespace Orchestra.Admin.Tests.Infrastructure;

/// <summary>The app's real services, wired to a test database.</summary>
public static class TestServices
{
    public static OrchestraAdminOptions Options(PostgresDatabase db, int statementTimeoutSeconds = 5) => new()
    {
        Postgres = new PostgresOptions { ConnectionString = db.ConnectionString, StatementTimeoutSeconds = statementTimeoutSeconds },
    };

    public static PostgresQueryRunner QueryRunner(PostgresDatabase db, int statementTimeoutSeconds = 5) =>
        QueryRunner(db.DataSource, Options(db, statementTimeoutSeconds));

    /// <summary>A runner on any data source (e.g. one that connects as a least-privilege role); logging nowhere unless given a logger.</summary>
    public static PostgresQueryRunner QueryRunner(NpgsqlDataSource dataSource, OrchestraAdminOptions options, Microsoft.Extensions.Logging.ILogger<PostgresQueryRunner>? logger = null) =>
        new(dataSource, Microsoft.Extensions.Options.Options.Create(options), logger ?? NullLogger<PostgresQueryRunner>.Instance);

    /// <summary>The explain service on a login's pool, and for ANALYZE the same login's <paramref name="unpooled"/> connections.</summary>
    public static Orchestra.Admin.Features.Postgres.ExplainService Explain(NpgsqlDataSource dataSource, NpgsqlDataSource unpooled,
        OrchestraAdminOptions options, Orchestra.Admin.Security.ICurrentOperator who) => new(
        dataSource,
        unpooled,
        QueryRunner(dataSource, options),
        new Orchestra.Admin.Security.AuditLog(dataSource, NullLogger<Orchestra.Admin.Security.AuditLog>.Instance),
        who,
        Microsoft.Extensions.Options.Options.Create(options),
        NullLogger<Orchestra.Admin.Features.Postgres.ExplainService>.Instance);

    public static MetricSampler Sampler(NpgsqlDataSource dataSource, OrchestraAdminOptions options, TimeProvider? clock = null) =>
        new(QueryRunner(dataSource, options), dataSource, Microsoft.Extensions.Options.Options.Create(options),
            clock ?? TimeProvider.System, NullLogger<MetricSampler>.Instance);
}
