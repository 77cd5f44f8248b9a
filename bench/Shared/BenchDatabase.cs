using System.Diagnostics;
using Npgsql;

namespace Orchestra.Admin.Benchmarks.Shared;

/// <summary>
/// A benchmark's own database on <see cref="BenchServer"/>'s server: created with the stack's and the dashboard's schema,
/// loaded by the program's <see cref="LoadAsync"/>, and dropped at the end (unless BENCH_KEEP_DATABASE=1), also when
/// loading fails. Compiled into each benchmark program that has a database (a linked file).
/// </summary>
public abstract class BenchDatabase : IAsyncDisposable
{
    private readonly int setupPoolSize;
    private string maintenanceConnectionString = "";

    /// <param name="namePrefix">The database's name is this prefix and 8 random hex digits.</param>
    /// <param name="setupPoolSize">Connections the load may open at once.</param>
    protected BenchDatabase(string namePrefix, int setupPoolSize)
    {
        Name = namePrefix + Guid.NewGuid().ToString("N")[..8];
        this.setupPoolSize = setupPoolSize;
    }

    public string Name { get; }

    /// <summary>The dashboard's connection string: application_name orchestra-admin and the app's default pool settings.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>For setup work on the database: not the dashboard's application name, no timeouts.</summary>
    public string SetupConnectionString => BenchServer.SetupConnectionString(ConnectionString, setupPoolSize);

    /// <summary>How long creating and loading the database took.</summary>
    public TimeSpan BuildTime { get; private set; }

    /// <summary>What the database holds, once loaded: for the log and the result lines.</summary>
    public string Figures { get; protected set; } = "";

    /// <summary>Creates and loads <paramref name="database"/>, logging each step; drops it again if loading fails.</summary>
    protected static async Task<T> CreateAsync<T>(T database, Action<string> log) where T : BenchDatabase
    {
        log("Building the dataset…");
        (database.maintenanceConnectionString, database.ConnectionString) = await BenchServer.ConnectionStringsAsync(database.Name, log);
        var clock = Stopwatch.StartNew();
        var done = BenchServer.StepLog(log);
        try
        {
            await using var setup = await BenchServer.CreateDatabaseAsync(database.maintenanceConnectionString, database.Name, database.SetupConnectionString);
            await database.LoadAsync(setup, done);
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
        database.BuildTime = clock.Elapsed;
        log($"Dataset ready in {database.BuildTime.TotalSeconds:0} s: database {database.Name}: {database.Figures}.");
        return database;
    }

    /// <summary>
    /// Loads the database, which has the stack's and the dashboard's schema; <paramref name="done"/> logs each step with
    /// its time (the first step's time includes creating the database). Sets <see cref="Figures"/>.
    /// </summary>
    protected abstract Task LoadAsync(NpgsqlDataSource setup, Action<string> done);

    public async ValueTask DisposeAsync() => await BenchServer.DropDatabaseAsync(maintenanceConnectionString, Name);
}
