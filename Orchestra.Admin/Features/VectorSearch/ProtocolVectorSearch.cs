using Orchestra.Admin.Data.Weaviate.Grpc;

namespace Orchestra.Admin.Features.VectorSearch;

/// <summary>
/// The page's <see cref="IVectorSearch"/>: each search goes over the protocol <see cref="SearchProtocolChoice"/> picks,
/// gRPC or GraphQL (written from the same checked input), with the reason kept on the result when auto fell back.
/// </summary>
public sealed class ProtocolVectorSearch(IServiceProvider services, SearchProtocolChoice choice) : IVectorSearch
{
    private readonly SearchClasses classes = new(services);

    public Task<IReadOnlyList<string>> ClassNamesAsync(CancellationToken ct = default) => classes.NamesAsync(ct);

    public async Task<ClassSearchInfo> DescribeClassAsync(string className, CancellationToken ct = default) =>
        (await classes.GetAsync(className, ct)).Info;

    public async Task<SearchResult> SearchAsync(SearchRequest request, CancellationToken ct = default)
    {
        var (search, fallback) = await ChooseAsync(ct);
        var result = await search.SearchAsync(request, ct);
        return fallback == null ? result : result with { FallbackReason = fallback };
    }

    public async Task<string> PreviewAsync(SearchRequest request, CancellationToken ct = default) =>
        await (await ChooseAsync(ct)).Search.PreviewAsync(request, ct);

    private async Task<(IVectorSearch Search, string? Fallback)> ChooseAsync(CancellationToken ct)
    {
        var (grpc, fallback) = await choice.ChooseAsync(ct);
        return grpc != null ? (new GrpcVectorSearch(grpc, classes), null) : (new GraphQLVectorSearch(services, classes), fallback);
    }
}
