using Orchestra.Admin.Data.Weaviate;
using Orchestra.Admin.Sampling;

namespace Orchestra.Admin.Features.Weaviate;

/// <summary>
/// Weaviate's part of a sampler round, from one GET /v1/nodes?output=verbose: node health (in total and per
/// node, so the history shows when a node went UNHEALTHY), object counts (in total and per class) and
/// READONLY shards. Registered only when Weaviate is configured.
/// </summary>
public sealed class WeaviateMetricSource(IServiceProvider services, ILogger<WeaviateMetricSource> logger) : IMetricSource
{
    public const string Reachable = "weaviate.reachable";
    public const string NodesHealthy = "weaviate.nodes.healthy";
    public const string NodesNotHealthy = "weaviate.nodes.not_healthy";
    public const string Objects = "weaviate.objects";
    public const string ReadOnlyShards = "weaviate.shards.readonly";
    public const string NodeHealthyPrefix = "weaviate.node.healthy:";
    public const string ClassObjectsPrefix = "weaviate.class.objects:";

    public async Task<IReadOnlyDictionary<string, double>> ReadAsync(CancellationToken ct)
    {
        NodesStatusResponse response;
        try
        {
            // A typed HttpClient is transient: one per round.
            response = await services.GetRequiredService<IWeaviateClient>().GetNodesAsync(ct: ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogWarning("Sampler: Weaviate nodes not read: {Error}", e.Message);
            return new Dictionary<string, double> { [Reachable] = 0 };
        }
        return Measure(response);
    }

    internal static Dictionary<string, double> Measure(NodesStatusResponse response)
    {
        var nodes = response.Nodes;
        var shards = nodes.Where(n => n.Answered).SelectMany(n => n.Shards ?? []).ToList();
        var values = new Dictionary<string, double>
        {
            [Reachable] = 1,
            [NodesHealthy] = nodes.Count(n => n.Health == NodeHealth.Healthy),
            [NodesNotHealthy] = nodes.Count(n => n.Health != NodeHealth.Healthy),
            [Objects] = nodes.Where(n => n.Answered).Sum(n => n.Stats?.ObjectCount ?? (n.Shards ?? []).Sum(s => s.ObjectCount)),
            [ReadOnlyShards] = shards.Count(s => s.VectorIndexingStatus == ShardStatuses.ReadOnly),
        };
        foreach (var node in nodes.Where(n => n.Name != null))
            values[NodeHealthyPrefix + node.Name] = node.Health == NodeHealth.Healthy ? 1 : 0;
        foreach (var byClass in shards.Where(s => s.ClassName != null).GroupBy(s => s.ClassName!))
            values[ClassObjectsPrefix + byClass.Key] = byClass.Sum(s => s.ObjectCount);
        return values;
    }
}
