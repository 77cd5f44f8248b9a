using System.Net;
using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Health.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Orchestra.WeaviateEmulator;

/// <summary>
/// The gRPC side: its own Kestrel on its own port, HTTP/2 cleartext only (like Weaviate's 50051), serving
/// <c>weaviate.v1.Weaviate</c> and <c>grpc.health.v1.Health</c>. A separate app, so the REST pipeline never sees gRPC
/// and the REST port never answers it.
/// </summary>
internal static class GrpcHost
{
    public static async Task<(WebApplication App, int Port)> StartAsync(EmulatorContext ctx, IPAddress address, int port, CancellationToken ct)
    {
        var builder = RunningEmulator.CreateBuilder(address, port, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            // The grpcDown fault closes new connections at once (calls on open ones fail in GrpcFaultsAndAuth).
            listen.Use(next => connection =>
            {
                if (!ctx.Faults.GrpcDown)
                    return next(connection);
                connection.Abort();
                return Task.CompletedTask;
            });
        });
        builder.Services.AddSingleton(ctx);
        builder.Services.AddGrpc(o =>
        {
            // Weaviate's GRPC_MAX_MESSAGE_SIZE default, the grpcMaxMessageSize /v1/meta reports.
            o.MaxReceiveMessageSize = RestHandlers.GrpcMaxMessageSize;
            o.MaxSendMessageSize = RestHandlers.GrpcMaxMessageSize;
            o.Interceptors.Add<GrpcFaultsAndAuth>();
        });

        var app = builder.Build();
        app.UseRouting();
        app.MapGrpcService<WeaviateGrpcService>();
        app.MapGrpcService<GrpcHealthService>();
        await app.StartAsync(ct);

        return (app, RunningEmulator.BoundUrl(app).Port);
    }
}

/// <summary>
/// Before every gRPC call: the latency fault, then the grpcDown fault, then — not for the health service, which
/// Weaviate answers without credentials — the status fault and the API key.
/// </summary>
internal sealed class GrpcFaultsAndAuth(EmulatorContext ctx) : Interceptor
{
    private const string HealthService = "/grpc.health.v1.Health/";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        await Before(context);
        return await continuation(request, context);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await Before(context);
        await continuation(request, responseStream, context);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await Before(context);
        await continuation(requestStream, responseStream, context);
    }

    private async Task Before(ServerCallContext context)
    {
        var faults = ctx.Faults;
        if (faults.LatencyMs is > 0 and var latency)
            await Task.Delay(latency, context.CancellationToken);
        // A connection opened before the port went down: its calls fail as a closed port's would, with UNAVAILABLE.
        if (faults.GrpcDown)
            throw new RpcException(new Status(StatusCode.Unavailable, "emulated fault: the gRPC port is down"));
        if (context.Method.StartsWith(HealthService, StringComparison.Ordinal))
            return;
        if (faults.GrpcStatus is { } status && faults.Targets(context.Method))
            throw new RpcException(new Status(status, faults.StatusMessage
                ?? $"emulated fault: the emulator was told to answer {EmulatorFaults.GrpcStatusName(status)}"));
        Authorize(context);
    }

    /// <summary>
    /// grpc/v1/auth: a token is read only from <c>authorization: Bearer …</c>; anything else is anonymous, which a
    /// server with an API key refuses like a wrong key. Weaviate wraps the error as "extract auth: …" (UNAUTHENTICATED).
    /// </summary>
    private void Authorize(ServerCallContext context)
    {
        var header = context.RequestHeaders.GetValue("authorization");
        var token = header is not null && header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..] : null;
        var key = ctx.Options.ApiKey;
        if (string.IsNullOrEmpty(key))
        {
            if (token is not null)
                throw Unauthenticated(
                    "no authentication scheme is configured (API Key or OIDC), but an 'Authorization' header was provided. " +
                    "Please configure an auth scheme or remove the header for anonymous access");
            return;
        }
        if (token is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(key)))
            throw Unauthenticated("unauthorized: invalid api key");
    }

    private static RpcException Unauthenticated(string message) =>
        new(new Status(StatusCode.Unauthenticated, "extract auth: " + message));
}

/// <summary>
/// <c>grpc.health.v1.Health</c> as Weaviate answers it: SERVING for any service name (the TypeScript client asks
/// for "/grpc.health.v1.Health/Check"), no credentials needed; NOT_SERVING under the grpcNotServing fault.
/// </summary>
internal sealed class GrpcHealthService(EmulatorContext ctx) : Health.HealthBase
{
    private HealthCheckResponse Status() => new()
    {
        Status = ctx.Faults.GrpcNotServing ? HealthCheckResponse.Types.ServingStatus.NotServing : HealthCheckResponse.Types.ServingStatus.Serving,
    };

    public override Task<HealthCheckResponse> Check(HealthCheckRequest request, ServerCallContext context) => Task.FromResult(Status());

    /// <summary>Like Weaviate: one answer, then the stream ends.</summary>
    public override Task Watch(HealthCheckRequest request, IServerStreamWriter<HealthCheckResponse> responseStream, ServerCallContext context) =>
        responseStream.WriteAsync(Status());
}
