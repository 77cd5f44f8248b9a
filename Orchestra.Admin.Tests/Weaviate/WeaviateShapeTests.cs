using Microsoft.AspNetCore.Http;
using Orchestra.Admin.Components.Controls;
using Orchestra.Admin.Data.Weaviate;

namespace Orchestra.Admin.Tests.Weaviate;

/// <summary>Shapes ENDPOINTS.md describes without an example, and the three error formats, read by the real client.</summary>
public class WeaviateShapeTests : IAsyncLifetime
{
    private CannedWeaviate server = null!;

    public async Task InitializeAsync() => server = await CannedWeaviate.StartAsync();
    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task A_cluster_with_unhealthy_unreachable_and_unknown_nodes_reads_whole()
    {
        server.On("GET /v1/nodes", 200, """
            {"nodes":[
              {"batchStats":{"ratePerSecond":12.5},"gitHash":"adcffc5","name":"node1","operationalMode":"ReadWrite",
               "shards":[
                 {"asyncReplicationStatus":[{"objectsPropagated":18446744073709551615,"startDiffTimeUnixMillis":1755700000000,"targetNode":"node2"}],
                  "class":"Memory","compressed":true,"loaded":true,"name":"s1","numberOfReplicas":2,"objectCount":5000000000,
                  "replicationFactor":2,"vectorIndexingStatus":"INDEXING","vectorQueueLength":42},
                 {"asyncReplicationStatus":null,"class":"Memory","compressed":false,"loaded":false,"name":"tenantA",
                  "objectCount":0,"vectorIndexingStatus":"LAZY_LOADING","vectorQueueLength":0},
                 {"class":"Old","name":"s0","objectCount":7,"vectorIndexingStatus":"READONLY","compressed":false,"vectorQueueLength":0}
               ],
               "stats":{"objectCount":5000000007,"shardCount":3},"status":"HEALTHY","version":"1.39.0","someFutureField":{"x":1}},
              {"batchStats":{"queueLength":3,"ratePerSecond":0},"gitHash":"adcffc5","name":"node2","shards":[],
               "stats":{"objectCount":0,"shardCount":0},"status":"UNHEALTHY","version":"1.39.0"},
              {"name":"node3","shards":null,"status":"UNAVAILABLE"},
              {"name":"node4","shards":null,"status":"TIMEOUT"},
              {"name":"node5","shards":null,"status":"DRAINING"},
              {"name":"node6","shards":null}
            ]}
            """);

        var nodes = (await server.Client().GetNodesAsync()).Nodes;

        Assert.Equal([NodeHealth.Healthy, NodeHealth.Unhealthy, NodeHealth.Unavailable, NodeHealth.Timeout, NodeHealth.Unknown, NodeHealth.Healthy],
            nodes.Select(n => n.Health));
        Assert.Equal([true, true, false, false, false, true], nodes.Select(n => n.Answered));
        Assert.Equal("DRAINING", nodes[4].Status); // kept as sent
        Assert.All(nodes.Skip(2), n => Assert.Null(n.Shards));
        Assert.All(nodes.Skip(2), n => Assert.Null(n.Version));
        Assert.All(nodes.Skip(2), n => Assert.Null(n.Stats));
        Assert.Equal("UNHEALTHY", nodes[1].Status);
        Assert.Empty(nodes[1].Shards!);

        var node1 = nodes[0];
        Assert.Null(node1.BatchStats!.QueueLength); // omitted when async indexing is on
        Assert.Equal(12.5, node1.BatchStats.RatePerSecond);
        Assert.Equal(5_000_000_007, node1.Stats!.ObjectCount); // beyond int32

        var (loaded, lazy, old) = (node1.Shards![0], node1.Shards[1], node1.Shards[2]);
        Assert.Equal(5_000_000_000, loaded.ObjectCount);
        Assert.Equal(ulong.MaxValue, loaded.AsyncReplicationStatus!.Single().ObjectsPropagated);
        Assert.Equal("node2", loaded.AsyncReplicationStatus![0].TargetNode);
        Assert.False(loaded.IsUnloaded);

        Assert.True(lazy.IsUnloaded);
        Assert.False(lazy.Loaded);
        Assert.Null(lazy.AsyncReplicationStatus);
        Assert.Null(lazy.NumberOfReplicas);

        // A server before v1.32: no loaded, no replication fields.
        Assert.Null(old.Loaded);
        Assert.False(old.IsUnloaded);
        Assert.Null(old.AsyncReplicationStatus);
        Assert.Null(old.ReplicationFactor);
        Assert.Equal(ShardStatuses.ReadOnly, old.VectorIndexingStatus);
    }

    [Fact]
    public async Task Nodes_of_one_class_go_to_the_class_path_verbose()
    {
        server.On("GET /v1/nodes/Memory", 200, """{"nodes":[]}""");
        Assert.Empty((await server.Client().GetNodesAsync("Memory")).Nodes);
        Assert.Equal("/v1/nodes/Memory?output=verbose", server.Requests.Single().RawTarget);
    }

    [Fact]
    public async Task Cluster_statistics_read_with_missing_false_booleans_and_unreachable_nodes()
    {
        server.On("GET /v1/cluster/statistics", 200, """
            {"statistics":[
              {"bootstrapped":true,"candidates":{},"dbLoaded":true,"initialLastAppliedIndex":41,"isVoter":true,
               "leaderAddress":"10.0.0.1:8300","leaderId":"node1","name":"node1","open":true,
               "raft":{"appliedIndex":"123","commitIndex":"123","fsmPending":"0","lastContact":"0","lastLogIndex":"123",
                       "lastLogTerm":"2","lastSnapshotIndex":"0","lastSnapshotTerm":"0",
                       "latestConfiguration":[{"address":"10.0.0.1:8300","id":"node1","suffrage":0},{"address":"10.0.0.2:8300","id":"node2","suffrage":0}],
                       "latestConfigurationIndex":"0","numPeers":"1","protocolVersion":"3","protocolVersionMax":"3",
                       "protocolVersionMin":"0","snapshotVersionMax":"1","snapshotVersionMin":"0","state":"Leader","term":"2"},
               "ready":true,"status":"HEALTHY"},
              {"name":"node2","status":"HEALTHY","leaderId":"node1","raft":{"appliedIndex":120,"state":"Follower"}},
              {"name":"node3","status":"UNAVAILABLE"}
            ],"synchronized":false}
            """);

        var stats = await server.Client().GetClusterStatisticsAsync();

        Assert.False(stats.Synchronized);
        Assert.Equal(3, stats.Statistics.Count);
        var (leader, follower, gone) = (stats.Statistics[0], stats.Statistics[1], stats.Statistics[2]);
        Assert.True(leader.IsVoter && leader.Ready && leader.Open && leader.DbLoaded && leader.Bootstrapped);
        Assert.Equal("node1", leader.LeaderId);
        Assert.Equal("10.0.0.1:8300", leader.LeaderAddress);
        Assert.Equal(41ul, leader.InitialLastAppliedIndex);
        Assert.Equal("123", leader.Raft!.AppliedIndex);
        Assert.Equal("Leader", leader.Raft.State);
        Assert.Equal(2, leader.Raft.LatestConfiguration!.Value.GetArrayLength());
        // Omitted booleans are false; a number where a string is documented reads as its text.
        Assert.False(follower.IsVoter || follower.Ready || follower.Open);
        Assert.Equal("120", follower.Raft!.AppliedIndex);
        Assert.Equal(NodeHealth.Unavailable, gone.Health);
        Assert.Null(gone.Raft);
    }

    [Fact]
    public async Task A_schema_with_null_classes_or_properties_and_named_vectors_reads()
    {
        server.On("GET /v1/schema", 200, """{"classes":null}""");
        Assert.Empty((await server.Client().GetSchemaAsync()).Classes);

        server.On("GET /v1/schema", 200, """
            {"classes":[{"class":"Memory","properties":null,
              "vectorConfig":{"text":{"vectorizer":{"none":{}},"vectorIndexType":"hnsw","vectorIndexConfig":{"distance":"dot"}},
                              "image":{"vectorizer":{"none":{}},"vectorIndexType":"flat","vectorIndexConfig":{"distance":"l2-squared"}}},
              "objectTtlConfig":{"enabled":false}}]}
            """);
        var memory = (await server.Client().GetSchemaAsync()).Classes.Single();
        Assert.Empty(memory.Properties);
        Assert.Null(memory.Distance);
        Assert.Equal("dot", memory.NamedVectorDistances["text"]);
        Assert.Equal("l2-squared", memory.NamedVectorDistances["image"]);
    }

    [Fact]
    public async Task Shards_of_a_class_and_setting_a_shard_status()
    {
        server.On("GET /v1/schema/Memory/shards", 200, """
            [{"name":"s1","status":"READONLY","vectorQueueSize":0,"per_node_status":{"node1":"READONLY","node2":"READY"}}]
            """);
        server.On("PUT /v1/schema/Memory/shards/s1", 200, """{"status":"READY"}""");
        var client = server.Client();

        var shard = Assert.Single(await client.GetShardsAsync("Memory"));
        Assert.Equal("READONLY", shard.Status);
        Assert.Equal("READY", shard.PerNodeStatus!["node2"]);

        var updated = await client.UpdateShardStatusAsync("Memory", "s1", ShardStatuses.Ready);
        Assert.Equal("READY", updated.Status);
        var put = server.Requests.Last();
        Assert.Equal("""{"status":"READY"}""", put.Body);
        Assert.Equal("application/json", put.ContentType);
    }

    [Fact]
    public async Task Unknown_class_and_object_read_as_null_from_an_empty_404()
    {
        var id = Guid.NewGuid();
        server.On("GET /v1/schema/Nope", 404);
        server.On($"GET /v1/objects/Nope/{id}", 404);
        var client = server.Client();
        Assert.Null(await client.GetClassAsync("Nope"));
        Assert.Null(await client.GetObjectAsync("Nope", id));
    }

    public static TheoryData<int, string?, string, WeaviateErrorKind, string> ErrorFormats => new()
    {
        // Weaviate's ErrorResponse.
        { 500, """{"error":[{"message":"list objects: search index memory: shard s1: disk full"}]}""", "text/plain", WeaviateErrorKind.ServerError, "list objects: search index memory: shard s1: disk full" },
        { 422, """{"error":[{"message":"first"},{"message":"second"}]}""", "application/json", WeaviateErrorKind.Rejected, "first; second" },
        // go-openapi {code, message}: a validation code (6xx) in the body, HTTP 422.
        { 422, """{"code":602,"message":"output in query should be one of [minimal verbose]"}""", "application/json", WeaviateErrorKind.Rejected, "output in query should be one of [minimal verbose]" },
        // ErrorResponse without any message: the go-openapi fallback, then the status.
        { 400, """{"error":[{}]}""", "application/json", WeaviateErrorKind.Rejected, "Weaviate answered 400 Bad Request to GET /v1/meta" },
        // Empty body.
        { 500, null, "application/json", WeaviateErrorKind.ServerError, "Weaviate answered 500 Internal Server Error to GET /v1/meta" },
        { 404, null, "application/json", WeaviateErrorKind.NotFound, "not found: GET /v1/meta" },
        // Raw text.
        { 500, "something broke\n", "text/plain", WeaviateErrorKind.ServerError, "something broke" },
        { 502, "<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html", WeaviateErrorKind.ServerError, "Weaviate answered 502 Bad Gateway to GET /v1/meta" },
        { 429, """{"errorCode":"USAGE_LIMIT_EXCEEDED","limit":"objects","value":100,"message":"usage limit exceeded"}""", "application/json", WeaviateErrorKind.Rejected, "usage limit exceeded" },
        // RBAC.
        { 403, """{"error":[{"message":"authorization, forbidden action: user 'ops' has insufficient permissions to read_cluster [meta]"}]}""", "application/json",
            WeaviateErrorKind.Forbidden, "permission denied: authorization, forbidden action: user 'ops' has insufficient permissions to read_cluster [meta]" },
        { 403, null, "application/json", WeaviateErrorKind.Forbidden, "permission denied for GET /v1/meta" },
    };

    [Theory]
    [MemberData(nameof(ErrorFormats))]
    public async Task Each_error_format_gives_the_servers_words(int status, string? body, string contentType, WeaviateErrorKind kind, string message)
    {
        server.On("GET /v1/meta", status, body, contentType);
        var e = await Assert.ThrowsAsync<WeaviateException>(() => server.Client(o => o.RetryCount = 0).GetMetaAsync());
        Assert.Equal(kind, e.Kind);
        Assert.Equal(message, e.Message);
        Assert.Equal(status, e.StatusCode);
        Assert.Equal("GET /v1/meta", e.Request);
        Assert.Equal(message, ErrorMessages.Describe(e));
    }

    [Fact]
    public async Task A_404_with_an_empty_body_on_a_listing_names_the_missing_class()
    {
        server.On("GET /v1/objects", 404);
        var e = await Assert.ThrowsAsync<WeaviateException>(() => server.Client().ListObjectsAsync("Nope", 10));
        Assert.Equal(WeaviateErrorKind.NotFound, e.Kind);
        Assert.Equal("no class 'Nope' in Weaviate's schema", e.Message);
    }

    [Fact]
    public async Task No_key_where_one_is_required_says_to_set_it()
    {
        // The anonymous-access 401: hand-written JSON with a stray space and no Content-Type.
        server.On("GET /v1/schema", (ctx, _) =>
        {
            ctx.Response.StatusCode = 401;
            return ctx.Response.WriteAsync("""{"code":401,"message": "anonymous access not enabled. Please authenticate through one of the available methods: [API-keys]" }""");
        });
        var e = await Assert.ThrowsAsync<WeaviateException>(() => server.Client().GetSchemaAsync());
        Assert.Equal(WeaviateErrorKind.Unauthorized, e.Kind);
        Assert.Equal("this Weaviate requires an API key: set WEAVIATE_API_KEY", e.Message);
        Assert.StartsWith("anonymous access not enabled", e.ServerMessage);
    }

    [Fact]
    public async Task A_key_sent_to_a_server_without_authentication_says_to_unset_it()
    {
        server.On("GET /v1/schema", 401, """{"code":401,"message":"no authentication scheme is configured (API Key or OIDC), but an 'Authorization' header was provided. Please configure an authentication scheme or remove the header"}""");
        var e = await Assert.ThrowsAsync<WeaviateException>(() => server.Client(o => o.ApiKey = "k").GetSchemaAsync());
        Assert.Equal(WeaviateErrorKind.Unauthorized, e.Kind);
        Assert.StartsWith("this Weaviate has no authentication configured but an API key was sent: unset WEAVIATE_API_KEY", e.Message);
        Assert.DoesNotContain("Bearer", e.Message);
    }

    [Theory]
    [InlineData("{\"version\": ", "GET /v1/meta")]
    [InlineData("<html>login</html>", "GET /v1/meta")]
    [InlineData("", "GET /v1/meta")]
    [InlineData("null", "GET /v1/meta")]
    [InlineData("{\"modules\": 5}", "GET /v1/meta")]
    public async Task Malformed_json_says_so(string body, string request)
    {
        server.On("GET /v1/meta", 200, body);
        var e = await Assert.ThrowsAsync<WeaviateException>(() => server.Client().GetMetaAsync());
        Assert.Equal(WeaviateErrorKind.MalformedResponse, e.Kind);
        Assert.StartsWith($"Weaviate answered with malformed JSON ({request}: ", e.Message);
        Assert.EndsWith(")", e.Message);
    }

    [Fact]
    public async Task GraphQL_errors_with_HTTP_200_are_returned_raw_and_thrown_by_the_typed_helpers()
    {
        const string answer = """
            {"data":{"Aggregate":{"Memory":null}},
             "errors":[{"locations":[{"column":13,"line":1}],"message":"class Memory has multi-tenancy enabled, but request was without tenant","path":["Aggregate","Memory"]},
                       {"locations":null,"message":"second problem","path":null}]}
            """;
        server.On("POST /v1/graphql", 200, answer);
        var client = server.Client();

        var raw = await client.GraphQLAsync("{ Aggregate { Memory { meta { count } } } }");
        Assert.True(raw.HasErrors);
        Assert.Equal("Aggregate.Memory", raw.Errors![0].PathText);
        Assert.Equal(13, raw.Errors[0].Locations![0].Column);
        Assert.Null(raw.Errors[1].Path);
        var thrown = Assert.Throws<WeaviateException>(() => raw.EnsureNoErrors());
        Assert.Equal(WeaviateErrorKind.GraphQL, thrown.Kind);
        Assert.Equal("class Memory has multi-tenancy enabled, but request was without tenant; second problem", thrown.Message);

        var e = await Assert.ThrowsAsync<WeaviateException>(() => client.CountObjectsAsync("Memory"));
        Assert.Equal(WeaviateErrorKind.GraphQL, e.Kind);
        Assert.Equal("class Memory has multi-tenancy enabled, but request was without tenant", e.Message);
    }

    [Fact]
    public async Task A_query_that_does_not_validate_has_no_data_and_throws_all_messages()
    {
        server.On("POST /v1/graphql", 200, """
            {"errors":[{"locations":[{"column":3,"line":1}],"message":"Cannot query field \"Nope\" on type \"AggregateObjectsObj\".","path":null}]}
            """);
        var e = await Assert.ThrowsAsync<WeaviateException>(() => server.Client().CountObjectsAsync(["Nope", "Other"]));
        Assert.Equal(WeaviateErrorKind.GraphQL, e.Kind);
        Assert.Equal("Cannot query field \"Nope\" on type \"AggregateObjectsObj\".", e.Message);
    }

    [Fact]
    public async Task Counts_of_several_classes_come_from_one_query_with_per_class_errors()
    {
        server.On("POST /v1/graphql", 200, """
            {"data":{"Aggregate":{"Memory":[{"meta":{"count":1234}}],"Empty":[],"Tenanted":null}},
             "errors":[{"locations":null,"message":"has multi-tenancy enabled, but request was without tenant","path":["Aggregate","Tenanted"]}]}
            """);
        var counts = await server.Client().CountObjectsAsync(["Memory", "Empty", "Tenanted"]);

        Assert.Equal(new ClassObjectCount("Memory", 1234, null), counts[0]);
        Assert.Equal(new ClassObjectCount("Empty", 0, null), counts[1]);
        Assert.Equal(new ClassObjectCount("Tenanted", null, "has multi-tenancy enabled, but request was without tenant"), counts[2]);
        var query = System.Text.Json.Nodes.JsonNode.Parse(server.Requests.Single().Body)!["query"]!.GetValue<string>();
        Assert.Equal("{ Aggregate { Memory { meta { count } } Empty { meta { count } } Tenanted { meta { count } } } }", query);
    }

    [Fact]
    public async Task A_GraphQL_request_the_server_refuses_is_rejected_with_its_message()
    {
        server.On("POST /v1/graphql", 422, """{"error":[{"message":"graphql api is disabled"}]}""");
        var e = await Assert.ThrowsAsync<WeaviateException>(() => server.Client().GraphQLAsync("{ Get { Memory { content } } }"));
        Assert.Equal(WeaviateErrorKind.Rejected, e.Kind);
        Assert.Equal("graphql api is disabled", e.Message);
    }
}
