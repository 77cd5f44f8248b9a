using System.Text.Json;
using Microsoft.Extensions.Options;
using Orchestra.Admin.Data.Weaviate;
using Orchestra.Admin.Features.Overview;
using Orchestra.Admin.Hosting;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.Features.Weaviate;

/// <summary>Live/ready, the server's identity and modules; <see cref="IsEmulator"/> when it is our own emulator.</summary>
public sealed record WeaviateServer(bool Live, bool Ready, string? Version, string? Hostname, IReadOnlyList<string> Modules, bool IsEmulator)
{
    /// <summary>Weaviate's gRPC endpoint ("http://host:50051") and what its health check said; null when not asked.</summary>
    public Uri? GrpcUrl { get; init; }
    public Data.Weaviate.Grpc.GrpcHealth? Grpc { get; init; }
}

/// <summary>A class of the schema with its object count (null with the reason when it could not be counted).</summary>
public sealed record WeaviateClassSummary(WeaviateClass Class, long? ObjectCount, string? CountError);

/// <summary>A page of objects and the cursor of the next one (null on the last page).</summary>
public sealed record WeaviateObjectPage(IReadOnlyList<WeaviateObject> Objects, Guid? NextAfter);

public interface IWeaviateService
{
    /// <summary>False when WEAVIATE_URL is not set: the pages say so instead of failing.</summary>
    bool IsConfigured { get; }
    Task<WeaviateServer> GetServerAsync(CancellationToken ct = default);
    Task<IReadOnlyList<NodeStatus>> GetNodesAsync(CancellationToken ct = default);
    Task<ClusterStatisticsResponse> GetClusterAsync(CancellationToken ct = default);
    Task<IReadOnlyList<WeaviateClassSummary>> GetClassesAsync(CancellationToken ct = default);
    Task<WeaviateObjectPage> ListObjectsAsync(string className, int limit, Guid? after, CancellationToken ct = default);
    Task<WeaviateObject?> GetObjectAsync(string className, Guid id, CancellationToken ct = default);
    /// <summary>Operator action: a READONLY shard back to READY, audited with the status it had.</summary>
    Task<ActionResult> SetShardReadyAsync(string className, string shardName, CancellationToken ct = default);
}

/// <summary>The Weaviate pages' data, over <see cref="IWeaviateClient"/> (registered only when Weaviate is configured).</summary>
public sealed class WeaviateService(IServiceProvider services, OperatorActions actions, ICurrentOperator currentOperator) : IWeaviateService
{
    /// <summary>The emulator's mark in GET /v1/meta: a module of this name (see tools/Orchestra.WeaviateEmulator).</summary>
    public const string EmulatorModule = "orchestra-emulator";
    public const int MaxPageSize = 500;

    private IWeaviateClient Client => services.GetService<IWeaviateClient>()
        ?? throw new InvalidOperationException("Weaviate is not configured: set WEAVIATE_URL.");

    public bool IsConfigured => services.GetService<IWeaviateClient>() != null;

    public async Task<WeaviateServer> GetServerAsync(CancellationToken ct = default)
    {
        var live = await Client.IsLiveAsync(ct);
        var ready = await Client.IsReadyAsync(ct);
        var meta = await Client.GetMetaAsync(ct);
        var modules = meta.Modules?.Select(m => m.Key).Order(StringComparer.Ordinal).ToList() ?? [];
        var grpc = services.GetService<Data.Weaviate.Grpc.IWeaviateGrpcClient>();
        return new WeaviateServer(live, ready, meta.Version, meta.Hostname, modules, modules.Contains(EmulatorModule))
        {
            GrpcUrl = grpc?.Url,
            Grpc = grpc == null ? null : await grpc.CheckHealthAsync(ct),
        };
    }

    public async Task<IReadOnlyList<NodeStatus>> GetNodesAsync(CancellationToken ct = default) =>
        (await Client.GetNodesAsync(ct: ct)).Nodes;

    public Task<ClusterStatisticsResponse> GetClusterAsync(CancellationToken ct = default) => Client.GetClusterStatisticsAsync(ct);

    public async Task<IReadOnlyList<WeaviateClassSummary>> GetClassesAsync(CancellationToken ct = default)
    {
        var schema = await Client.GetSchemaAsync(ct);
        var names = schema.Classes.Select(c => c.Name).OfType<string>().ToList();
        var counts = names.Count == 0 ? [] : (await CountObjectsAsync(names, ct)).ToDictionary(c => c.ClassName);
        return schema.Classes
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => counts.TryGetValue(c.Name ?? "", out var n) ? new WeaviateClassSummary(c, n.Count, n.Error) : new WeaviateClassSummary(c, null, "not counted"))
            .ToList();
    }

    /// <summary>Each class's object count: gRPC Aggregate per class where gRPC is the protocol, else one GraphQL Aggregate for all.</summary>
    private async Task<IReadOnlyList<ClassObjectCount>> CountObjectsAsync(IReadOnlyList<string> names, CancellationToken ct)
    {
        var (grpc, _) = await services.GetRequiredService<Data.Weaviate.Grpc.SearchProtocolChoice>().ChooseAsync(ct);
        if (grpc == null) return await Client.CountObjectsAsync(names, ct);
        return await Task.WhenAll(names.Select(async name =>
        {
            try
            {
                return new ClassObjectCount(name, await grpc.CountObjectsAsync(name, ct), null);
            }
            catch (WeaviateException e) when (e.Kind is WeaviateErrorKind.Rejected or WeaviateErrorKind.NotFound)
            {
                return new ClassObjectCount(name, null, e.Message); // that class only (e.g. multi-tenant): the others still count
            }
        }));
    }

    public async Task<WeaviateObjectPage> ListObjectsAsync(string className, int limit, Guid? after, CancellationToken ct = default)
    {
        if (limit is < 1 or > MaxPageSize) throw new InvalidInputException("limit", $"The page size must be between 1 and {MaxPageSize}.");
        var page = await Client.ListObjectsAsync(className, limit, after, includeVector: false, ct);
        return new WeaviateObjectPage(page.Objects, page.NextAfter(limit));
    }

    public Task<WeaviateObject?> GetObjectAsync(string className, Guid id, CancellationToken ct = default) =>
        Client.GetObjectAsync(className, id, includeVector: true, ct);

    public async Task<ActionResult> SetShardReadyAsync(string className, string shardName, CancellationToken ct = default)
    {
        var actor = await currentOperator.GetAsync();
        string? previous = null;
        return await actions.RunAsync(actor,
            new OperatorAction("weaviate.shard.set-ready", $"weaviate:{className}", [shardName], new { status = ShardStatuses.Ready }),
            async (_, _, token) =>
            {
                var shard = (await Client.GetShardsAsync(className, token)).FirstOrDefault(s => s.Name == shardName)
                    ?? throw new InvalidInputException("shard", $"Class {className} has no shard {shardName}.");
                previous = shard.Status;
                if (shard.Status != ShardStatuses.ReadOnly) return new ChangeOutcome(0, JsonSerializer.Serialize(new { status = previous }));
                await Client.UpdateShardStatusAsync(className, shardName, ShardStatuses.Ready, token);
                return new ChangeOutcome(1, JsonSerializer.Serialize(new { status = previous }));
            },
            validate: () =>
            {
                if (WeaviateNames.ClassNameProblem(className) is { } problem) throw new InvalidInputException("class", problem);
            },
            ct);
    }
}

/// <summary>How a node's and a shard's state read on the page: OK, warning or critical, and what it means.</summary>
public static class WeaviateStates
{
    public static StatusLevel NodeLevel(NodeStatus node) => node.Health switch
    {
        NodeHealth.Healthy => StatusLevel.Ok,
        NodeHealth.Unknown => StatusLevel.Warning,
        _ => StatusLevel.Critical,
    };

    public static string NodeMeaning(NodeStatus node) => node.Health switch
    {
        NodeHealth.Healthy => "answering and in the cluster",
        NodeHealth.Unhealthy => "answers, but reports a problem (cluster health score above 0)",
        NodeHealth.Unavailable => "could not be reached by the node that answered",
        NodeHealth.Timeout => "did not answer in time",
        _ => $"status {node.Status} is not one this dashboard knows",
    };

    public static StatusLevel ShardLevel(NodeShardStatus shard) => shard.VectorIndexingStatus switch
    {
        ShardStatuses.Ready => StatusLevel.Ok,
        ShardStatuses.ReadOnly or ShardStatuses.Shutdown => StatusLevel.Critical,
        ShardStatuses.LazyLoading when shard.IsUnloaded => StatusLevel.Ok,
        _ => StatusLevel.Warning,
    };

    public static string? ShardMeaning(NodeShardStatus shard) => shard.VectorIndexingStatus switch
    {
        ShardStatuses.ReadOnly => "Writes are refused. Weaviate sets this itself when the disk is nearly full "
            + "(DISK_USE_READONLY_PERCENTAGE, default 90 %) or after a failed write; free disk space first, then set it back to READY.",
        ShardStatuses.Indexing => "Vectors are still being indexed (see the queue length); searches may miss the newest objects.",
        ShardStatuses.Loading => "The shard is loading from disk.",
        ShardStatuses.LazyLoading => "Loaded on first use; its object count reads 0 until then.",
        ShardStatuses.Shutdown => "The shard is shut down.",
        _ => null,
    };
}
