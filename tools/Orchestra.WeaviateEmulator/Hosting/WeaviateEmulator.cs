using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Orchestra.WeaviateEmulator;

/// <summary>How to start an emulator.</summary>
public sealed class EmulatorOptions
{
    /// <summary>TCP port; 0 = any free port (read <see cref="RunningEmulator.Url"/>).</summary>
    public int Port { get; set; }

    /// <summary>Port of the gRPC API (weaviate.v1 and grpc.health.v1, HTTP/2 cleartext); 0 = any free port
    /// (read <see cref="RunningEmulator.GrpcUrl"/>); null = no gRPC server.</summary>
    public int? GrpcPort { get; set; }

    /// <summary>IP address to listen on ("127.0.0.1", "::1", "0.0.0.0", …; "localhost" = 127.0.0.1).</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>When set, every /v1 request except live/ready needs <c>Authorization: Bearer &lt;key&gt;</c>.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Number of deterministic demo <c>Memory</c> objects to load (at most <see cref="DemoData.Capacity"/>); 0 = no demo class.</summary>
    public int DemoObjects { get; set; }

    /// <summary>Number of nodes ("node1" … "nodeN"); classes get one shard per node. Ignored when <see cref="Store"/> is given.</summary>
    public int Nodes { get; set; } = 1;

    /// <summary>The version reported in /v1/meta and /v1/nodes.</summary>
    public string Version { get; set; } = "1.40.0";

    /// <summary>An existing store to serve (e.g. the one of a stopped emulator, to keep its data over a restart).
    /// Demo objects are still added when <see cref="DemoObjects"/> &gt; 0 (same ids: they overwrite themselves).</summary>
    public EmulatorStore? Store { get; set; }
}

/// <summary>
/// Starts Weaviate emulators in-process. From a namespace under <c>Orchestra.*</c> the name
/// <c>WeaviateEmulator</c> resolves to this project's namespace: call <see cref="RunningEmulator.StartAsync"/>
/// instead, or alias the type (<c>using Emulator = Orchestra.WeaviateEmulator.WeaviateEmulator;</c>).
/// </summary>
public static class WeaviateEmulator
{
    public static Task<RunningEmulator> StartAsync(EmulatorOptions options, CancellationToken ct = default) =>
        RunningEmulator.StartAsync(options, ct);
}

/// <summary>A running emulator. Dispose (or <see cref="StopAsync"/>) to stop it; the port can then be reused at once.</summary>
public sealed class RunningEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly WebApplication? _grpcApp;
    private int _stopped;

    private RunningEmulator(WebApplication app, Uri url, WebApplication? grpcApp, Uri? grpcUrl, EmulatorStore store, EmulatorFaults faults,
        EmulatorOptions options)
    {
        _app = app;
        _grpcApp = grpcApp;
        GrpcUrl = grpcUrl;
        Url = url;
        Store = store;
        Faults = faults;
        Options = options;
    }

    /// <summary>Base URL, e.g. <c>http://127.0.0.1:41234/</c> (what WEAVIATE_URL should be).</summary>
    public Uri Url { get; }

    /// <summary>The gRPC API's address, e.g. <c>http://127.0.0.1:41235</c> (what WEAVIATE_GRPC_URL should be); null without one.</summary>
    public Uri? GrpcUrl { get; }

    public EmulatorStore Store { get; }

    public EmulatorFaults Faults { get; }

    /// <summary>The options it was started with (a copy; <see cref="EmulatorOptions.Port"/> as requested, see <see cref="Url"/> for the bound one).</summary>
    public EmulatorOptions Options { get; }

    /// <summary>An HttpClient for this emulator, with <c>Authorization: Bearer</c> set when it has an API key and <paramref name="withApiKey"/>.</summary>
    public HttpClient CreateClient(bool withApiKey = true)
    {
        var client = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(30) };
        if (withApiKey && Options.ApiKey is { Length: > 0 } key)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public static async Task<RunningEmulator> StartAsync(EmulatorOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Port is < 0 or > 65535)
            throw new ArgumentOutOfRangeException(nameof(options), options.Port, "Port must be between 0 and 65535");
        if (options.GrpcPort is < 0 or > 65535)
            throw new ArgumentOutOfRangeException(nameof(options), options.GrpcPort, "GrpcPort must be between 0 and 65535");
        if (options.DemoObjects is < 0 or > DemoData.Capacity)
            throw new ArgumentOutOfRangeException(nameof(options), options.DemoObjects,
                $"DemoObjects must be between 0 and {DemoData.Capacity} (the demo memories that have vectors)");
        var address = ParseHost(options.Host);
        // A copy: changing the caller's options object later does not change a running emulator.
        options = new EmulatorOptions
        {
            Port = options.Port,
            GrpcPort = options.GrpcPort,
            Host = options.Host,
            ApiKey = options.ApiKey,
            DemoObjects = options.DemoObjects,
            Nodes = options.Nodes,
            Version = options.Version,
            Store = options.Store,
        };

        var store = options.Store ?? new EmulatorStore(options.Nodes);
        if (options.DemoObjects > 0)
            store.LoadDemoData(options.DemoObjects);
        var faults = new EmulatorFaults(store);
        var context = new EmulatorContext(store, faults, options);

        var app = CreateBuilder(address, options.Port, null).Build();
        EmulatorPipeline.Configure(app, context);
        await app.StartAsync(ct);
        var url = BoundUrl(app);
        if (options.GrpcPort is not { } grpcPort)
            return new RunningEmulator(app, url, null, null, store, faults, options);
        try
        {
            var (grpcApp, boundGrpcPort) = await GrpcHost.StartAsync(context, address, grpcPort, ct);
            return new RunningEmulator(app, url, grpcApp, new Uri($"http://{url.Host}:{boundGrpcPort}"), store, faults, options);
        }
        catch
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// An empty builder — no appsettings, no ASPNETCORE_URLS: nothing from the environment changes the emulator —
    /// with Kestrel on one address, routing, a short shutdown and warnings-only logging.
    /// </summary>
    internal static WebApplicationBuilder CreateBuilder(IPAddress address, int port, Action<ListenOptions>? listen)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(RunningEmulator).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(address, port, o => listen?.Invoke(o));
        });
        builder.Services.AddRoutingCore();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(1));
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        return builder;
    }

    /// <summary>The address a started app listens on, with a wildcard host made a loopback one.</summary>
    internal static Uri BoundUrl(WebApplication app)
    {
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("the emulator started without an address");
        return new Uri(bound.Replace("[::]", "[::1]").Replace("0.0.0.0", "127.0.0.1"));
    }

    private static IPAddress ParseHost(string host) => host switch
    {
        "localhost" => IPAddress.Loopback,
        "*" or "+" => IPAddress.Any,
        _ when IPAddress.TryParse(host.Trim('[', ']'), out var ip) => ip,
        _ => throw new ArgumentException($"Host must be an IP address or \"localhost\", not \"{host}\"", nameof(host)),
    };

    /// <summary>Stops listening and closes open connections. Safe to call twice.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
            return;
        try
        {
            if (_grpcApp is not null)
            {
                await _grpcApp.StopAsync();
                await _grpcApp.DisposeAsync();
            }
        }
        finally
        {
            try
            {
                await _app.StopAsync();
            }
            finally
            {
                await _app.DisposeAsync();
            }
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
