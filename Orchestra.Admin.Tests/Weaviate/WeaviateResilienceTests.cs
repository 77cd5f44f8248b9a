using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orchestra.Admin.Data.Weaviate;
using Orchestra.Admin.Features.Health;
using Orchestra.Admin.Hosting;

namespace Orchestra.Admin.Tests.Weaviate;

/// <summary>Retries, circuit breaker, timeouts, connection failures and headers, against a real local HTTP server.</summary>
public class WeaviateResilienceTests : IAsyncLifetime
{
    private CannedWeaviate server = null!;

    public async Task InitializeAsync() => server = await CannedWeaviate.StartAsync();
    public async Task DisposeAsync() => await server.DisposeAsync();

    private const string Meta = """{"version":"1.39.0"}""";

    [Theory]
    [InlineData(503)]
    [InlineData(500)]
    [InlineData(429)]
    public async Task A_GET_is_retried_on_a_transient_status(int status)
    {
        server.OnSequence("GET /v1/meta", (status, null), (status, null), (200, Meta));
        var meta = await server.Client().GetMetaAsync();
        Assert.Equal("1.39.0", meta.Version);
        Assert.Equal(3, server.Calls("GET /v1/meta"));
    }

    [Fact]
    public async Task Retries_are_bounded_and_the_last_answer_is_reported()
    {
        server.On("GET /v1/schema", 500, """{"error":[{"message":"raft: leader unknown"}]}""");
        var e = await Assert.ThrowsAsync<WeaviateException>(() => server.Client(o => o.RetryCount = 2).GetSchemaAsync());
        Assert.Equal(WeaviateErrorKind.ServerError, e.Kind);
        Assert.Equal("raft: leader unknown", e.Message);
        Assert.Equal(3, server.Calls("GET /v1/schema"));
    }

    [Fact]
    public async Task A_4xx_is_not_retried()
    {
        server.On("GET /v1/schema", 422, """{"error":[{"message":"bad"}]}""");
        await Assert.ThrowsAsync<WeaviateException>(() => server.Client().GetSchemaAsync());
        Assert.Equal(1, server.Calls("GET /v1/schema"));
    }

    [Fact]
    public async Task RetryCount_0_turns_retries_off()
    {
        server.On("GET /v1/meta", 503);
        await Assert.ThrowsAsync<WeaviateException>(() => server.Client(o => o.RetryCount = 0).GetMetaAsync());
        Assert.Equal(1, server.Calls("GET /v1/meta"));
    }

    [Fact]
    public async Task POST_graphql_is_never_retried()
    {
        server.OnSequence("POST /v1/graphql", (503, null), (200, """{"data":{}}"""));
        var e = await Assert.ThrowsAsync<WeaviateException>(() => server.Client().GraphQLAsync("{ Get { Memory { content } } }"));
        Assert.Equal(WeaviateErrorKind.ServerError, e.Kind);
        Assert.Equal(1, server.Calls("POST /v1/graphql"));
    }

    [Fact]
    public async Task PUT_shard_status_is_never_retried()
    {
        server.On("PUT /v1/schema/Memory/shards/s1", 500, """{"error":[{"message":"cannot update shard status"}]}""");
        var e = await Assert.ThrowsAsync<WeaviateException>(() => server.Client().UpdateShardStatusAsync("Memory", "s1", ShardStatuses.Ready));
        Assert.Equal("cannot update shard status", e.Message);
        Assert.Equal(1, server.Calls("PUT /v1/schema/Memory/shards/s1"));
    }

    [Fact]
    public async Task The_circuit_opens_after_repeated_failures_and_then_fails_fast_without_calling()
    {
        server.On("GET /v1/meta", 500, """{"error":[{"message":"boom"}]}""");
        server.On("POST /v1/graphql", 200, """{"data":{}}""");
        var client = server.Client(o => { o.CircuitBreakerMinimumThroughput = 2; o.CircuitBreakerBreakSeconds = 60; o.RetryCount = 2; });

        // The second attempt makes 2 failures out of 2 and opens it: no third attempt, and the call reports its own failure.
        var failure = await Assert.ThrowsAsync<WeaviateException>(() => client.GetMetaAsync());
        Assert.Equal(WeaviateErrorKind.ServerError, failure.Kind);
        Assert.Equal("boom", failure.Message);
        Assert.Equal(2, server.Calls("GET /v1/meta"));

        var started = Stopwatch.GetTimestamp();
        var open = await Assert.ThrowsAsync<WeaviateException>(() => client.GetMetaAsync());
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(1), "an open circuit fails fast");
        Assert.Equal(2, server.Calls("GET /v1/meta"));
        Assert.Equal(WeaviateErrorKind.CircuitOpen, open.Kind);
        Assert.Matches($@"^calls to Weaviate at {System.Text.RegularExpressions.Regex.Escape(server.Url.ToString().TrimEnd('/'))} are paused since \d\d:\d\d:\d\d UTC after repeated failures \(last: HTTP 500: boom\); retrying in (59|60) s$", open.Message);
        Assert.NotNull(open.Since);

        // Every API call is paused, POST too; the readiness probe is not (it is how the dashboard sees recovery).
        var graphql = await Assert.ThrowsAsync<WeaviateException>(() => client.GraphQLAsync("{ Get { Memory { content } } }"));
        Assert.Equal(WeaviateErrorKind.CircuitOpen, graphql.Kind);
        Assert.Equal(0, server.Calls("POST /v1/graphql"));
        server.On("GET /v1/.well-known/ready", 200);
        Assert.True(await client.IsReadyAsync());
        Assert.Equal(1, server.Calls("GET /v1/.well-known/ready"));
    }

    [Fact]
    public async Task After_the_break_one_call_goes_through_and_a_success_closes_the_circuit()
    {
        server.On("GET /v1/meta", 500);
        var client = server.Client(o => { o.CircuitBreakerMinimumThroughput = 2; o.CircuitBreakerBreakSeconds = 1; o.RetryCount = 0; });
        await Assert.ThrowsAsync<WeaviateException>(() => client.GetMetaAsync());
        await Assert.ThrowsAsync<WeaviateException>(() => client.GetMetaAsync());
        Assert.Equal(WeaviateErrorKind.CircuitOpen, (await Assert.ThrowsAsync<WeaviateException>(() => client.GetMetaAsync())).Kind);

        server.On("GET /v1/meta", 200, Meta);
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        Assert.Equal("1.39.0", (await client.GetMetaAsync()).Version);
        Assert.Equal("1.39.0", (await client.GetMetaAsync()).Version);
    }

    [Fact]
    public async Task No_answer_within_the_request_timeout_gives_the_timeout_message_once()
    {
        server.On("GET /v1/meta", async (ctx, _) => await Task.Delay(TimeSpan.FromSeconds(10), ctx.RequestAborted));
        var started = Stopwatch.GetTimestamp();
        var e = await Assert.ThrowsAsync<WeaviateException>(() => server.Client(o => o.RequestTimeoutSeconds = 1).GetMetaAsync());
        var elapsed = Stopwatch.GetElapsedTime(started);

        Assert.Equal(WeaviateErrorKind.Timeout, e.Kind);
        Assert.Equal($"no answer from http://127.0.0.1:{server.Url.Port} within 1 s", e.Message);
        Assert.InRange(elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
        // A timed-out attempt already waited the whole timeout: not retried.
        Assert.Equal(1, server.Calls("GET /v1/meta"));
    }

    [Fact]
    public async Task The_callers_cancellation_stays_a_cancellation()
    {
        server.On("GET /v1/meta", async (ctx, _) => await Task.Delay(TimeSpan.FromSeconds(10), ctx.RequestAborted));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => server.Client().GetMetaAsync(cts.Token));
    }

    [Fact]
    public async Task A_closed_port_gives_connection_refused()
    {
        var url = ClosedPortUrl();
        var client = CannedWeaviate.CreateClient(url);

        var e = await Assert.ThrowsAsync<WeaviateException>(() => client.GetMetaAsync());
        Assert.Equal(WeaviateErrorKind.Unreachable, e.Kind);
        Assert.Equal($"no answer from http://127.0.0.1:{url.Port}: connection refused", e.Message);

        var probe = await Assert.ThrowsAsync<WeaviateException>(() => client.IsReadyAsync());
        Assert.Equal($"no answer from http://127.0.0.1:{url.Port}: connection refused", probe.Message);
    }

    [Fact]
    public async Task No_connection_within_the_connect_timeout_says_so()
    {
        // A listener that never accepts, its backlog filled: further connection attempts get no SYN-ACK.
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0);
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        var fillers = Enumerable.Range(0, 4).Select(_ => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false }).ToList();
        foreach (var filler in fillers)
        {
            try { filler.Connect(IPAddress.Loopback, port); } catch (SocketException) { /* in progress */ }
        }
        try
        {
            await Task.Delay(100);
            var client = CannedWeaviate.CreateClient(new Uri($"http://127.0.0.1:{port}/"), o => { o.ConnectTimeoutSeconds = 1; o.RetryCount = 0; o.RequestTimeoutSeconds = 5; });
            var started = Stopwatch.GetTimestamp();
            var e = await Assert.ThrowsAsync<WeaviateException>(() => client.GetMetaAsync());
            Assert.Equal(WeaviateErrorKind.Unreachable, e.Kind);
            Assert.Equal($"no answer from http://127.0.0.1:{port}: no connection within 1 s", e.Message);
            Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(4));
        }
        finally
        {
            fillers.ForEach(f => f.Dispose());
        }
    }

    [Fact]
    public async Task The_bearer_header_is_sent_only_when_a_key_is_set()
    {
        server.On("GET /v1/meta", 200, Meta);
        server.On("GET /v1/.well-known/ready", 200);

        await server.Client().GetMetaAsync();
        await server.Client().IsReadyAsync();
        await server.Client(o => o.ApiKey = "s3cret-key").GetMetaAsync();
        await server.Client(o => o.ApiKey = "s3cret-key").IsReadyAsync();

        Assert.Equal([null, null, "Bearer s3cret-key", "Bearer s3cret-key"], server.Requests.Select(r => r.Authorization));
    }

    [Fact]
    public async Task Readiness_has_no_query_string_and_a_503_is_an_answer_not_retried()
    {
        server.On("GET /v1/.well-known/ready", 503);
        server.On("GET /v1/.well-known/live", 200);
        var client = server.Client();

        Assert.False(await client.IsReadyAsync());
        Assert.True(await client.IsLiveAsync());
        Assert.Equal(1, server.Calls("GET /v1/.well-known/ready"));
        Assert.Equal("/v1/.well-known/ready", server.Requests[0].RawTarget);
        Assert.Equal("/v1/.well-known/live", server.Requests[1].RawTarget);

        server.On("GET /v1/.well-known/ready", 200);
        Assert.True(await client.IsReadyAsync());
    }

    [Fact]
    public async Task The_health_probe_reports_up_not_ready_and_down_within_its_own_timeout()
    {
        server.On("GET /v1/.well-known/ready", 200);
        server.On("GET /v1/meta", 200, WeaviateContract.Example("meta.json"));
        var (health, _) = Health(server.Url);
        var up = await health.ProbeWeaviateAsync(TimeSpan.FromSeconds(5));
        // Up; on a machine so loaded that the answer took over a second, amber "slow" is the right answer too.
        Assert.True(up.Status == BackendStatus.Up || (up.Status == BackendStatus.Degraded && up.Detail!.StartsWith("slow: ")), $"{up.Status}: {up.Detail}");

        // Ready, but the API refuses the key: amber with the words the pages show, not a green chip over failing pages.
        server.On("GET /v1/meta", 401, """{"error":[{"message":"anonymous access not enabled"}]}""");
        var refused = await health.ProbeWeaviateAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(BackendStatus.Degraded, refused.Status);
        Assert.StartsWith("ready, but its API fails: ", refused.Detail);
        Assert.Contains("set WEAVIATE_API_KEY", refused.Detail);

        server.On("GET /v1/meta", 200, "{not json");
        var garbled = await health.ProbeWeaviateAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(BackendStatus.Degraded, garbled.Status);
        Assert.Contains("malformed JSON", garbled.Detail);
        server.On("GET /v1/meta", 200, WeaviateContract.Example("meta.json"));

        server.On("GET /v1/.well-known/ready", 503);
        var notReady = await health.ProbeWeaviateAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(BackendStatus.Degraded, notReady.Status);
        Assert.Contains("not ready", notReady.Detail);

        // A hanging server: the probe's own (short) timeout wins over the client's request timeout.
        server.On("GET /v1/.well-known/ready", async (ctx, _) => await Task.Delay(TimeSpan.FromSeconds(10), ctx.RequestAborted));
        var started = Stopwatch.GetTimestamp();
        var hung = await health.ProbeWeaviateAsync(TimeSpan.FromMilliseconds(500));
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(3));
        Assert.Equal(BackendStatus.Down, hung.Status);
        Assert.Equal("no answer within 0.5 s", hung.Detail);

        var closed = ClosedPortUrl();
        var (downHealth, _) = Health(closed);
        var down = await downHealth.ProbeWeaviateAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(BackendStatus.Down, down.Status);
        Assert.Equal($"no answer from http://127.0.0.1:{closed.Port}: connection refused", down.Detail);
    }

    private static (BackendHealth Health, ServiceProvider Services) Health(Uri url)
    {
        var settings = new OrchestraAdminOptions();
        settings.Weaviate.Url = url;
        var services = new ServiceCollection().AddLogging().AddWeaviateClient(settings).BuildServiceProvider();
        // The PostgreSQL side is not probed here: a data source that is never opened.
        var health = new BackendHealth(NpgsqlDataSource.Create("Host=127.0.0.1;Port=1"), Microsoft.Extensions.Options.Options.Create(settings), services, TimeProvider.System);
        return (health, services);
    }

    /// <summary>A loopback port nothing listens on (bound, then released).</summary>
    private static Uri ClosedPortUrl()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/");
    }
}
