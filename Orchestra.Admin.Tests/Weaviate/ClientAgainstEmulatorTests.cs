using Microsoft.Extensions.DependencyInjection;
using Orchestra.Admin.Data.Weaviate;
using Orchestra.Admin.Hosting;
using EmulatorOptions = Orchestra.WeaviateEmulator.EmulatorOptions;
using RunningEmulator = Orchestra.WeaviateEmulator.RunningEmulator;

namespace Orchestra.Admin.Tests.Weaviate;

/// <summary>
/// The client end to end against the emulator (a real HTTP server speaking Weaviate's protocol): every call
/// the pages make, with the API key the emulator requires. The emulator is not a real Weaviate; both are
/// checked against Weaviate's OpenAPI schema in their own tests.
/// </summary>
public sealed class ClientAgainstEmulatorTests : IAsyncLifetime
{
    private const int Objects = 120;
    private const string ApiKey = "test-key";
    private RunningEmulator emulator = null!;
    private IWeaviateClient client = null!;

    public async Task InitializeAsync()
    {
        emulator = await RunningEmulator.StartAsync(new EmulatorOptions { DemoObjects = Objects, ApiKey = ApiKey, Nodes = 2 });
        client = Client(ApiKey);
    }

    public async Task DisposeAsync() => await emulator.DisposeAsync();

    private IWeaviateClient Client(string? apiKey)
    {
        var settings = new OrchestraAdminOptions { Weaviate = { Url = emulator.Url, ApiKey = apiKey, RetryCount = 0 } };
        return new ServiceCollection().AddLogging().AddWeaviateClient(settings).BuildServiceProvider().GetRequiredService<IWeaviateClient>();
    }

    [Fact]
    public async Task Meta_nodes_and_shards_agree_with_the_objects_stored()
    {
        var meta = await client.GetMetaAsync();
        Assert.True(meta.Modules!.ContainsKey("orchestra-emulator"));

        var nodes = (await client.GetNodesAsync()).Nodes;
        Assert.Equal(["node1", "node2"], nodes.Select(n => n.Name));
        Assert.All(nodes, n => Assert.Equal(NodeHealth.Healthy, n.Health));
        Assert.Equal(Objects, nodes.Sum(n => n.Stats!.ObjectCount));
        Assert.Equal(Objects, nodes.SelectMany(n => n.Shards!).Where(s => s.ClassName == "Memory").Sum(s => s.ObjectCount));

        var shards = await client.GetShardsAsync("Memory");
        Assert.Equal(2, shards.Count);
        Assert.All(shards, s => Assert.Equal(ShardStatuses.Ready, s.Status));
        Assert.Equal(Objects, await client.CountObjectsAsync("Memory"));
    }

    [Fact]
    public async Task The_cursor_visits_every_object_once_in_id_order()
    {
        var seen = new List<Guid>();
        Guid? after = null;
        do
        {
            var page = await client.ListObjectsAsync("Memory", 50, after);
            seen.AddRange(page.Objects.Select(o => o.Id!.Value));
            after = page.NextAfter(50);
        } while (after != null);

        Assert.Equal(Objects, seen.Count);
        Assert.Equal(seen.OrderBy(id => id.ToString(), StringComparer.Ordinal), seen);
        var one = await client.GetObjectAsync("Memory", seen[7]);
        Assert.Equal(384, one!.Vector!.Length);
        Assert.Null(await client.GetObjectAsync("Memory", Guid.Empty));
    }

    [Fact]
    public async Task The_schema_names_the_distance_metric_and_properties()
    {
        var memory = (await client.GetSchemaAsync()).FindClass("Memory")!;
        Assert.Equal("cosine", memory.Distance);
        Assert.Equal(["content", "metadata", "timestamp"], memory.Properties.Select(p => p.Name).Order());
        Assert.Null(await client.GetClassAsync("Nope"));
    }

    [Fact]
    public async Task A_readonly_shard_is_reported_and_set_back_to_ready()
    {
        emulator.Faults.SetShardReadOnly("Memory");
        var shard = (await client.GetShardsAsync("Memory"))[0];
        Assert.Equal(ShardStatuses.ReadOnly, shard.Status);
        Assert.Contains((await client.GetNodesAsync()).Nodes.SelectMany(n => n.Shards!), s => s.VectorIndexingStatus == ShardStatuses.ReadOnly);

        await client.UpdateShardStatusAsync("Memory", shard.Name!, ShardStatuses.Ready);

        Assert.Equal(ShardStatuses.Ready, (await client.GetShardsAsync("Memory")).Single(s => s.Name == shard.Name).Status);
    }

    [Fact]
    public async Task Errors_arrive_as_clear_messages()
    {
        var noKey = await Assert.ThrowsAsync<WeaviateException>(() => Client(null).GetMetaAsync());
        Assert.Equal(WeaviateErrorKind.Unauthorized, noKey.Kind);
        Assert.Contains("WEAVIATE_API_KEY", noKey.Message);
        var wrongKey = await Assert.ThrowsAsync<WeaviateException>(() => Client("wrong").GetMetaAsync());
        Assert.StartsWith("API key rejected", wrongKey.Message);

        var graphQL = await client.GraphQLAsync("{ Get { Nope { content } } }");
        Assert.True(graphQL.HasErrors); // HTTP 200 with errors
        Assert.Throws<WeaviateException>(() => graphQL.EnsureNoErrors());

        emulator.Faults.StatusCode = 500;
        emulator.Faults.StatusMessage = "disk I/O error";
        try
        {
            var e = await Assert.ThrowsAsync<WeaviateException>(() => client.GetSchemaAsync());
            Assert.Equal((WeaviateErrorKind.ServerError, "disk I/O error"), (e.Kind, e.Message));
        }
        finally
        {
            emulator.Faults.Reset();
        }
    }
}
