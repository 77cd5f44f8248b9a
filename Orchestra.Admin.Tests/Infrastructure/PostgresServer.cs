using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Orchestra.Admin.Data.Postgres;

namespace Orchestra.Admin.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL server for one test run: <c>POSTGRES_TEST_DSN</c> when set, otherwise a throwaway
/// cluster (initdb + pg_ctl, as the <c>postgres</c> user when running as root) on a free loopback port,
/// stopped and removed when the test process exits. Shared by every test class of the process.
/// </summary>
public sealed class PostgresServer
{
    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartAsync);

    /// <summary>Connection string (Npgsql form) for the server's maintenance database <c>postgres</c>.</summary>
    public string MaintenanceConnectionString { get; }

    private PostgresServer(string maintenanceConnectionString) => MaintenanceConnectionString = maintenanceConnectionString;

    public static Task<PostgresServer> GetAsync() => Shared.Value;

    /// <summary>A server of its own (not the shared one), for tests that stop and start it.</summary>
    public static PostgresServer Of(PostgresCluster cluster) => new(cluster.MaintenanceConnectionString);

    /// <summary>The PostgreSQL binaries (initdb, pg_ctl, psql): PG_BIN, else the newest under /usr/lib/postgresql.</summary>
    public static string BinDir => PostgresCluster.FindBinDir();

    /// <summary>Connection string for another database on the same server.</summary>
    public string ConnectionStringFor(string database, string? applicationName = null)
    {
        var b = new NpgsqlConnectionStringBuilder(MaintenanceConnectionString) { Database = database };
        if (applicationName != null) b.ApplicationName = applicationName;
        return b.ConnectionString;
    }

    private static async Task<PostgresServer> StartAsync()
    {
        var external = Environment.GetEnvironmentVariable("POSTGRES_TEST_DSN");
        if (!string.IsNullOrWhiteSpace(external))
        {
            var b = PostgresDsn.Parse(external);
            b.Database = "postgres";
            b.ApplicationName = "orchestra-admin-tests";
            return new PostgresServer(b.ConnectionString);
        }
        var cluster = await PostgresCluster.StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Remove();
        return new PostgresServer(cluster.MaintenanceConnectionString);
    }
}

/// <summary>
/// A throwaway PostgreSQL cluster (initdb + pg_ctl, as the <c>postgres</c> user when running as root) on a free
/// loopback port. Tests that take PostgreSQL away (<see cref="StopAsync"/>) start their own.
/// </summary>
public sealed class PostgresCluster
{
    private const string ClusterPrefix = "orchestra-test-pg-";

    private readonly string bin;
    private readonly string root;
    private readonly string data;
    private readonly string options;
    private readonly bool asRoot;

    /// <summary>Connection string (Npgsql form) for the maintenance database <c>postgres</c>.</summary>
    public string MaintenanceConnectionString { get; }

    public int Port { get; }

    private PostgresCluster(string bin, string root, bool asRoot, int port, string options)
    {
        this.bin = bin;
        this.root = root;
        data = Path.Combine(root, "data");
        this.asRoot = asRoot;
        this.options = options;
        Port = port;
        MaintenanceConnectionString = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = port, Username = "postgres", Database = "postgres",
            ApplicationName = "orchestra-admin-tests", Pooling = true, MaxPoolSize = 50,
        }.ConnectionString;
    }

    public static async Task<PostgresCluster> StartAsync()
    {
        var bin = FindBinDir();
        RemoveStaleClusters();
        var root = Path.Combine(Path.GetTempPath(), ClusterPrefix + Guid.NewGuid().ToString("N")[..8]);
        var data = Path.Combine(root, "data");
        Directory.CreateDirectory(root);
        var asRoot = Environment.UserName == "root";
        if (asRoot) Run("chown", ["-R", "postgres:postgres", root]);

        RunAs(asRoot, Path.Combine(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"]);
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            var opts = $"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off " +
                       "-c full_page_writes=off -c max_connections=300 -c shared_buffers=128MB " +
                       // Like a production server that follows the migration guide: statement statistics on.
                       "-c shared_preload_libraries=pg_stat_statements -c track_io_timing=on";
            var cluster = new PostgresCluster(bin, root, asRoot, port, opts);
            try
            {
                cluster.Start();
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                continue; // port taken meanwhile: try another
            }
            await using var conn = new NpgsqlConnection(cluster.MaintenanceConnectionString);
            await conn.OpenAsync();
            return cluster;
        }
    }

    /// <summary>Starts the stopped server again, on the same port with the same data.</summary>
    public void Start() =>
        RunAs(asRoot, Path.Combine(bin, "pg_ctl"), ["-D", data, "-o", options, "-l", Path.Combine(root, "server.log"), "-w", "-t", "60", "start"]);

    /// <summary><c>pg_ctl stop -m fast</c>: sessions are ended, as in an outage or a restart by an administrator.</summary>
    public void Stop() => RunAs(asRoot, Path.Combine(bin, "pg_ctl"), ["-D", data, "-m", "fast", "-w", "stop"]);

    /// <summary>Stops the server at once and deletes its files (best effort, e.g. at process exit).</summary>
    public void Remove()
    {
        try { RunAs(asRoot, Path.Combine(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]); } catch { /* already stopped */ }
        try { Directory.Delete(root, recursive: true); } catch { /* best effort */ }
    }

    public string ConnectionStringFor(string database, string? applicationName = null)
    {
        var b = new NpgsqlConnectionStringBuilder(MaintenanceConnectionString) { Database = database };
        if (applicationName != null) b.ApplicationName = applicationName;
        return b.ConnectionString;
    }

    // A test host that was killed leaves its folder behind (the exit handler never ran): remove those whose
    // server is gone. A running one (another test project's, right now) has a live postmaster.pid.
    private static void RemoveStaleClusters()
    {
        foreach (var dir in Directory.GetDirectories(Path.GetTempPath(), ClusterPrefix + "*"))
        {
            try
            {
                var pidFile = Path.Combine(dir, "data", "postmaster.pid");
                if (File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid) && Directory.Exists($"/proc/{pid}"))
                    continue;
                if (Directory.GetCreationTimeUtc(dir) > DateTime.UtcNow.AddMinutes(-10)) continue; // may be starting right now
                Directory.Delete(dir, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* someone else's or in use: leave it */ }
        }
    }

    public static string FindBinDir()
    {
        var fromEnv = Environment.GetEnvironmentVariable("PG_BIN");
        if (!string.IsNullOrEmpty(fromEnv)) return fromEnv;
        foreach (var v in new[] { "17", "16", "15", "14" })
        {
            var dir = $"/usr/lib/postgresql/{v}/bin";
            if (File.Exists(Path.Combine(dir, "initdb"))) return dir;
        }
        throw new InvalidOperationException("No PostgreSQL binaries found: install PostgreSQL 15 (apt-get install postgresql-15), set PG_BIN, or set POSTGRES_TEST_DSN to a server to use.");
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    // PostgreSQL refuses to run as root: run its tools as the postgres user then.
    private static void RunAs(bool asRoot, string file, string[] args)
    {
        if (asRoot) Run("runuser", ["-u", "postgres", "--", file, .. args]);
        else Run(file, args);
    }

    private static void Run(string file, string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/tmp" };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', args)} exited with {p.ExitCode}: {stderr}{stdout.Result}");
    }
}
