using Microsoft.Extensions.Options;
using Orchestra.Admin.Hosting;

namespace Orchestra.Admin.Data.Weaviate.Grpc;

/// <summary>
/// Which protocol searches and counts take (<c>OrchestraAdmin:Weaviate:SearchProtocol</c>): <c>grpc</c>, <c>graphql</c>, or
/// <c>auto</c> (the default) — gRPC when the server's gRPC health check answers SERVING, else GraphQL with the reason.
/// One health answer decides for <see cref="HealthFor"/>, for the whole app.
/// </summary>
public sealed class SearchProtocolChoice(IServiceProvider services, IOptions<OrchestraAdminOptions> settings)
{
    /// <summary>How long one gRPC health answer decides the protocol.</summary>
    public static readonly TimeSpan HealthFor = TimeSpan.FromSeconds(30);

    private readonly string protocol = settings.Value.Weaviate.SearchProtocol;
    private readonly TimeProvider clock = services.GetService<TimeProvider>() ?? TimeProvider.System;
    /// <summary>The last health answer and when it came; one reference, so every circuit reads it whole.</summary>
    private volatile HealthAnswer? lastHealth;

    private sealed record HealthAnswer(DateTimeOffset At, GrpcHealth Health);

    /// <summary>The gRPC client when the next call should take gRPC; otherwise null and, for auto, why not.</summary>
    public async Task<(IWeaviateGrpcClient? Grpc, string? FallbackReason)> ChooseAsync(CancellationToken ct = default)
    {
        if (protocol == "graphql") return (null, null);
        var grpc = services.GetService<IWeaviateGrpcClient>();
        if (grpc == null)
            return protocol == "grpc"
                ? throw new InvalidOperationException("Weaviate is not configured: set WEAVIATE_URL (and WEAVIATE_GRPC_URL).")
                : (null, "no gRPC endpoint is configured");
        if (protocol == "grpc") return (grpc, null);

        var now = clock.GetUtcNow();
        var known = lastHealth;
        if (known == null || now - known.At >= HealthFor)
        {
            known = new HealthAnswer(now, await grpc.CheckHealthAsync(ct));
            lastHealth = known;
        }
        return known.Health.Serving
            ? (grpc, null)
            : (null, $"gRPC at {grpc.Url.GetLeftPart(UriPartial.Authority)} is not usable ({known.Health.Detail})");
    }
}
