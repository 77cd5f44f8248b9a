using Npgsql;
using Orchestra.Admin.Data.Postgres;

namespace Orchestra.Admin.Tests.Infrastructure;

/// <summary>
/// A fresh database for one test class (use as <c>IClassFixture&lt;PostgresDatabase&gt;</c>), with the stack's
/// tables and the dashboard's own schema applied by the app's own code. Dropped afterwards.
/// </summary>
public class PostgresDatabase : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;
    public string Name { get; } = "test_" + Guid.NewGuid().ToString("N")[..12];
    /// <summary>Connection string as the dashboard would use it (application name orchestra-admin).</summary>
    public string ConnectionString { get; private set; } = "";
    /// <summary>A data source for the dashboard side, named orchestra-admin like the app's own.</summary>
    public NpgsqlDataSource DataSource { get; private set; } = null!;
    /// <summary>The same login without a pool, like the app's keyed <see cref="PostgresDataSources.Unpooled"/>.</summary>
    public NpgsqlDataSource Unpooled { get; private set; } = null!;

    /// <summary>Whether the stack's tables and the admin schema are created. Override for an empty database.</summary>
    protected virtual bool ApplySchemas => true;

    /// <summary>The server the database is created on: the test run's shared one.</summary>
    protected virtual Task<PostgresServer> ServerAsync() => PostgresServer.GetAsync();

    public async Task InitializeAsync()
    {
        Server = await ServerAsync();
        await using (var conn = new NpgsqlConnection(Server.MaintenanceConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{Name}\" TEMPLATE template0", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        ConnectionString = Server.ConnectionStringFor(Name, PostgresDsn.ApplicationName);
        DataSource = NpgsqlDataSource.Create(ConnectionString);
        Unpooled = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        if (ApplySchemas)
        {
            await SqlScripts.ApplyStackSchemaAsync(DataSource);
            await SqlScripts.MigrateAdminSchemaAsync(DataSource);
        }
        await SeedAsync();
    }

    /// <summary>Data the whole test class shares, inserted once after the schemas.</summary>
    protected virtual Task SeedAsync() => Task.CompletedTask;

    /// <summary>A connection that is not the dashboard's (another application name), e.g. to play a worker.</summary>
    public async Task<NpgsqlConnection> OpenOtherConnectionAsync(string applicationName = "test-worker")
    {
        var conn = new NpgsqlConnection(Server.ConnectionStringFor(Name, applicationName) + ";Pooling=false");
        await conn.OpenAsync();
        return conn;
    }

    /// <summary>
    /// A data source that connects as a new login in <paramref name="group"/> (orchestra_admin_viewer or _operator), with
    /// exactly the grants of sql/roles.sql, applied after <paramref name="setupSql"/> (tables the grants must cover).
    /// </summary>
    public async Task<NpgsqlDataSource> ConnectAsRoleAsync(string group, string? setupSql = null)
    {
        var login = $"{group}_{Guid.NewGuid():N}"[..40];
        await using (var owner = await OpenOtherConnectionAsync())
        {
            if (setupSql != null) await Execute(owner, setupSql);
            await ApplyRolesAsync();
            await Execute(owner, $"CREATE ROLE {login} LOGIN PASSWORD 'test-password' IN ROLE {group}");
        }
        var b = new NpgsqlConnectionStringBuilder(ConnectionString) { Username = login, Password = "test-password", Pooling = false };
        return NpgsqlDataSource.Create(b.ConnectionString);

        static async Task Execute(NpgsqlConnection conn, string sql)
        {
            await using var cmd = new NpgsqlCommand(sql, conn);
            await cmd.ExecuteNonQueryAsync();
        }
    }

    private static readonly SemaphoreSlim RolesLock = new(1, 1);

    /// <summary>sql/roles.sql on this database, one database of the run at a time (roles are the cluster's).</summary>
    public async Task ApplyRolesAsync()
    {
        await RolesLock.WaitAsync();
        try
        {
            await using var owner = NpgsqlDataSource.Create(Server.ConnectionStringFor(Name, "test-owner") + ";Pooling=false");
            await SqlScripts.ApplyRolesAsync(owner);
        }
        finally
        {
            RolesLock.Release();
        }
    }

    public virtual async Task DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await Unpooled.DisposeAsync();
        await using var conn = new NpgsqlConnection(Server.MaintenanceConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", conn);
        await cmd.ExecuteNonQueryAsync();
    }
}

/// <summary>A database on a PostgreSQL cluster of its own, for tests that stop and start the server.</summary>
public sealed class OwnClusterDatabase : PostgresDatabase
{
    private PostgresCluster? cluster;

    public PostgresCluster Cluster => cluster ?? throw new InvalidOperationException("The cluster is not running.");

    protected override async Task<PostgresServer> ServerAsync()
    {
        cluster = await PostgresCluster.StartAsync();
        return PostgresServer.Of(cluster);
    }

    public override async Task DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await Unpooled.DisposeAsync();
        cluster?.Remove(); // the database goes with the cluster
    }
}

/// <summary>A database with sql/roles.sql applied: EXPLAIN ANALYZE's restricted role and function are there.</summary>
public sealed class PostgresDatabaseWithRoles : PostgresDatabase
{
    protected override Task SeedAsync() => ApplyRolesAsync();
}

/// <summary>A database with nothing in it: for checks on a fresh database.</summary>
public sealed class EmptyPostgresDatabase : PostgresDatabase
{
    protected override bool ApplySchemas => false;
}
