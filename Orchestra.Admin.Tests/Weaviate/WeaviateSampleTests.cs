using System.Text.Json.Nodes;
using Orchestra.Admin.Data.Weaviate;

namespace Orchestra.Admin.Tests.Weaviate;

/// <summary>
/// The client reads every example payload of the shared contract (../shared/weaviate/examples), served as the
/// real answer of its endpoint by a local HTTP server.
/// </summary>
public class WeaviateSampleTests : IAsyncLifetime
{
    private CannedWeaviate server = null!;

    public async Task InitializeAsync() => server = await CannedWeaviate.StartAsync();
    public async Task DisposeAsync() => await server.DisposeAsync();

    /// <summary>Every file of the folder, and what reads it here: a new example fails this until a test reads it.</summary>
    private static readonly Dictionary<string, string> Covered = new()
    {
        ["meta.json"] = nameof(Meta_sample),
        ["nodes-minimal.json"] = nameof(Minimal_nodes_sample_has_null_shards_and_no_stats),
        ["nodes-verbose.json"] = nameof(Verbose_nodes_sample),
        ["schema.json"] = nameof(Schema_sample),
        ["schema-empty.json"] = nameof(Empty_schema_sample),
        ["objects-list-cursor-page1.json"] = nameof(Cursor_pages_sample),
        ["objects-list-cursor-last-page.json"] = nameof(Cursor_pages_sample),
        ["object-create-response.json"] = nameof(Object_sample),
        ["graphql-nearvector-response.json"] = nameof(GraphQL_near_vector_sample),
        ["error-422.json"] = nameof(Error_422_sample),
        ["error-401-invalid-key.json"] = nameof(Error_401_sample),
        ["batch-objects-response.json"] = nameof(Batch_response_sample_reads_as_objects),
        // Requests: validated against the OpenAPI schema (the validator's positive control) in WeaviateRequestSchemaTests.
        ["graphql-nearvector-request.json"] = nameof(WeaviateRequestSchemaTests.The_shared_request_examples_validate),
        ["object-create-request.json"] = nameof(WeaviateRequestSchemaTests.The_shared_request_examples_validate),
        ["batch-objects-request.json"] = nameof(WeaviateRequestSchemaTests.The_shared_request_examples_validate),
    };

    [Fact]
    public void Every_example_file_is_read_by_a_test()
    {
        var files = Directory.GetFiles(WeaviateContract.ExamplesFolder, "*.json").Select(Path.GetFileName).Order().ToList();
        Assert.NotEmpty(files);
        Assert.Equal(Covered.Keys.Order(), files);
    }

    [Fact]
    public async Task Meta_sample()
    {
        server.On("GET /v1/meta", 200, WeaviateContract.Example("meta.json"));
        var meta = await server.Client().GetMetaAsync();
        Assert.Equal("1.39.0", meta.Version);
        Assert.Equal("http://[::]:8080", meta.Hostname);
        Assert.Equal(104858000, meta.GrpcMaxMessageSize);
        Assert.NotNull(meta.Modules);
        Assert.Empty(meta.Modules);
    }

    [Fact]
    public async Task Minimal_nodes_sample_has_null_shards_and_no_stats()
    {
        server.On("GET /v1/nodes", 200, WeaviateContract.Example("nodes-minimal.json"));
        var nodes = await server.Client().GetNodesAsync();
        var node = Assert.Single(nodes.Nodes);
        Assert.Equal("node1", node.Name);
        Assert.Equal(NodeHealth.Healthy, node.Health);
        Assert.True(node.Answered);
        Assert.Null(node.Shards);
        Assert.Null(node.Stats);
        Assert.Equal("adcffc5", node.GitHash);
        Assert.Equal("ReadWrite", node.OperationalMode);
        Assert.Equal(0, node.BatchStats!.QueueLength);
        Assert.Equal("?output=verbose", server.Requests.Single().QueryString);
    }

    [Fact]
    public async Task Verbose_nodes_sample()
    {
        server.On("GET /v1/nodes", 200, WeaviateContract.Example("nodes-verbose.json"));
        var node = Assert.Single((await server.Client().GetNodesAsync()).Nodes);
        Assert.Equal(new NodeStats { ObjectCount = 3, ShardCount = 1 }, node.Stats);
        var shard = Assert.Single(node.Shards!);
        Assert.Equal("Books", shard.ClassName);
        Assert.Equal("x3Ts9kQbPq2L", shard.Name);
        Assert.Equal(3, shard.ObjectCount);
        Assert.Equal(ShardStatuses.Ready, shard.VectorIndexingStatus);
        Assert.True(shard.Loaded);
        Assert.False(shard.IsUnloaded);
        Assert.False(shard.Compressed);
        Assert.Equal(0, shard.VectorQueueLength);
        Assert.Empty(shard.AsyncReplicationStatus!);
        Assert.Equal(1, shard.NumberOfReplicas);
        Assert.Equal(1, shard.ReplicationFactor);
    }

    [Fact]
    public async Task Schema_sample()
    {
        server.On("GET /v1/schema", 200, WeaviateContract.Example("schema.json"));
        var schema = await server.Client().GetSchemaAsync();
        var cls = Assert.Single(schema.Classes);
        Assert.Equal("Cosine_Class", cls.Name);
        Assert.Equal("cosine", cls.Distance);
        Assert.Equal("hnsw", cls.VectorIndexType);
        Assert.Equal("none", cls.Vectorizer);
        Assert.Empty(cls.NamedVectorDistances);
        var property = Assert.Single(cls.Properties);
        Assert.Equal("name", property.Name);
        Assert.Equal(["text"], property.DataType);
        Assert.Equal("whitespace", property.Tokenization);
        Assert.True(property.IndexSearchable);
        Assert.False(property.IndexRangeFilters);
        // Off-spec but sent: replicationConfig.asyncEnabled.
        Assert.Equal(new ReplicationConfig { Factor = 1, AsyncEnabled = false, DeletionStrategy = "TimeBasedResolution" }, cls.ReplicationConfig);
        Assert.False(cls.MultiTenancyConfig!.Enabled);
        Assert.Equal("murmur3", cls.ShardingConfig!["function"]!.GetValue<string>());
        Assert.Same(cls, schema.FindClass("Cosine_Class"));
        Assert.Null(schema.FindClass("cosine_Class"));
    }

    [Fact]
    public async Task Empty_schema_sample()
    {
        server.On("GET /v1/schema", 200, WeaviateContract.Example("schema-empty.json"));
        Assert.Empty((await server.Client().GetSchemaAsync()).Classes);
    }

    [Fact]
    public async Task Cursor_pages_sample()
    {
        server.OnSequence("GET /v1/objects",
            (200, WeaviateContract.Example("objects-list-cursor-page1.json")),
            (200, WeaviateContract.Example("objects-list-cursor-last-page.json")));
        var client = server.Client();

        var first = await client.ListObjectsAsync("Cosine_Class", limit: 2, includeVector: true);
        Assert.Equal(2, first.TotalResults);
        Assert.Equal([0.7f, 0.3f], first.Objects[0].Vector!);
        Assert.Equal("object_2", first.Objects[1].Properties!["name"]!.GetValue<string>());
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1755700000000), first.Objects[0].CreatedAt);
        var next = first.NextAfter(2);
        Assert.Equal(Guid.Parse("00000000-0000-0000-0000-000000000002"), next);

        var last = await client.ListObjectsAsync("Cosine_Class", limit: 2, after: next, includeVector: true);
        Assert.Empty(last.Objects);
        Assert.Null(last.TotalResults);
        Assert.Empty(last.Deprecations!);
        Assert.Null(last.NextAfter(2));

        var queries = server.Requests.Select(r => r.QueryString).ToList();
        Assert.Equal(["?class=Cosine_Class&limit=2&after=&include=vector",
                      "?class=Cosine_Class&limit=2&after=00000000-0000-0000-0000-000000000002&include=vector"], queries);
    }

    [Fact]
    public async Task Object_sample()
    {
        var id = Guid.Parse("00000000-0000-0000-0000-000000000004");
        server.On($"GET /v1/objects/Cosine_Class/{id}", 200, WeaviateContract.Example("object-create-response.json"));
        var obj = await server.Client().GetObjectAsync("Cosine_Class", id);
        Assert.NotNull(obj);
        Assert.Equal(id, obj.Id);
        Assert.Equal("Cosine_Class", obj.ClassName);
        Assert.Equal([1f, 1f], obj.Vector!);
        Assert.Equal("object_4", obj.Properties!["name"]!.GetValue<string>());
        Assert.Equal("?include=vector", server.Requests.Single().QueryString);
    }

    [Fact]
    public async Task GraphQL_near_vector_sample()
    {
        server.On("POST /v1/graphql", 200, WeaviateContract.Example("graphql-nearvector-response.json"));
        var query = JsonNode.Parse(WeaviateContract.Example("graphql-nearvector-request.json"))!["query"]!.GetValue<string>();
        var response = await server.Client().GraphQLAsync(query);
        Assert.Equal(query, JsonNode.Parse(server.Requests.Single().Body)!["query"]!.GetValue<string>());
        Assert.False(response.HasErrors);
        Assert.Same(response, response.EnsureNoErrors());
        var hits = response.Data!.Value.GetProperty("Get").GetProperty("Cosine_Class");
        Assert.Equal(4, hits.GetArrayLength());
        Assert.Equal(0.07152337, hits[2].GetProperty("_additional").GetProperty("distance").GetDouble(), 8);
        Assert.Equal("object_3", hits[3].GetProperty("name").GetString());
    }

    [Fact]
    public async Task Error_422_sample()
    {
        server.On("GET /v1/meta", 422, WeaviateContract.Example("error-422.json"));
        var e = await Assert.ThrowsAsync<WeaviateException>(() => server.Client().GetMetaAsync());
        Assert.Equal(WeaviateErrorKind.Rejected, e.Kind);
        Assert.Equal("id '8f0b9a1e-4f57-4e8b-9a44-3a3c1c1f0d2e' already exists", e.Message);
        Assert.Equal(422, e.StatusCode);
    }

    [Fact]
    public async Task Error_401_sample()
    {
        server.On("GET /v1/schema", 401, WeaviateContract.Example("error-401-invalid-key.json"));
        var e = await Assert.ThrowsAsync<WeaviateException>(() => server.Client(o => o.ApiKey = "wrong").GetSchemaAsync());
        Assert.Equal(WeaviateErrorKind.Unauthorized, e.Kind);
        Assert.Equal("API key rejected: unauthorized: invalid api key", e.Message);
    }

    [Fact]
    public void Batch_response_sample_reads_as_objects()
    {
        // Not an endpoint the client calls; the items are Objects plus a result the model ignores.
        var items = WeaviateJson.Deserialize<List<WeaviateObject>>(WeaviateContract.Example("batch-objects-response.json"))!;
        Assert.Equal(2, items.Count);
        Assert.Equal("NoSuchClass", items[1].ClassName);
        Assert.Null(items[1].Vector);
    }
}
