using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Hosting;

namespace Orchestra.Admin.Tests.Infrastructure;

/// <summary>The app's real services, wired to a test database.</summary>
public static class TestServices
{
    public static OrchestraAdminOptions Options(PostgresDatabase db, int statementTimeoutSeconds = 5) => new()
    {
        Postgres = new PostgresOptions { ConnectionString = db.ConnectionString, StatementTimeoutSeconds = statementTimeoutSeconds },
    };

    public static PostgresQueryRunner QueryRunner(PostgresDatabase db, int statementTimeoutSeconds = 5) =>
        new(db.DataSource, Microsoft.Extensions.Options.Options.Create(Options(db, statementTimeoutSeconds)), NullLogger<PostgresQueryRunner>.Instance);
}
