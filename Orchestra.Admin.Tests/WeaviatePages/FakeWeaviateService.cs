using Orchestra.Admin.Data.Weaviate;
using Orchestra.Admin.Features.Weaviate;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.Tests.WeaviatePages;

/// <summary>The Weaviate pages' service with answers a component test sets.</summary>
public sealed class FakeWeaviateService : IWeaviateService
{
    public bool IsConfigured { get; set; } = true;
    public WeaviateServer Server { get; set; } = new(true, true, "1.40.0", "http://[::]:8080", ["text2vec-openai"], false);
    public NodesStatusResponse Nodes { get; set; } = new();
    public IReadOnlyList<WeaviateClassSummary> Classes { get; set; } = [];
    /// <summary>All objects of every class, in id order; pages are cut from it as the cursor API does.</summary>
    public List<WeaviateObject> Objects { get; } = [];
    public List<(string Class, string Shard)> SetReadyCalls { get; } = [];

    public Task<WeaviateServer> GetServerAsync(CancellationToken ct = default) => Task.FromResult(Server);
    public Task<IReadOnlyList<NodeStatus>> GetNodesAsync(CancellationToken ct = default) => Task.FromResult(Nodes.Nodes);
    public Task<ClusterStatisticsResponse> GetClusterAsync(CancellationToken ct = default) => Task.FromResult(new ClusterStatisticsResponse());
    public Task<IReadOnlyList<WeaviateClassSummary>> GetClassesAsync(CancellationToken ct = default) => Task.FromResult(Classes);

    public Task<WeaviateObjectPage> ListObjectsAsync(string className, int limit, Guid? after, CancellationToken ct = default)
    {
        var page = Objects.Where(o => o.ClassName == className && (after == null || o.Id!.Value.CompareTo(after.Value) > 0))
            .OrderBy(o => o.Id).Take(limit).ToList();
        return Task.FromResult(new WeaviateObjectPage(page, page.Count == limit ? page[^1].Id : null));
    }

    public Task<WeaviateObject?> GetObjectAsync(string className, Guid id, CancellationToken ct = default) =>
        Task.FromResult(Objects.FirstOrDefault(o => o.ClassName == className && o.Id == id));

    public Task<ActionResult> SetShardReadyAsync(string className, string shardName, CancellationToken ct = default)
    {
        SetReadyCalls.Add((className, shardName));
        return Task.FromResult(new ActionResult(1, 1));
    }
}
