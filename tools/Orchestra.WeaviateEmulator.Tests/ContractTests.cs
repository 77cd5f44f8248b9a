using System.Text.Json.Nodes;

namespace Orchestra.WeaviateEmulator.Tests;

/// <summary>Every response the emulator gives for the endpoints the dashboard uses validates against Weaviate's OpenAPI schema.</summary>
[Collection(SharedEmulatorCollection.Name)]
public sealed class ContractTests(SharedEmulator shared)
{
    private readonly HttpClient _client = shared.Client;
    private static OpenApiContract Spec => OpenApiContract.Instance;

    // ------------------------------------------------------------------ the validator itself

    [Theory]
    [InlineData("meta.json", "Meta")]
    [InlineData("nodes-minimal.json", "NodesStatusResponse")]
    [InlineData("nodes-verbose.json", "NodesStatusResponse")]
    [InlineData("schema.json", "Schema")]
    [InlineData("schema-empty.json", "Schema")]
    [InlineData("object-create-request.json", "Object")]
    [InlineData("object-create-response.json", "Object")]
    [InlineData("objects-list-cursor-page1.json", "ObjectsListResponse")]
    [InlineData("objects-list-cursor-last-page.json", "ObjectsListResponse")]
    [InlineData("graphql-nearvector-request.json", "GraphQLQuery")]
    [InlineData("graphql-nearvector-response.json", "GraphQLResponse")]
    [InlineData("error-422.json", "ErrorResponse")]
    public void Shared_examples_validate(string file, string definition)
    {
        var path = Path.Combine(Path.GetDirectoryName(OpenApiContract.SchemaPath)!, "examples", file);
        Spec.AssertDefinition(JsonNode.Parse(File.ReadAllText(path)), definition);
    }

    [Theory]
    [InlineData("""{"nodes":[{"name":"node1","status":"GREEN","shards":null}]}""", "NodesStatusResponse", "/nodes/0/status")]
    [InlineData("""{"nodes":[{"name":"node1","stats":{"objectCount":"3","shardCount":1},"shards":null}]}""", "NodesStatusResponse", "/nodes/0/stats/objectCount")]
    [InlineData("""{"objects":[{"id":"not-a-uuid"}],"deprecations":[]}""", "ObjectsListResponse", "/objects/0/id")]
    [InlineData("""{"objects":[],"totalResults":1.5}""", "ObjectsListResponse", "/totalResults")]
    [InlineData("""{"error":"boom"}""", "ErrorResponse", "/error")]
    [InlineData("""{"errors":[{"message":"x","locations":[{"line":"1","column":2}],"path":null}]}""", "GraphQLResponse", "/errors/0/locations/0/line")]
    public void The_validator_rejects_what_the_spec_forbids(string json, string definition, string where)
    {
        var errors = Spec.ValidateDefinition(JsonNode.Parse(json), definition);
        Assert.Contains(errors, e => e.StartsWith(where + " ", StringComparison.Ordinal));
    }

    // ------------------------------------------------------------------ health, meta

    [Theory]
    [InlineData("v1/.well-known/live")]
    [InlineData("v1/.well-known/ready")]
    public async Task Health_endpoints_answer_200_with_an_empty_body(string path)
    {
        using var response = await _client.GetAsync(path);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
        await Spec.AssertResponse(response, "/" + path[3..], "get");
    }

    [Fact]
    public async Task Meta_validates_and_identifies_the_emulator()
    {
        using var response = await _client.GetAsync("v1/meta");
        var meta = (await Spec.AssertResponse(response, "/meta", "get"))!;
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("1.40.0", meta["version"]!.GetValue<string>());
        Assert.Equal("http://orchestra-weaviate-emulator", meta["hostname"]!.GetValue<string>());
        Assert.NotNull(meta["modules"]!["orchestra-emulator"]);
    }

    // ------------------------------------------------------------------ nodes, cluster

    [Fact]
    public async Task Nodes_minimal_validates_and_has_null_shards_and_no_stats()
    {
        using var response = await _client.GetAsync("v1/nodes");
        var body = (await Spec.AssertResponse(response, "/nodes", "get"))!;
        var node = body["nodes"]!.AsArray().Single()!.AsObject();
        Assert.True(node.ContainsKey("shards"));
        Assert.Null(node["shards"]);
        Assert.False(node.ContainsKey("stats"));
        Assert.Equal("HEALTHY", node["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Nodes_verbose_validates_and_counts_every_object()
    {
        using var response = await _client.GetAsync("v1/nodes?output=verbose");
        var node = (await Spec.AssertResponse(response, "/nodes", "get"))!["nodes"]![0]!;
        var shards = node["shards"]!.AsArray();
        Assert.Equal(shared.Emulator.Store.ClassNames().Count, shards.Count);
        var memory = shards.Single(s => s!["class"]!.GetValue<string>() == "Memory")!;
        Assert.Equal(SharedEmulator.DemoCount, memory["objectCount"]!.GetValue<long>());
        Assert.Equal("READY", memory["vectorIndexingStatus"]!.GetValue<string>());
        Assert.Equal(0, memory["vectorQueueLength"]!.GetValue<long>());
        Assert.False(memory["compressed"]!.GetValue<bool>());
        Assert.True(memory["loaded"]!.GetValue<bool>());
        Assert.Equal(shared.Emulator.Store.CountObjects(), node["stats"]!["objectCount"]!.GetValue<long>());
        Assert.Equal(shards.Count, node["stats"]!["shardCount"]!.GetValue<long>());
    }

    [Fact]
    public async Task Nodes_of_one_class_validate()
    {
        using var response = await _client.GetAsync("v1/nodes/Cosine_Class?output=verbose");
        var shards = (await Spec.AssertResponse(response, "/nodes/{className}", "get"))!["nodes"]![0]!["shards"]!.AsArray();
        Assert.Equal("Cosine_Class", shards.Single()!["class"]!.GetValue<string>());
        Assert.Equal(4, shards.Single()!["objectCount"]!.GetValue<long>());
    }

    [Fact]
    public async Task Nodes_of_an_unknown_class_is_a_404_ErrorResponse()
    {
        using var response = await _client.GetAsync("v1/nodes/NoSuchClass?output=verbose");
        Assert.Equal(404, (int)response.StatusCode);
        var body = (await Spec.AssertResponse(response, "/nodes/{className}", "get"))!;
        Assert.Contains("class \"NoSuchClass\" not found", body["error"]![0]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Nodes_with_a_bad_output_is_a_422_ErrorResponse()
    {
        using var response = await _client.GetAsync("v1/nodes?output=full");
        Assert.Equal(422, (int)response.StatusCode);
        var body = (await Spec.AssertResponse(response, "/nodes", "get"))!;
        Assert.Equal("invalid output: \"full\", possible values are: \"minimal\", \"verbose\"", body["error"]![0]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Cluster_statistics_validate()
    {
        using var response = await _client.GetAsync("v1/cluster/statistics");
        var body = (await Spec.AssertResponse(response, "/cluster/statistics", "get"))!;
        Assert.True(body["synchronized"]!.GetValue<bool>());
        var node = body["statistics"]![0]!;
        Assert.Equal("node1", node["name"]!.GetValue<string>());
        Assert.Equal("Leader", node["raft"]!["state"]!.GetValue<string>());
    }

    // ------------------------------------------------------------------ schema

    [Fact]
    public async Task Schema_validates_and_lists_every_class()
    {
        using var response = await _client.GetAsync("v1/schema");
        var classes = (await Spec.AssertResponse(response, "/schema", "get"))!["classes"]!.AsArray();
        Assert.Equal(shared.Emulator.Store.ClassNames(), classes.Select(c => c!["class"]!.GetValue<string>()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Schema_of_a_class_validates_and_reports_its_distance()
    {
        using var response = await _client.GetAsync("v1/schema/Dot_Class");
        var cls = (await Spec.AssertResponse(response, "/schema/{className}", "get"))!;
        Assert.Equal("dot", cls["vectorIndexConfig"]!["distance"]!.GetValue<string>());
        Assert.Equal("hnsw", cls["vectorIndexType"]!.GetValue<string>());
    }

    [Fact]
    public async Task Schema_of_an_unknown_class_is_404_with_an_empty_body()
    {
        using var response = await _client.GetAsync("v1/schema/NoSuchClass");
        Assert.Equal(404, (int)response.StatusCode);
        await Spec.AssertResponse(response, "/schema/{className}", "get"); // no schema in the spec: asserts the empty body
    }

    [Fact]
    public async Task Shards_validate()
    {
        using var response = await _client.GetAsync("v1/schema/Memory/shards");
        var shards = (await Spec.AssertResponse(response, "/schema/{className}/shards", "get"))!.AsArray();
        Assert.Equal("READY", shards.Single()!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Shards_of_an_unknown_class_is_a_404_ErrorResponse()
    {
        using var response = await _client.GetAsync("v1/schema/NoSuchClass/shards");
        Assert.Equal(404, (int)response.StatusCode);
        await Spec.AssertResponse(response, "/schema/{className}/shards", "get");
    }

    // ------------------------------------------------------------------ objects

    [Fact]
    public async Task Object_listing_validates_with_and_without_vectors()
    {
        using var plain = await _client.GetAsync("v1/objects?class=Memory&limit=3");
        var page = (await Spec.AssertResponse(plain, "/objects", "get"))!;
        Assert.Null(page["objects"]![0]!["vector"]);
        using var withVector = await _client.GetAsync("v1/objects?class=Memory&limit=3&after=&include=vector");
        page = (await Spec.AssertResponse(withVector, "/objects", "get"))!;
        Assert.Equal(384, page["objects"]![0]!["vector"]!.AsArray().Count);
        Assert.Empty(page["deprecations"]!.AsArray());
        Assert.Equal(3, page["totalResults"]!.GetValue<long>());
    }

    [Fact]
    public async Task Object_listing_without_class_validates_with_null_deprecations()
    {
        using var response = await _client.GetAsync("v1/objects?limit=2");
        var page = (await Spec.AssertResponse(response, "/objects", "get"))!.AsObject();
        Assert.True(page.ContainsKey("deprecations"));
        Assert.Null(page["deprecations"]);
        Assert.Equal(2, page["objects"]!.AsArray().Count);
    }

    [Fact]
    public async Task One_object_validates_with_its_vector()
    {
        using var response = await _client.GetAsync($"v1/objects/Cosine_Class/{SharedEmulator.ExampleId(4)}?include=vector");
        var obj = (await Spec.AssertResponse(response, "/objects/{className}/{id}", "get"))!;
        Assert.Equal("object_4", obj["properties"]!["name"]!.GetValue<string>());
        Assert.Equal([1f, 1f], obj["vector"]!.AsArray().Select(x => x!.GetValue<float>()));
    }

    [Fact]
    public async Task A_missing_object_is_404_with_an_empty_body()
    {
        using var response = await _client.GetAsync($"v1/objects/Cosine_Class/{Guid.NewGuid()}");
        Assert.Equal(404, (int)response.StatusCode);
        await Spec.AssertResponse(response, "/objects/{className}/{id}", "get");
    }

    [Fact]
    public async Task Creating_an_object_validates_and_a_duplicate_is_a_422()
    {
        await SharedEmulator.CreateClass(_client, new JsonObject
        {
            ["class"] = "Create_Contract",
            ["properties"] = new JsonArray(new JsonObject { ["name"] = "name", ["dataType"] = new JsonArray("text") }),
        });
        var id = Guid.NewGuid().ToString();
        var request = new JsonObject
        {
            ["class"] = "Create_Contract",
            ["id"] = id,
            ["properties"] = new JsonObject { ["name"] = "first" },
            ["vector"] = new JsonArray(0.25, 0.5),
        };
        Spec.AssertRequest("/objects", "post", request);
        using var created = await _client.PostAsync("v1/objects", TestHttp.Json(request));
        Assert.Equal(200, (int)created.StatusCode);
        var obj = (await Spec.AssertResponse(created, "/objects", "post"))!;
        Assert.Equal(id, obj["id"]!.GetValue<string>());
        Assert.True(obj["creationTimeUnix"]!.GetValue<long>() > 1_700_000_000_000);
        Assert.Equal([0.25f, 0.5f], obj["vector"]!.AsArray().Select(x => x!.GetValue<float>()));

        using var again = await _client.PostAsync("v1/objects", TestHttp.Json(request));
        Assert.Equal(422, (int)again.StatusCode);
        var error = (await Spec.AssertResponse(again, "/objects", "post"))!;
        Assert.Equal($"id '{id}' already exists", error["error"]![0]!["message"]!.GetValue<string>());

        using var deleted = await _client.DeleteAsync("v1/schema/Create_Contract");
        Assert.Equal(200, (int)deleted.StatusCode);
        await Spec.AssertResponse(deleted, "/schema/{className}", "delete");
        Assert.False(shared.Emulator.Store.HasClass("Create_Contract"));
    }

    [Fact]
    public async Task A_batch_with_a_failing_item_validates_and_reports_each_item()
    {
        await SharedEmulator.CreateClass(_client, new JsonObject
        {
            ["class"] = "Batch_Contract",
            ["properties"] = new JsonArray(new JsonObject { ["name"] = "name", ["dataType"] = new JsonArray("text") }),
        });
        var id = Guid.NewGuid();
        var results = await SharedEmulator.Batch(_client, JsonNode.Parse($$$"""
            [
              {"class": "Batch_Contract", "id": "{{{id}}}", "vector": [1, 0], "properties": {"name": "ok"}},
              {"class": "NoSuchClass", "properties": {"name": "x"}},
              {"class": "Batch_Contract", "properties": {"name": 42}}
            ]
            """)!.AsArray());
        Assert.Equal("SUCCESS", results[0]!["result"]!["status"]!.GetValue<string>());
        Assert.Equal(id.ToString(), results[0]!["id"]!.GetValue<string>());
        Assert.Equal("FAILED", results[1]!["result"]!["status"]!.GetValue<string>());
        Assert.Equal("class 'NoSuchClass' not present in schema", results[1]!["result"]!["errors"]!["error"]![0]!["message"]!.GetValue<string>());
        Assert.True(Guid.TryParse(results[1]!["id"]!.GetValue<string>(), out _));
        Assert.Equal("FAILED", results[2]!["result"]!["status"]!.GetValue<string>());
        Assert.StartsWith("invalid object: invalid text property 'name' on class 'Batch_Contract'",
            results[2]!["result"]!["errors"]!["error"]![0]!["message"]!.GetValue<string>());
        Assert.Equal(1, shared.Emulator.Store.CountObjects("Batch_Contract"));
        Assert.True(shared.Emulator.Store.DeleteClass("Batch_Contract"));
    }

    // ------------------------------------------------------------------ graphql, framework errors

    [Fact]
    public async Task GraphQL_answers_and_errors_validate()
    {
        var ok = await _client.GraphQL("{ Get { Cosine_Class(nearVector: {vector: [0.7, 0.3], certainty: 0}) { name _additional { id distance certainty } } } }");
        Assert.Equal(4, ok["data"]!["Get"]!["Cosine_Class"]!.AsArray().Count);
        var failed = await _client.GraphQL("{ Get { NoSuchClass { name } } }");
        Assert.Null(failed["errors"]![0]!["path"]);
        Assert.NotNull(failed["errors"]![0]!["locations"]);
    }

    [Fact]
    public async Task An_empty_GraphQL_query_is_a_422_ErrorResponse()
    {
        using var response = await _client.PostAsync("v1/graphql", TestHttp.Json("""{"query":""}"""));
        Assert.Equal(422, (int)response.StatusCode);
        var body = (await Spec.AssertResponse(response, "/graphql", "post"))!;
        Assert.Equal("query cannot be empty", body["error"]![0]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unknown_route_is_a_go_openapi_404()
    {
        using var response = await _client.GetAsync("v1/no/such/route");
        Assert.Equal(404, (int)response.StatusCode);
        var body = (await response.ReadJson())!;
        Assert.Equal(404, body["code"]!.GetValue<int>());
        Assert.Equal("path /v1/no/such/route was not found", body["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_wrong_method_is_a_go_openapi_405()
    {
        using var response = await _client.DeleteAsync("v1/meta");
        Assert.Equal(405, (int)response.StatusCode);
        var body = (await response.ReadJson())!;
        Assert.Equal(405, body["code"]!.GetValue<int>());
        Assert.Equal("method DELETE is not allowed, but [GET] are", body["message"]!.GetValue<string>());
    }
}
