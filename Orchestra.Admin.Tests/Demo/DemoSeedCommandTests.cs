using System.Net;
using System.Net.Sockets;
using Dapper;
using Orchestra.Admin.Features.Demo;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Demo;

public sealed class DemoSeedCommandTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task Seeds_the_database_named_on_the_command_line_and_reports_each_table()
    {
        var (code, output, error) = await RunAsync("--scale", "0.004", $"--POSTGRES_DSN={db.ConnectionString}");

        Assert.True(code == 0, error);
        Assert.Equal("", error);
        Assert.Contains("documents: 200 rows inserted", output);
        Assert.Contains("task_queue: 80 rows inserted", output);
        Assert.Contains("sessions.sessions: 20 rows inserted", output);
        Assert.Contains("cache.default_cache: 40 rows inserted", output);
        Assert.Contains("public.orchestra_embeddings_cache: 4 rows inserted", output);
        await using (var conn = await db.DataSource.OpenConnectionAsync())
            Assert.Equal(200, await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM documents"));

        (code, output, _) = await RunAsync("--scale=0.004", $"--POSTGRES_DSN={db.ConnectionString}");
        Assert.Equal(0, code);
        Assert.Contains("documents: already has rows, left alone", output);
        Assert.Contains("0 rows inserted", output);
    }

    [Fact]
    public async Task An_unreachable_database_gives_one_line_without_the_password_and_a_non_zero_exit()
    {
        var port = ClosedPort();
        var (code, output, error) = await RunAsync($"--POSTGRES_DSN=postgresql://demo:s3cret-pw@127.0.0.1:{port}/orchestra?connect_timeout=5");

        Assert.Equal(1, code);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"seed-demo: cannot reach PostgreSQL at 127.0.0.1:{port}/orchestra:", line);
        Assert.DoesNotContain("s3cret-pw", error + output);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("1000")]
    public async Task A_bad_scale_is_refused_before_anything_is_touched(string scale)
    {
        var (code, _, error) = await RunAsync("--scale", scale, "--POSTGRES_DSN=Host=127.0.0.1;Port=1");

        Assert.Equal(2, code);
        Assert.Equal($"seed-demo: --scale must be a number greater than 0 and at most 20, e.g. 0.1 (got '{scale}')", error.Trim());
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await DemoSeedCommand.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
