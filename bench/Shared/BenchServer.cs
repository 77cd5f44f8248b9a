using System.Diagnostics;
using System.Globalization;
using Dapper;
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

    /// <summary>For setup work on the benchmark's database: not the dashboard's application name, no timeouts.</summary>
    public static string SetupConnectionString(string dashboard, int maxPoolSize) => new NpgsqlConnectionStringBuilder(dashboard)
    {
        ApplicationName = "orchestra-bench-setup", CommandTimeout = 0, MaxPoolSize = maxPoolSize,
    }.ConnectionString;

    /// <summary>
    /// Creates <paramref name="database"/> with the stack's tables and the dashboard's schema, as the stack and the app
    /// create them; returns a data source on it for loading (dispose it when done).
    /// </summary>
    public static async Task<NpgsqlDataSource> CreateDatabaseAsync(string maintenance, string database, string setupConnectionString)
    {
        await using (var conn = new NpgsqlConnection(maintenance))
        {
            await conn.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\" TEMPLATE template0", conn);
            await create.ExecuteNonQueryAsync();
        }
        var setup = NpgsqlDataSource.Create(setupConnectionString);
        await SqlScripts.ApplyStackSchemaAsync(setup);
        await SqlScripts.MigrateAdminSchemaAsync(setup);
        return setup;
    }

    /// <summary>Drops the benchmark's database at the end, unless <see cref="KeepDatabase"/>.</summary>
    public static async Task DropDatabaseAsync(string maintenance, string database)
    {
        NpgsqlConnection.ClearAllPools();
        if (KeepDatabase) return;
        await using var conn = new NpgsqlConnection(maintenance);
        await conn.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", conn);
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>Logs a build step with the time since the previous one: "  what (1.2 s)".</summary>
    public static Action<string> StepLog(Action<string> log)
    {
        var step = Stopwatch.StartNew();
        return what =>
        {
            log(string.Create(CultureInfo.InvariantCulture, $"  {what} ({step.Elapsed.TotalSeconds:0.0} s)"));
            step.Restart();
        };
    }

    /// <summary>
    /// Runs <paramref name="insertSql"/> over @from..@to, chunk by chunk of 1..<paramref name="total"/>, on two connections
    /// (the machine the numbers are for has two cores); <paramref name="parameters"/> are its other parameters.
    /// </summary>
    public static Task InsertInChunksAsync(NpgsqlDataSource setup, string insertSql, int total, int chunk, object? parameters = null)
    {
        var ranges = Enumerable.Range(0, (total + chunk - 1) / chunk).Select(i => (From: i * chunk + 1, To: Math.Min(total, (i + 1) * chunk)));
        return Parallel.ForEachAsync(ranges, new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (range, ct) =>
        {
            var bound = new DynamicParameters(parameters);
            bound.Add("from", range.From);
            bound.Add("to", range.To);
            await using var conn = await setup.OpenConnectionAsync(ct);
            await conn.ExecuteAsync(new CommandDefinition(insertSql, bound, commandTimeout: 0, cancellationToken: ct));
        });
    }

    /// <summary>CHECKPOINT: what the load dirtied is written now, not by a spread checkpoint during the measurements.</summary>
    public static async Task CheckpointAsync(NpgsqlConnection conn)
    {
        try { await new NpgsqlCommand("CHECKPOINT", conn).ExecuteNonQueryAsync(); } // (Dapper would take one word for a procedure name)
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege) { /* not ours to force on a shared server */ }
    }
}
