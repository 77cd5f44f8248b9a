using Microsoft.Extensions.Options;
using Orchestra.Admin.Data.Weaviate.Grpc;
using Orchestra.Admin.Hosting;

namespace Orchestra.Admin.Features.VectorSearch;

/// <summary>
/// The page's <see cref="IVectorSearch"/>: sends each search over the protocol <c>OrchestraAdmin:Weaviate:SearchProtocol</c>
/// names — <c>grpc</c>, <c>graphql</c>, or <c>auto</c> (the default): gRPC when the server's gRPC health check answers
/// SERVING, else GraphQL, with the reason kept on the result. The health answer is reused for <see cref="HealthFor"/>.
/// </summary>
public sealed class ProtocolVectorSearch : IVectorSearch
{
    /// <summary>How long one gRPC health answer decides the protocol.</summary>
    public static readonly TimeSpan HealthFor = TimeSpan.FromSeconds(30);

    private readonly GraphQLVectorSearch graphql;
    private readonly GrpcVectorSearch? grpc;
    private readonly IWeaviateGrpcClient? grpcClient;
    private readonly string protocol;
    private readonly TimeProvider clock;
    private (DateTimeOffset At, GrpcHealth Health)? lastHealth;

    public ProtocolVectorSearch(IServiceProvider services, IOptions<OrchestraAdminOptions> settings)
    {
        var classes = new SearchClasses(services);
        graphql = new GraphQLVectorSearch(services, classes);
        grpcClient = services.GetService<IWeaviateGrpcClient>();
        if (grpcClient != null) grpc = new GrpcVectorSearch(grpcClient, classes);
        protocol = settings.Value.Weaviate.SearchProtocol;
        clock = services.GetService<TimeProvider>() ?? TimeProvider.System;
    }

    public Task<IReadOnlyList<string>> ClassNamesAsync(CancellationToken ct = default) => graphql.ClassNamesAsync(ct);

    public Task<ClassSearchInfo> DescribeClassAsync(string className, CancellationToken ct = default) => graphql.DescribeClassAsync(className, ct);

    public async Task<SearchResult> SearchAsync(SearchRequest request, CancellationToken ct = default)
    {
        var (search, fallback) = await ChooseAsync(ct);
        var result = await search.SearchAsync(request, ct);
        return fallback == null ? result : result with { FallbackReason = fallback };
    }

    public async Task<string> PreviewAsync(SearchRequest request, CancellationToken ct = default) =>
        await (await ChooseAsync(ct)).Search.PreviewAsync(request, ct);

    /// <summary>The protocol for the next search, and why auto fell back to GraphQL when it did.</summary>
    private async Task<(IVectorSearch Search, string? Fallback)> ChooseAsync(CancellationToken ct)
    {
        if (protocol == "graphql") return (graphql, null);
        if (grpc == null || grpcClient == null)
            return protocol == "grpc"
                ? throw new InvalidOperationException("Weaviate is not configured: set WEAVIATE_URL (and WEAVIATE_GRPC_URL).")
                : (graphql, "no gRPC endpoint is configured");
        if (protocol == "grpc") return (grpc, null);

        var now = clock.GetUtcNow();
        if (lastHealth is not { } known || now - known.At >= HealthFor)
        {
            known = (now, await grpcClient.CheckHealthAsync(ct));
            lastHealth = known;
        }
        return known.Health.Serving
            ? (grpc, null)
            : (graphql, $"gRPC at {grpcClient.Url.GetLeftPart(UriPartial.Authority)} is not usable ({known.Health.Detail})");
    }
}
