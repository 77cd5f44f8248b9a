using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Orchestra.Admin.Data.Weaviate;
using Orchestra.Admin.Hosting;

namespace Orchestra.Admin.Features.Health;

public enum BackendStatus
{
    /// <summary>Not probed yet.</summary>
    Checking,
    Up,
    /// <summary>Answered, but slowly or not ready: amber.</summary>
    Degraded,
    Down,
    NotConfigured,
}

/// <param name="Since">When the backend entered this status (for "down since 07:12").</param>
public sealed record BackendState(string Name, BackendStatus Status, string? Detail, DateTimeOffset Since, DateTimeOffset? CheckedAt, double? LatencyMs)
{
    /// <summary>Weaviate only: the server is Orchestra's emulator (its /v1/meta says so), shown so nobody mistakes it for a real one.</summary>
    public bool IsEmulator { get; init; }

    public static BackendState Initial(string name, bool configured) =>
        new(name, configured ? BackendStatus.Checking : BackendStatus.NotConfigured,
            configured ? null : "Set WEAVIATE_URL (and WEAVIATE_API_KEY when the server requires a key) to connect Weaviate.",
            DateTimeOffset.UtcNow, null, null);
}

/// <summary>
/// The connection state of PostgreSQL and Weaviate, probed by <see cref="BackendHealthMonitor"/> for every
/// viewer at once (the top bar and the outage banner read it) and on demand by <c>/readyz</c>.
/// </summary>
public sealed class BackendHealth(
    NpgsqlDataSource dataSource,
    IOptions<OrchestraAdminOptions> options,
    IServiceProvider services,
    TimeProvider clock)
{
    /// <summary>A probe slower than this is shown amber.</summary>
    public static readonly TimeSpan SlowThreshold = TimeSpan.FromSeconds(1);

    private readonly object gate = new();

    public BackendState Postgres { get; private set; } = BackendState.Initial("PostgreSQL", configured: true);
    public BackendState Weaviate { get; private set; } = BackendState.Initial("Weaviate", options.Value.Weaviate.IsConfigured);
    /// <summary>Weaviate's gRPC endpoint, beside REST: a closed gRPC port breaks every current client of the stack.</summary>
    public BackendState WeaviateGrpc { get; private set; } = BackendState.Initial("Weaviate gRPC", options.Value.Weaviate.IsConfigured);

    /// <summary>Raised after a probe changed a state; handlers must be quick and thread-safe.</summary>
    public event Action? Changed;

    public async Task<BackendState> ProbePostgresAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        var started = Stopwatch.GetTimestamp();
        BackendState next;
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(timeout);
            await using var conn = await dataSource.OpenConnectionAsync(cts.Token);
            await conn.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: cts.Token));
            next = Measured(Postgres, started, null);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            next = Next(Postgres, BackendStatus.Down, Describe(e, timeout), null);
            // After a restart of PostgreSQL every idle pooled connection is dead, and each would fail one query
            // before the pool noticed: drop them all, so the first query after the outage gets a fresh one.
            dataSource.Clear();
        }
        Set(() => Postgres = next);
        return next;
    }

    public async Task<BackendState> ProbeWeaviateAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        if (!options.Value.Weaviate.IsConfigured) return Weaviate;
        var started = Stopwatch.GetTimestamp();
        BackendState next;
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(timeout);
            var client = services.GetRequiredService<IWeaviateClient>();
            if (!await client.IsReadyAsync(cts.Token))
                next = Measured(Weaviate, started, "alive but not ready (GET /v1/.well-known/ready did not answer 200)");
            else
            {
                var (apiProblem, isEmulator) = await ReadMetaAsync(client, timeout, ct, cts.Token);
                next = Measured(Weaviate, started, apiProblem) with { IsEmulator = isEmulator ?? Weaviate.IsEmulator };
            }
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            next = Next(Weaviate, BackendStatus.Down, Describe(e, timeout), null);
        }
        Set(() => Weaviate = next);
        return next;
    }

    /// <summary>
    /// The standard gRPC health check on Weaviate's gRPC endpoint: SERVING is up, another answer amber, no answer down
    /// (with the endpoint named, since it is often a port nobody opened).
    /// </summary>
    public async Task<BackendState> ProbeWeaviateGrpcAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        if (services.GetService<Data.Weaviate.Grpc.IWeaviateGrpcClient>() is not { } grpc) return WeaviateGrpc;
        var where = grpc.Url.GetLeftPart(UriPartial.Authority);
        var started = Stopwatch.GetTimestamp();
        BackendState next;
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(timeout);
            var health = await grpc.CheckHealthAsync(cts.Token);
            next = health.Serving ? Measured(WeaviateGrpc, started, null)
                : Next(WeaviateGrpc, health.Answered ? BackendStatus.Degraded : BackendStatus.Down, $"{where}: {health.Detail}", null);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            next = Next(WeaviateGrpc, BackendStatus.Down, $"{where}: {Describe(e, timeout)}", null);
        }
        Set(() => WeaviateGrpc = next);
        return next;
    }

    /// <summary>
    /// Readiness needs no API key and says nothing of the API itself: one read with the key (GET /v1/meta, beside the
    /// pages' retries and circuit breaker) shows whether their calls can work. A wrong key, a failing server or a
    /// garbled answer is the problem returned (amber, in the pages' own words); the meta also says whether the server
    /// is the emulator.
    /// </summary>
    private static async Task<(string? Problem, bool? IsEmulator)> ReadMetaAsync(IWeaviateClient client, TimeSpan timeout, CancellationToken stopping, CancellationToken ct)
    {
        try
        {
            var modules = (await client.ProbeMetaAsync(ct)).Modules;
            return (null, modules != null && modules.ContainsKey(Features.Weaviate.WeaviateService.EmulatorModule));
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return ($"ready, but its API did not answer within {timeout.TotalSeconds:0.#} s", null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return ($"ready, but its API fails: {Components.Controls.ErrorMessages.Describe(e)}", null);
        }
    }

    private BackendState Measured(BackendState previous, long started, string? problem)
    {
        var elapsed = Stopwatch.GetElapsedTime(started);
        if (problem != null) return Next(previous, BackendStatus.Degraded, problem, elapsed.TotalMilliseconds);
        return elapsed > SlowThreshold
            ? Next(previous, BackendStatus.Degraded, $"slow: answered in {elapsed.TotalSeconds:0.0} s", elapsed.TotalMilliseconds)
            : Next(previous, BackendStatus.Up, null, elapsed.TotalMilliseconds);
    }

    private BackendState Next(BackendState previous, BackendStatus status, string? detail, double? latencyMs)
    {
        var now = clock.GetUtcNow();
        return previous with
        {
            Status = status,
            Detail = detail,
            Since = previous.Status == status ? previous.Since : now,
            CheckedAt = now,
            LatencyMs = latencyMs,
        };
    }

    /// <summary>One state replaced under the lock, then the listeners told.</summary>
    private void Set(Action replace)
    {
        lock (gate) replace();
        Changed?.Invoke();
    }

    /// <summary>What failed, in words an operator can act on; never a secret.</summary>
    public static string Describe(Exception e, TimeSpan timeout) => e switch
    {
        OperationCanceledException or TimeoutException => $"no answer within {timeout.TotalSeconds:0.#} s",
        PostgresException p => $"{p.SqlState}: {p.MessageText}",
        NpgsqlException n when n.InnerException is System.Net.Sockets.SocketException s => $"cannot connect: {s.Message}",
        _ => e.Message,
    };
}

/// <summary>Probes both backends every interval, once for all viewers.</summary>
public sealed class BackendHealthMonitor(BackendHealth health, IOptions<OrchestraAdminOptions> options) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(options.Value.HealthProbeIntervalSeconds);
        using var timer = new PeriodicTimer(interval);
        do
        {
            var timeout = TimeSpan.FromSeconds(Math.Min(5, options.Value.HealthProbeIntervalSeconds));
            await Task.WhenAll(health.ProbePostgresAsync(timeout, stoppingToken), health.ProbeWeaviateAsync(timeout, stoppingToken),
                health.ProbeWeaviateGrpcAsync(timeout, stoppingToken));
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
