using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;
using Orchestra.Admin.Hosting;
using Polly;
using Polly.CircuitBreaker;
using V1 = Weaviate.V1;

namespace Orchestra.Admin.Data.Weaviate.Grpc;

/// <summary>What the gRPC health check said: SERVING, or why not.</summary>
/// <param name="Answered">False when nothing answered on the gRPC port (closed, no connection, no answer in time).</param>
public sealed record GrpcHealth(bool Serving, bool Answered, string Detail);

/// <summary>Weaviate's gRPC API as the dashboard uses it: searches, object counts, the health check.</summary>
public interface IWeaviateGrpcClient
{
    /// <summary>Where the gRPC endpoint is, as shown ("http://host:50051").</summary>
    Uri Url { get; }

    /// <summary><c>weaviate.v1.Weaviate/Search</c>. Failures arrive as <see cref="WeaviateException"/>, one message per gRPC status.</summary>
    Task<V1.SearchReply> SearchAsync(V1.SearchRequest request, CancellationToken ct = default);

    /// <summary>The number of objects of a class: <c>Aggregate</c> with <c>objects_count</c>.</summary>
    Task<long> CountObjectsAsync(string className, CancellationToken ct = default);

    /// <summary>The standard <c>grpc.health.v1.Health/Check</c>, straight to the server (never retried nor paused).</summary>
    Task<GrpcHealth> CheckHealthAsync(CancellationToken ct = default);
}

/// <summary>
/// The gRPC client: one HTTP/2 channel, the API key as <c>authorization: Bearer …</c> metadata, a deadline per attempt,
/// retries of UNAVAILABLE only (searches and counts read, so a retry is safe), and a circuit breaker of its own (a closed
/// gRPC port must not pause the REST calls that still work).
/// </summary>
public sealed class WeaviateGrpcClient : IWeaviateGrpcClient, IDisposable
{
    private const string SearchCall = "gRPC weaviate.v1.Weaviate/Search";
    private const string AggregateCall = "gRPC weaviate.v1.Weaviate/Aggregate";

    private readonly GrpcChannel channel;
    private readonly V1.Weaviate.WeaviateClient weaviate;
    private readonly Health.HealthClient health;
    private readonly WeaviateOptions options;
    private readonly Metadata headers = [];
    private readonly WeaviateCircuit circuit;
    private readonly ResiliencePipeline breaker;

    public WeaviateGrpcClient(WeaviateOptions options, TimeProvider? clock = null)
    {
        this.options = options;
        Url = options.GrpcUrl ?? throw new ArgumentException("no gRPC URL", nameof(options));
        if (!string.IsNullOrEmpty(options.ApiKey)) headers.Add("authorization", $"Bearer {options.ApiKey}");
        channel = GrpcChannel.ForAddress(Url, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                ConnectTimeout = TimeSpan.FromSeconds(options.ConnectTimeoutSeconds),
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                EnableMultipleHttp2Connections = true,
            },
            // A search of 1,000 hits with their vectors is far above gRPC's 4 MB default; Weaviate's own limit is ~100 MB.
            MaxReceiveMessageSize = 128 * 1024 * 1024,
            ServiceConfig = options.RetryCount == 0 ? null : new ServiceConfig
            {
                MethodConfigs =
                {
                    new MethodConfig
                    {
                        Names = { new MethodName { Service = "weaviate.v1.Weaviate", Method = "Search" }, new MethodName { Service = "weaviate.v1.Weaviate", Method = "Aggregate" } },
                        RetryPolicy = new RetryPolicy
                        {
                            MaxAttempts = options.RetryCount + 1,
                            InitialBackoff = TimeSpan.FromMilliseconds(Math.Max(1, options.RetryBaseDelayMilliseconds)),
                            MaxBackoff = TimeSpan.FromSeconds(5),
                            BackoffMultiplier = 2,
                            RetryableStatusCodes = { StatusCode.Unavailable },
                        },
                    },
                },
            },
        });
        weaviate = new V1.Weaviate.WeaviateClient(channel);
        health = new Health.HealthClient(channel);
        circuit = new WeaviateCircuit(clock);
        breaker = new ResiliencePipelineBuilder().AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            FailureRatio = 0.5,
            MinimumThroughput = options.CircuitBreakerMinimumThroughput,
            SamplingDuration = TimeSpan.FromSeconds(30),
            BreakDuration = TimeSpan.FromSeconds(options.CircuitBreakerBreakSeconds),
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is RpcException e && IsTransient(e.StatusCode)),
            OnOpened = args =>
            {
                // The failure in the words its own call would have shown (a closed port may surface as UNAVAILABLE or INTERNAL).
                circuit.Opened(args.BreakDuration, args.Outcome.Exception is RpcException e ? ToException(e, "gRPC").Message : "failure");
                return ValueTask.CompletedTask;
            },
            OnClosed = _ =>
            {
                circuit.Closed();
                return ValueTask.CompletedTask;
            },
        }).Build();
    }

    public Uri Url { get; }

    public Task<V1.SearchReply> SearchAsync(V1.SearchRequest request, CancellationToken ct = default) =>
        CallAsync(SearchCall, token => weaviate.SearchAsync(request, Options(token)).ResponseAsync, ct);

    public async Task<long> CountObjectsAsync(string className, CancellationToken ct = default)
    {
        var reply = await CallAsync(AggregateCall,
            token => weaviate.AggregateAsync(new V1.AggregateRequest { Collection = className, ObjectsCount = true }, Options(token)).ResponseAsync, ct);
        return reply.SingleResult is { HasObjectsCount: true } single ? single.ObjectsCount
            : throw WeaviateException.Malformed(AggregateCall, $"no objects_count for class '{className}'");
    }

    public async Task<GrpcHealth> CheckHealthAsync(CancellationToken ct = default)
    {
        try
        {
            var answer = await health.CheckAsync(new HealthCheckRequest(), headers,
                deadline: DateTime.UtcNow.AddSeconds(options.ConnectTimeoutSeconds + 1), cancellationToken: ct);
            return answer.Status == HealthCheckResponse.Types.ServingStatus.Serving
                ? new GrpcHealth(true, true, "SERVING")
                : new GrpcHealth(false, true, $"the gRPC health check answered {answer.Status}");
        }
        catch (RpcException e) when (!ct.IsCancellationRequested)
        {
            return e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded
                ? new GrpcHealth(false, false, $"no answer: {Reason(e)}")
                : new GrpcHealth(false, true, Describe(e));
        }
    }

    private CallOptions Options(CancellationToken ct) =>
        new(headers, DateTime.UtcNow.AddSeconds(options.RequestTimeoutSeconds), ct);

    private async Task<T> CallAsync<T>(string call, Func<CancellationToken, Task<T>> send, CancellationToken ct)
    {
        try
        {
            return await breaker.ExecuteAsync(async token => await send(token), ct);
        }
        catch (BrokenCircuitException e)
        {
            var (since, retryIn, last) = circuit.Snapshot();
            throw WeaviateException.CircuitOpen(Url, since, retryIn, last, e);
        }
        catch (RpcException e) when (!ct.IsCancellationRequested || e.StatusCode != StatusCode.Cancelled)
        {
            throw ToException(e, call);
        }
    }

    /// <summary>Failures of the server or the way to it; not UNKNOWN, which is how Weaviate sends a plain refusal of the request.</summary>
    private static bool IsTransient(StatusCode status) => status is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal;

    /// <summary>One message per gRPC status, with Weaviate's own words where it sent any.</summary>
    private WeaviateException ToException(RpcException e, string call)
    {
        var said = string.IsNullOrWhiteSpace(e.Status.Detail) ? null : e.Status.Detail.Trim();
        // A connection closed under the call surfaces as INTERNAL with the transport's exception: no answer either.
        var noAnswer = e.StatusCode == StatusCode.Unavailable || (e.StatusCode == StatusCode.Internal && IsTransport(e));
        var (kind, message) = e.StatusCode switch
        {
            _ when noAnswer => (WeaviateErrorKind.Unreachable, $"no answer from Weaviate's gRPC endpoint {Show()}: {Reason(e)}"),
            StatusCode.DeadlineExceeded => (WeaviateErrorKind.Timeout, $"no answer from Weaviate's gRPC endpoint {Show()} within {options.RequestTimeoutSeconds} s"),
            StatusCode.Unauthenticated when string.IsNullOrEmpty(options.ApiKey) => (WeaviateErrorKind.Unauthorized, "this Weaviate requires an API key: set WEAVIATE_API_KEY"),
            StatusCode.Unauthenticated => (WeaviateErrorKind.Unauthorized, said is null ? "API key rejected" : $"API key rejected: {said}"),
            StatusCode.PermissionDenied => (WeaviateErrorKind.Forbidden, said is null ? $"permission denied for {call}" : $"permission denied: {said}"),
            // Weaviate's gRPC handlers return plain Go errors, which reach the client as UNKNOWN with Weaviate's own words.
            StatusCode.InvalidArgument or StatusCode.Unknown => (WeaviateErrorKind.Rejected, said ?? $"Weaviate refused the request ({call})"),
            StatusCode.NotFound => (WeaviateErrorKind.NotFound, said ?? $"not found ({call})"),
            StatusCode.Unimplemented => (WeaviateErrorKind.Rejected, $"this Weaviate does not serve {call} over gRPC{(said is null ? "" : $": {said}")}"),
            _ => (WeaviateErrorKind.ServerError, $"Weaviate's gRPC endpoint answered {e.StatusCode}{(said is null ? "" : $": {said}")}"),
        };
        return new WeaviateException(kind, message, e) { ServerMessage = said, Request = call };
    }

    private static bool IsTransport(RpcException e) => e.Status.DebugException is HttpRequestException or IOException
        || e.Status.DebugException?.InnerException is HttpRequestException or IOException;

    /// <summary>"connection refused" rather than the whole transport exception.</summary>
    private static string Reason(RpcException e) => e.Status.DebugException switch
    {
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => "connection refused or lost",
        HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } => "unknown host",
        HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } => "TLS failed",
        HttpRequestException { HttpRequestError: HttpRequestError.HttpProtocolError } => "the port does not speak HTTP/2 gRPC",
        IOException or { InnerException: IOException } => "the connection was closed",
        OperationCanceledException { InnerException: TimeoutException } or TimeoutException => "no connection in time",
        _ => string.IsNullOrWhiteSpace(e.Status.Detail) ? e.StatusCode.ToString() : e.Status.Detail,
    };

    private static string Describe(RpcException e) => $"gRPC {e.StatusCode}{(string.IsNullOrWhiteSpace(e.Status.Detail) ? "" : $": {e.Status.Detail}")}";

    private string Show() => Url.GetLeftPart(UriPartial.Authority);

    public void Dispose() => channel.Dispose();
}
