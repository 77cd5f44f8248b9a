using Npgsql;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Hosting;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Benchmarks.Shared;

/// <summary>
/// Where a benchmark builds its database: on the server of <c>BENCH_POSTGRES_DSN</c>, or on a throwaway cluster
/// from the tests' harness. Compiled into each benchmark program (a linked file), like <see cref="PostgresServer"/>.
/// </summary>
internal static class BenchServer
{
    /// <summary><c>BENCH_KEEP_DATABASE=1</c>: the database stays for a look with psql afterwards.</summary>
    public static bool KeepDatabase => Environment.GetEnvironmentVariable("BENCH_KEEP_DATABASE") == "1";

    /// <summary>
    /// The maintenance connection (to create and drop <paramref name="database"/>) and the dashboard's connection to it,
    /// with the pool as the app configures it by default (SettingsLoader: MaxPoolSize 20, CommandTimeout 30).
    /// </summary>
    public static async Task<(string Maintenance, string Dashboard)> ConnectionStringsAsync(string database, Action<string> log)
    {
        string maintenance, forDashboard;
        var external = Environment.GetEnvironmentVariable("BENCH_POSTGRES_DSN");
        if (!string.IsNullOrWhiteSpace(external))
        {
            var b = PostgresDsn.Parse(external);
            log($"Server: BENCH_POSTGRES_DSN ({PostgresDsn.Mask(external)}); creating database {database} on it{(KeepDatabase ? "" : " (dropped at the end)")}.");
            b.ApplicationName = "orchestra-bench-setup";
            maintenance = b.ConnectionString;
            b.Database = database;
            b.ApplicationName = PostgresDsn.ApplicationName;
            forDashboard = b.ConnectionString;
        }
        else
        {
            log($"Server: a throwaway PostgreSQL cluster (the tests' harness, binaries from {PostgresServer.BinDir}).");
            var server = await PostgresServer.GetAsync();
            maintenance = server.MaintenanceConnectionString;
            forDashboard = server.ConnectionStringFor(database, PostgresDsn.ApplicationName);
        }
        var options = new PostgresOptions();
        var dashboard = new NpgsqlConnectionStringBuilder(forDashboard)
        {
            MinPoolSize = options.MinPoolSize, MaxPoolSize = options.MaxPoolSize, CommandTimeout = options.CommandTimeoutSeconds,
        };
        return (maintenance, dashboard.ConnectionString);
    }
}
