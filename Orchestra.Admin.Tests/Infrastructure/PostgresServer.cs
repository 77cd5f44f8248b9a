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

    /// <summary>The PostgreSQL binaries (initdb, pg_ctl, psql): PG_BIN, else the newest under /usr/lib/postgresql.</summary>
    public static string BinDir => ThrowawayCluster.FindBinDir();

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
        return await ThrowawayCluster.StartAsync();
    }

    private sealed class ThrowawayCluster
    {
        public static async Task<PostgresServer> StartAsync()
        {
            var bin = FindBinDir();
            RemoveStaleClusters();
            var root = Path.Combine(Path.GetTempPath(), ClusterPrefix + Guid.NewGuid().ToString("N")[..8]);
            var data = Path.Combine(root, "data");
            Directory.CreateDirectory(root);
            var asRoot = Environment.UserName == "root";
            if (asRoot) Run("chown", ["-R", "postgres:postgres", root]);

            RunAs(asRoot, Path.Combine(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"]);
            var port = 0;
            for (var attempt = 1; ; attempt++)
            {
                port = FreePort();
                var opts = $"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off " +
                           "-c full_page_writes=off -c max_connections=300 -c shared_buffers=128MB " +
                           // Like a production server that follows the migration guide: statement statistics on.
                           "-c shared_preload_libraries=pg_stat_statements -c track_io_timing=on";
                try
                {
                    RunAs(asRoot, Path.Combine(bin, "pg_ctl"), ["-D", data, "-o", opts, "-l", Path.Combine(root, "server.log"), "-w", "-t", "60", "start"]);
                    break;
                }
                catch (InvalidOperationException) when (attempt < 3) { /* port taken meanwhile: try another */ }
            }
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                try { RunAs(asRoot, Path.Combine(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]); } catch { /* best effort at exit */ }
                try { Directory.Delete(root, recursive: true); } catch { /* best effort at exit */ }
            };
            var cs = new NpgsqlConnectionStringBuilder
            {
                Host = "127.0.0.1", Port = port, Username = "postgres", Database = "postgres",
                ApplicationName = "orchestra-admin-tests", Pooling = true, MaxPoolSize = 50,
            }.ConnectionString;
            await using var conn = new NpgsqlConnection(cs);
            await conn.OpenAsync();
            return new PostgresServer(cs);
        }

        private const string ClusterPrefix = "orchestra-test-pg-";

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

        internal static string FindBinDir()
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
}
