using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orchestra.Admin.Data.Weaviate;
using Orchestra.Admin.Hosting;

namespace Orchestra.Admin.Tests.Weaviate;

/// <summary>One request as the server saw it.</summary>
public sealed record SeenRequest(string Method, string Path, string RawTarget, string QueryString, string? Authorization, string? ContentType, string Body);

/// <summary>
/// A real HTTP server (Kestrel on 127.0.0.1, port 0) that answers each "METHOD /path" with what a test set
/// (a status and a body, or a handler), counts the calls and keeps every request. Not a Weaviate emulator:
/// canned answers, to test the client's handling of statuses, bodies, timeouts and retries.
/// </summary>
public sealed class CannedWeaviate : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, Func<HttpContext, int, Task>> routes = new();
    private readonly ConcurrentDictionary<string, int> counts = new();
    private readonly ConcurrentQueue<SeenRequest> seen = new();

    private CannedWeaviate(WebApplication app) => this.app = app;

    public Uri Url { get; private set; } = null!;
    public IReadOnlyList<SeenRequest> Requests => seen.ToList();

    public static async Task<CannedWeaviate> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new CannedWeaviate(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        server.Url = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    /// <summary>Answers "METHOD /path" (path without the query) with this status and body (JSON unless <paramref name="contentType"/> says otherwise).</summary>
    public CannedWeaviate On(string methodAndPath, int status, string? body = null, string contentType = "application/json") =>
        On(methodAndPath, (ctx, _) => Respond(ctx, status, body, contentType));

    /// <summary>Answers with a handler that also gets the call number (1 for the first call).</summary>
    public CannedWeaviate On(string methodAndPath, Func<HttpContext, int, Task> handler)
    {
        routes[methodAndPath] = handler;
        return this;
    }

    /// <summary>Answers the n-th call with the n-th answer (the last one repeats).</summary>
    public CannedWeaviate OnSequence(string methodAndPath, params (int Status, string? Body)[] answers) =>
        On(methodAndPath, (ctx, call) =>
        {
            var (status, body) = answers[Math.Min(call, answers.Length) - 1];
            return Respond(ctx, status, body, "application/json");
        });

    public int Calls(string methodAndPath) => counts.TryGetValue(methodAndPath, out var n) ? n : 0;

    public static async Task Respond(HttpContext ctx, int status, string? body, string contentType = "application/json")
    {
        ctx.Response.StatusCode = status;
        if (body is null) return;
        ctx.Response.ContentType = contentType;
        await ctx.Response.WriteAsync(body);
    }

    /// <summary>A client as the app registers it (the real pipeline), on this server.</summary>
    public IWeaviateClient Client(Action<WeaviateOptions>? configure = null) => CreateClient(Url, configure);

    /// <summary>A client for any URL, with small test delays: 10 ms retry base, breaker that does not open unless a test wants it.</summary>
    public static IWeaviateClient CreateClient(Uri url, Action<WeaviateOptions>? configure = null)
    {
        var settings = new OrchestraAdminOptions();
        settings.Weaviate.Url = url;
        settings.Weaviate.RetryBaseDelayMilliseconds = 10;
        settings.Weaviate.CircuitBreakerMinimumThroughput = 1000;
        configure?.Invoke(settings.Weaviate);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddWeaviateClient(settings);
        return services.BuildServiceProvider().GetRequiredService<IWeaviateClient>();
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        var key = $"{ctx.Request.Method} {ctx.Request.Path}";
        var call = counts.AddOrUpdate(key, 1, (_, n) => n + 1);
        using var reader = new StreamReader(ctx.Request.Body);
        var body = await reader.ReadToEndAsync();
        seen.Enqueue(new SeenRequest(ctx.Request.Method, ctx.Request.Path.Value ?? "",
            ctx.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget, ctx.Request.QueryString.Value ?? "",
            ctx.Request.Headers.Authorization.FirstOrDefault(), ctx.Request.ContentType, body));
        if (routes.TryGetValue(key, out var handler))
            await handler(ctx, call);
        else
            // What go-openapi answers for a route it does not know.
            await Respond(ctx, 404, $$"""{"code":404,"message":"path {{ctx.Request.Path}} was not found"}""");
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
