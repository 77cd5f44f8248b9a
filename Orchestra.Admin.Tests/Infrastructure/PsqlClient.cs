using System.Diagnostics;
using System.Text;
using Npgsql;

namespace Orchestra.Admin.Tests.Infrastructure;

/// <summary>psql running one statement against a test database: another real client of the server, as the stack's workers are.</summary>
public sealed class PsqlClient : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private PsqlClient(Process process)
    {
        this.process = process;
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public static PsqlClient Start(PostgresDatabase db, string applicationName, string sql) =>
        Start(db.Server.ConnectionStringFor(db.Name), applicationName, sql);

    public static PsqlClient Start(string connectionString, string applicationName, string sql)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        var psi = new ProcessStartInfo(Path.Combine(PostgresServer.BinDir, "psql"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { "-X", "-v", "ON_ERROR_STOP=1", "-c", sql }) psi.ArgumentList.Add(a);
        psi.Environment["PGHOST"] = b.Host;
        psi.Environment["PGPORT"] = b.Port.ToString();
        psi.Environment["PGUSER"] = b.Username;
        psi.Environment["PGPASSWORD"] = b.Password ?? "";
        psi.Environment["PGDATABASE"] = b.Database;
        psi.Environment["PGAPPNAME"] = applicationName;
        return new PsqlClient(Process.Start(psi)!);
    }

    public async Task<(int ExitCode, string Output)> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
        lock (output) return (process.ExitCode, output.ToString());
    }

    public ValueTask DisposeAsync()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.Dispose();
        return ValueTask.CompletedTask;
    }
}
