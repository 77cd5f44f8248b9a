using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Http.Resilience;
using Orchestra.Admin.Hosting;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Orchestra.Admin.Data.Weaviate;

/// <summary>
/// Registers <see cref="IWeaviateClient"/> over two named HttpClients that share the connection settings
/// (base address, Bearer key only when one is set, <see cref="SocketsHttpHandler.ConnectTimeout"/>):
/// <list type="bullet">
/// <item><b>API</b> calls go through a resilience pipeline, outermost first: retry (GET only, exponential
/// backoff, not on timeouts) → circuit breaker (fails fast while open) → per-attempt request timeout.</item>
/// <item>The <b>probe</b> (live / ready) goes straight to the server, never retried nor paused by the breaker:
/// the health monitor applies its own short timeout, and a 503 from ready is an answer, not a failure.</item>
/// </list>
/// </summary>
public static class WeaviateRegistration
{
    internal const string ApiClientName = "Weaviate";
    internal const string ProbeClientName = "Weaviate.Probe";
    internal const string PipelineName = "weaviate";

    /// <summary>Registers the client when WEAVIATE_URL is set; does nothing otherwise.</summary>
    public static IServiceCollection AddWeaviateClient(this IServiceCollection services, OrchestraAdminOptions settings)
    {
        var options = settings.Weaviate;
        if (!options.IsConfigured) return services;

        services.AddSingleton(sp => new WeaviateCircuit(sp.GetService<TimeProvider>()));

        services.AddHttpClient(ProbeClientName, http => Configure(http, options))
            .ConfigurePrimaryHttpMessageHandler(() => PrimaryHandler(options));

        services.AddHttpClient(ApiClientName, http => Configure(http, options))
            .ConfigurePrimaryHttpMessageHandler(() => PrimaryHandler(options))
            .AddResilienceHandler(PipelineName, (pipeline, context) =>
                BuildPipeline(pipeline, options, context.ServiceProvider.GetRequiredService<WeaviateCircuit>()));

        // One channel for the app: HTTP/2 multiplexes every circuit's searches over it.
        services.AddSingleton<Grpc.IWeaviateGrpcClient>(sp => new Grpc.WeaviateGrpcClient(options, sp.GetService<TimeProvider>()));

        services.AddTransient<IWeaviateClient>(sp =>
        {
            var factory = sp.GetRequiredService<IHttpClientFactory>();
            return new WeaviateClient(factory.CreateClient(ApiClientName), factory.CreateClient(ProbeClientName), options,
                sp.GetRequiredService<WeaviateCircuit>());
        });
        return services;
    }

    private static void Configure(HttpClient http, WeaviateOptions options)
    {
        http.BaseAddress = options.Url;
        // The timeouts are the pipeline's (API) and the client's own (probe): the HttpClient's would blur them.
        http.Timeout = Timeout.InfiniteTimeSpan;
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        // Weaviate authenticates API keys as bearer tokens (not X-Weaviate-Api-Key). No key, no header: a server
        // without authentication answers 401 to any Authorization header.
        if (!string.IsNullOrEmpty(options.ApiKey))
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
    }

    private static SocketsHttpHandler PrimaryHandler(WeaviateOptions options) => new()
    {
        ConnectTimeout = TimeSpan.FromSeconds(options.ConnectTimeoutSeconds),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AutomaticDecompression = DecompressionMethods.All,
    };

    private static void BuildPipeline(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, WeaviateOptions options, WeaviateCircuit circuit)
    {
        var state = new CircuitBreakerStateProvider();

        if (options.RetryCount > 0)
        {
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.RetryCount,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(options.RetryBaseDelayMilliseconds),
                MaxDelay = TimeSpan.FromSeconds(5),
                // A long Retry-After would turn the server's own error into a timeout: keep to our backoff.
                ShouldRetryAfterHeader = false,
                ShouldHandle = args => ValueTask.FromResult(
                    IsGet(args.Outcome, args.Context)
                    && IsTransient(args.Outcome, args.Context.CancellationToken)
                    // A timed-out attempt already took the whole request timeout: report it rather than wait again.
                    && args.Outcome.Exception is not TimeoutRejectedException
                    // The failure that opened the circuit is reported as itself, not as "paused".
                    && state.CircuitState is not (CircuitState.Open or CircuitState.Isolated)),
            });
        }

        pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
        {
            FailureRatio = 0.5,
            MinimumThroughput = options.CircuitBreakerMinimumThroughput,
            SamplingDuration = TimeSpan.FromSeconds(30),
            BreakDuration = TimeSpan.FromSeconds(options.CircuitBreakerBreakSeconds),
            StateProvider = state,
            ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome, args.Context.CancellationToken)),
            OnOpened = args =>
            {
                circuit.Opened(args.BreakDuration, Describe(args.Outcome));
                return ValueTask.CompletedTask;
            },
            OnClosed = _ =>
            {
                circuit.Closed();
                return ValueTask.CompletedTask;
            },
        });

        pipeline.AddTimeout(new HttpTimeoutStrategyOptions { Timeout = TimeSpan.FromSeconds(options.RequestTimeoutSeconds) });
    }

    private static bool IsGet(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        var method = outcome.Result?.RequestMessage?.Method ?? context.GetRequestMessage()?.Method;
        return method == HttpMethod.Get;
    }

    /// <summary>5xx, 408, 429, no connection, a timed-out attempt; not a cancellation by the caller.</summary>
    private static bool IsTransient(Outcome<HttpResponseMessage> outcome, CancellationToken token) =>
        HttpClientResiliencePredicates.IsTransient(outcome)
        // SocketsHttpHandler.ConnectTimeout surfaces as a cancellation wrapping a TimeoutException.
        || (outcome.Exception is OperationCanceledException { InnerException: TimeoutException } && !token.IsCancellationRequested);

    private static string Describe(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Result: { } response } => $"HTTP {(int)response.StatusCode}",
        { Exception: TimeoutRejectedException } => "no answer in time",
        { Exception: HttpRequestException h } => WeaviateException.Reason(h),
        { Exception: OperationCanceledException { InnerException: TimeoutException } } => "no connection in time",
        { Exception: { } e } => e.Message,
        _ => "failure",
    };
}

/// <summary>What the circuit breaker of the API client is doing, for the "paused since …" message.</summary>
public sealed class WeaviateCircuit(TimeProvider? clock = null)
{
    private readonly TimeProvider clock = clock ?? TimeProvider.System;
    private readonly object gate = new();
    private DateTimeOffset? openedAt;
    private DateTimeOffset lastOpenedAt;
    private TimeSpan breakDuration;
    private string? lastFailure;

    /// <summary>When the circuit opened (null while it is closed).</summary>
    public DateTimeOffset? OpenedAt { get { lock (gate) return openedAt; } }

    internal void Opened(TimeSpan duration, string failure)
    {
        lock (gate)
        {
            // Re-opened after a failed trial call: keep the first time, so "since" tells how long it has been.
            openedAt ??= clock.GetUtcNow();
            breakDuration = duration;
            lastFailure = failure;
            lastOpenedAt = clock.GetUtcNow();
        }
    }

    /// <summary>
    /// A 5xx with the server's own words ("HTTP 500: disk quota exceeded"), reported by the client once it has read the
    /// body: the breaker only sees the status, and "paused … (last: HTTP 500)" would hide what the server said.
    /// </summary>
    internal void ServerFailed(int status, string serverText)
    {
        lock (gate) lastFailure = $"HTTP {status}: {serverText}";
    }

    internal void Closed()
    {
        lock (gate)
        {
            openedAt = null;
            lastFailure = null;
        }
    }

    /// <summary>Since when calls are paused, how long until the next try, and the failure that opened it.</summary>
    internal (DateTimeOffset? Since, TimeSpan? RetryIn, string? LastFailure) Snapshot()
    {
        lock (gate)
        {
            if (openedAt is null) return (null, null, null);
            var retryIn = lastOpenedAt + breakDuration - clock.GetUtcNow();
            return (openedAt, retryIn > TimeSpan.Zero ? retryIn : TimeSpan.Zero, lastFailure);
        }
    }
}
