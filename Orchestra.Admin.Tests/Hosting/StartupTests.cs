using System.Diagnostics;

namespace Orchestra.Admin.Tests.Hosting;

/// <summary>The real app process, started with bad settings: it must stop at once with one clear line.</summary>
public class StartupTests
{
    private static async Task<(int ExitCode, string StdErr, string StdOut)> RunAppAsync(Dictionary<string, string?> env)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Orchestra.Admin.dll"));
        psi.ArgumentList.Add("--urls");
        psi.ArgumentList.Add("http://127.0.0.1:0");
        foreach (var key in new[] { "POSTGRES_DSN", "WEAVIATE_URL", "WEAVIATE_API_KEY" }) psi.Environment.Remove(key);
        foreach (var (key, value) in env) psi.Environment[key] = value;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { p.Kill(entireProcessTree: true); throw new Exception("the app did not stop on a bad setting"); }
        return (p.ExitCode, (await stderr).Trim(), await stdout);
    }

    [Fact]
    public async Task A_bad_dsn_stops_start_up_with_one_line_and_the_password_masked()
    {
        var (code, stderr, stdout) = await RunAppAsync(new() { ["POSTGRES_DSN"] = "postgresql://admin:Hunter2@db:abc/orchestra" });
        Assert.Equal(2, code);
        Assert.Equal("Orchestra Admin cannot start: POSTGRES_DSN is not valid: port 'abc' is not a number from 1 to 65535 (value: postgresql://admin:***@db:abc/orchestra)", stderr);
        Assert.DoesNotContain("Hunter2", stdout + stderr);
    }

    [Fact]
    public async Task A_missing_dsn_stops_start_up_naming_the_variable()
    {
        var (code, stderr, _) = await RunAppAsync([]);
        Assert.Equal(2, code);
        Assert.StartsWith("Orchestra Admin cannot start: POSTGRES_DSN is not set", stderr);
        Assert.DoesNotContain('\n', stderr);
    }

    [Fact]
    public async Task A_bad_weaviate_url_stops_start_up_naming_the_variable()
    {
        var (code, stderr, _) = await RunAppAsync(new() { ["POSTGRES_DSN"] = "postgresql://u@127.0.0.1/db", ["WEAVIATE_URL"] = "weaviate:8080" });
        Assert.Equal(2, code);
        Assert.StartsWith("Orchestra Admin cannot start: WEAVIATE_URL is not valid", stderr);
    }
}
