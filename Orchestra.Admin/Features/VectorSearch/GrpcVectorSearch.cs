using System.Diagnostics;
using Orchestra.Admin.Data.Weaviate.Grpc;

namespace Orchestra.Admin.Features.VectorSearch;

/// <summary><see cref="IVectorSearch"/> over Weaviate's gRPC <c>Search</c>, as Weaviate's current clients query; the schema still comes over REST.</summary>
public sealed class GrpcVectorSearch(IWeaviateGrpcClient grpc, SearchClasses classes) : IVectorSearch
{
    public const string Protocol = "gRPC";

    public Task<IReadOnlyList<string>> ClassNamesAsync(CancellationToken ct = default) => classes.NamesAsync(ct);

    public async Task<ClassSearchInfo> DescribeClassAsync(string className, CancellationToken ct = default) =>
        (await classes.GetAsync(className, ct)).Info;

    public async Task<SearchResult> SearchAsync(SearchRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (cls, info) = await classes.GetAsync(request.ClassName, ct);
        var sent = GrpcSearchQuery.Build(request, cls, info);

        var started = Stopwatch.GetTimestamp();
        var reply = await grpc.SearchAsync(sent, ct);
        var elapsed = Stopwatch.GetElapsedTime(started);

        return new SearchResult(GrpcSearchQuery.Show(sent, foldVectors: false), elapsed, GrpcSearchQuery.ReadHits(reply))
        {
            Protocol = Protocol,
            ShownQuery = GrpcSearchQuery.Show(sent),
        };
    }

    public async Task<string> PreviewAsync(SearchRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (cls, info) = await classes.GetAsync(request.ClassName, ct);
        return GrpcSearchQuery.Show(GrpcSearchQuery.Build(request, cls, info), foldVectors: false);
    }
}
