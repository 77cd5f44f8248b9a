using System.Text.Json.Nodes;
using Orchestra.Admin.Data.Weaviate;

namespace Orchestra.Admin.Tests.Weaviate;

/// <summary>
/// Every request the client sends, checked against Weaviate's OpenAPI schema (../shared/weaviate/openapi-schema.json,
/// read at test time): the path and method exist, the query parameters are declared, and each JSON body validates
/// against the definition of its operation's body parameter (see <see cref="WeaviateContract.SchemaFor"/> for how the
/// Swagger 2.0 definitions are turned into a JSON Schema).
/// </summary>
public class WeaviateRequestSchemaTests : IAsyncLifetime
{
    private CannedWeaviate server = null!;

    public async Task InitializeAsync() => server = await CannedWeaviate.StartAsync();
    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task Every_request_the_client_sends_is_in_the_schema_and_its_body_validates()
    {
        var id = Guid.Parse("00000000-0000-0000-0000-000000000004");
        server.On("GET /v1/.well-known/live", 200)
            .On("GET /v1/.well-known/ready", 200)
            .On("GET /v1/meta", 200, "{}")
            .On("GET /v1/nodes", 200, """{"nodes":[]}""")
            .On("GET /v1/nodes/Memory", 200, """{"nodes":[]}""")
            .On("GET /v1/cluster/statistics", 200, """{"statistics":[],"synchronized":true}""")
            .On("GET /v1/schema", 200, """{"classes":[]}""")
            .On("GET /v1/schema/Memory", 200, """{"class":"Memory","properties":[]}""")
            .On("GET /v1/schema/Memory/shards", 200, "[]")
            .On("PUT /v1/schema/Memory/shards/s1", 200, """{"status":"READONLY"}""")
            .On("GET /v1/objects", 200, """{"objects":[],"deprecations":[]}""")
            .On($"GET /v1/objects/Memory/{id}", 200, "{}")
            .On("POST /v1/graphql", 200, """{"data":{"Aggregate":{"Memory":[{"meta":{"count":1}}],"Other":[{"meta":{"count":2}}]}}}""");
        var client = server.Client();

        await client.IsLiveAsync();
        await client.IsReadyAsync();
        await client.GetMetaAsync();
        await client.GetNodesAsync();
        await client.GetNodesAsync("Memory");
        await client.GetClusterStatisticsAsync();
        await client.GetSchemaAsync();
        await client.GetClassAsync("Memory");
        await client.GetShardsAsync("Memory");
        await client.UpdateShardStatusAsync("Memory", "s1", ShardStatuses.ReadOnly);
        await client.ListObjectsAsync("Memory", 25);
        await client.ListObjectsAsync("Memory", 25, id, includeVector: true);
        await client.GetObjectAsync("Memory", id);
        await client.CountObjectsAsync(["Memory", "Other"]);
        await client.GraphQLAsync(new GraphQLQuery("query Q($v: [Float]) { Get { Memory(nearVector: {vector: $v}) { content } } }", "Q",
            new JsonObject { ["v"] = new JsonArray(0.5, 0.25) }));

        var requests = server.Requests;
        Assert.Equal(15, requests.Count);
        var bodies = 0;
        foreach (var request in requests)
        {
            var found = WeaviateContract.FindOperation(request.Method, request.Path);
            Assert.True(found.HasValue, $"{request.Method} {request.Path} is not in the OpenAPI schema");
            var (template, operation) = found.Value;
            var parameters = WeaviateContract.Parameters(template, operation);

            var declared = parameters.Where(p => p["in"]?.GetValue<string>() == "query").Select(p => p["name"]!.GetValue<string>()).ToHashSet();
            var sent = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(request.QueryString).Keys;
            Assert.All(sent, name => Assert.True(declared.Contains(name), $"{request.Method} {template}: query parameter '{name}' is not declared"));

            var definition = WeaviateContract.BodyDefinition(template, operation);
            if (definition is null)
            {
                Assert.Equal("", request.Body);
                continue;
            }
            bodies++;
            Assert.Equal("application/json", request.ContentType);
            Assert.Empty(WeaviateContract.Validate(definition, request.Body, closed: true));
        }
        Assert.Equal(3, bodies); // the shard PUT and two GraphQL queries
    }

    [Fact]
    public async Task The_GraphQL_body_is_a_GraphQLQuery()
    {
        server.On("POST /v1/graphql", 200, """{"data":{}}""");
        await server.Client().GraphQLAsync("{ Get { Memory { content } } }");
        var body = server.Requests.Single().Body;

        Assert.Equal("""{"query":"{ Get { Memory { content } } }"}""", body);
        Assert.Equal("GraphQLQuery", WeaviateContract.BodyDefinition("/graphql", WeaviateContract.FindOperation("POST", "/v1/graphql")!.Value.Operation));
        Assert.Empty(WeaviateContract.Validate("GraphQLQuery", body, closed: true));
    }

    [Fact]
    public async Task The_shard_status_body_is_a_ShardStatus()
    {
        server.On("PUT /v1/schema/Memory/shards/s1", 200, """{"status":"READY"}""");
        await server.Client().UpdateShardStatusAsync("Memory", "s1", ShardStatuses.Ready);
        var body = server.Requests.Single().Body;

        var (template, operation) = WeaviateContract.FindOperation("PUT", "/v1/schema/Memory/shards/s1")!.Value;
        Assert.Equal("/schema/{className}/shards/{shardName}", template);
        Assert.Equal("ShardStatus", WeaviateContract.BodyDefinition(template, operation));
        Assert.Empty(WeaviateContract.Validate("ShardStatus", body, closed: true));
    }

    /// <summary>The validator can fail: bodies of the wrong shape are refused.</summary>
    [Theory]
    [InlineData("GraphQLQuery", """{"query":5}""")]
    [InlineData("GraphQLQuery", """{"query":"{ x }","variables":"not an object"}""")]
    [InlineData("GraphQLQuery", """{"Query":"{ x }"}""")]
    [InlineData("ShardStatus", """{"status":1}""")]
    [InlineData("ShardStatus", """{"state":"READY"}""")]
    [InlineData("ShardStatus", "[]")]
    public void Bodies_of_the_wrong_shape_are_refused(string definition, string body) =>
        Assert.NotEmpty(WeaviateContract.Validate(definition, body, closed: true));

    /// <summary>The other side of the control: the shared request examples validate (the spec's own shapes, open).</summary>
    [Fact]
    public void The_shared_request_examples_validate()
    {
        Assert.Empty(WeaviateContract.Validate("GraphQLQuery", WeaviateContract.Example("graphql-nearvector-request.json"), closed: true));
        Assert.Empty(WeaviateContract.Validate("Object", WeaviateContract.Example("object-create-request.json")));
        var batch = WeaviateContract.FindOperation("POST", "/v1/batch/objects")!.Value;
        var batchBody = WeaviateContract.Parameters(batch.Template, batch.Operation).Single(p => p["in"]?.GetValue<string>() == "body")["schema"]!;
        // The batch body is an inline schema: validate each object against Object.
        Assert.Equal("#/definitions/Object", batchBody["properties"]!["objects"]!["items"]!["$ref"]!.GetValue<string>());
        foreach (var obj in JsonNode.Parse(WeaviateContract.Example("batch-objects-request.json"))!["objects"]!.AsArray())
            Assert.Empty(WeaviateContract.Validate("Object", obj!.ToJsonString()));
        // And an Object with a vector of strings is refused.
        Assert.NotEmpty(WeaviateContract.Validate("Object", """{"class":"C","vector":["a"]}"""));
    }
}
