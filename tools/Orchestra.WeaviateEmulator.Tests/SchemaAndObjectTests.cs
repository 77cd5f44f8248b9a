using System.Text.Json.Nodes;

namespace Orchestra.WeaviateEmulator.Tests;

/// <summary>Class creation defaults and refusals, object validation; a fresh emulator (these change the schema).</summary>
public sealed class SchemaAndObjectTests : IAsyncLifetime
{
    private RunningEmulator _emulator = null!;
    private HttpClient _client = null!;
    private static OpenApiContract Spec => OpenApiContract.Instance;

    public async Task InitializeAsync()
    {
        _emulator = await RunningEmulator.StartAsync(new EmulatorOptions());
        _client = _emulator.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _emulator.DisposeAsync();
    }

    private async Task<(int Status, JsonNode? Body)> Post(string path, string specPath, string json)
    {
        using var response = await _client.PostAsync(path, TestHttp.Json(json));
        return ((int)response.StatusCode, await Spec.AssertResponse(response, specPath, "post"));
    }

    [Fact]
    public async Task A_created_class_gets_weaviates_defaults()
    {
        var created = await SharedEmulator.CreateClass(_client, JsonNode.Parse("""
            {"class": "article", "properties": [{"name": "title", "dataType": ["text"]}, {"name": "words", "dataType": ["int"]}]}
            """)!.AsObject());
        Assert.Equal("Article", created["class"]!.GetValue<string>()); // first letter capitalised
        Assert.Equal("cosine", created["vectorIndexConfig"]!["distance"]!.GetValue<string>());
        Assert.Equal("none", created["vectorizer"]!.GetValue<string>());
        Assert.Equal("word", created["properties"]![0]!["tokenization"]!.GetValue<string>());
        Assert.True(created["properties"]![0]!["indexSearchable"]!.GetValue<bool>());
        Assert.False(created["properties"]![1]!["indexSearchable"]!.GetValue<bool>());
        Assert.Equal(1.2, created["invertedIndexConfig"]!["bm25"]!["k1"]!.GetValue<double>());
        Assert.Equal(1, created["shardingConfig"]!["desiredCount"]!.GetValue<int>());

        using var get = await _client.GetAsync("v1/schema/Article");
        Assert.Equal(created.ToJsonString(), (await Spec.AssertResponse(get, "/schema/{className}", "get"))!.ToJsonString());
    }

    [Theory]
    [InlineData("""{"class": "Dup"}""", "class name \"Dup\" already exists")]
    [InlineData("""{"class": "Bad-Name"}""", "'Bad-Name' is not a valid class name")]
    [InlineData("""{"class": "Dist", "vectorIndexConfig": {"distance": "cosinus"}}""", "distance \"cosinus\" is not supported")]
    [InlineData("""{"class": "Vec", "vectorizer": "text2vec-openai"}""", "no module with name \"text2vec-openai\"")]
    [InlineData("""{"class": "Prop", "properties": [{"name": "x", "dataType": ["geoCoordinates"]}]}""", "not supported by the Weaviate emulator")]
    [InlineData("""{"class": "Tok", "properties": [{"name": "n", "dataType": ["int"], "tokenization": "word"}]}""", "tokenization is not allowed")]
    public async Task Invalid_classes_are_refused_with_422(string json, string message)
    {
        _emulator.Store.CreateClass("""{"class": "Dup"}""");
        var (status, body) = await Post("v1/schema", "/schema", json);
        Assert.Equal(422, status);
        Assert.Contains(message, body!["error"]![0]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Objects_are_validated_against_their_class()
    {
        _emulator.Store.CreateClass("""{"class": "Typed", "properties": [{"name": "n", "dataType": ["int"]}, {"name": "when", "dataType": ["date"]}]}""");
        var cases = new (string Json, int Status, string Message)[]
        {
            ("""{"class": "Typed", "properties": {"n": 1.5}}""", 422, "invalid object: invalid integer property 'n' on class 'Typed': requires an integer, the given value is '1.5'"),
            ("""{"class": "Typed", "properties": {"when": "yesterday"}}""", 422, "invalid object: invalid date property 'when' on class 'Typed': requires a string with a RFC3339 formatted date, but the given value is 'yesterday'"),
            ("""{"class": "Typed", "properties": {"other": 1}}""", 422, "invalid object: no such prop with name 'other' found in class 'Typed' in the schema. Check your schema files for which properties in this class are available"),
            ("""{"class": "Nope", "properties": {}}""", 422, "class 'Nope' not present in schema"),
        };
        foreach (var (json, status, message) in cases)
        {
            var (actualStatus, body) = await Post("v1/objects", "/objects", json);
            Assert.Equal(status, actualStatus);
            Assert.Equal(message, body!["error"]![0]!["message"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task An_invalid_id_is_a_go_openapi_422()
    {
        _emulator.Store.CreateClass("""{"class": "Ids"}""");
        using var response = await _client.PostAsync("v1/objects", TestHttp.Json("""{"class": "Ids", "id": "123"}"""));
        Assert.Equal(422, (int)response.StatusCode);
        var body = (await response.ReadJson())!;
        Assert.Equal(601, body["code"]!.GetValue<int>());
        Assert.Equal("id in body must be of type uuid: \"123\"", body["message"]!.GetValue<string>());
        using var get = await _client.GetAsync("v1/objects/Ids/123");
        Assert.Equal(422, (int)get.StatusCode);
    }

    [Fact]
    public async Task A_vector_of_another_length_is_refused()
    {
        _emulator.Store.CreateClass("""{"class": "Dims"}""");
        _emulator.Store.AddObject("Dims", null, [1f, 2f, 3f]);
        var (status, body) = await Post("v1/objects", "/objects", """{"class": "Dims", "vector": [1, 2]}""");
        Assert.Equal(500, status);
        Assert.Contains("new node has a vector with length 2. Existing nodes have vectors with length 3", body!["error"]![0]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_batch_overwrites_an_existing_id_and_keeps_its_creation_time()
    {
        _emulator.Store.CreateClass("""{"class": "Over", "properties": [{"name": "v", "dataType": ["text"]}]}""");
        var id = Guid.NewGuid();
        var created = DateTimeOffset.Parse("2024-01-01T00:00:00Z");
        _emulator.Store.AddObject("Over", new { v = "old" }, createdAt: created, id: id);
        var results = await SharedEmulator.Batch(_client, JsonNode.Parse($$$"""[{"class": "Over", "id": "{{{id}}}", "properties": {"v": "new"}}]""")!.AsArray(), expectAllSuccess: true);
        Assert.Equal(created.ToUnixTimeMilliseconds(), results[0]!["creationTimeUnix"]!.GetValue<long>());
        Assert.True(results[0]!["lastUpdateTimeUnix"]!.GetValue<long>() > created.ToUnixTimeMilliseconds());
        using var get = await _client.GetAsync($"v1/objects/Over/{id}");
        Assert.Equal("new", (await get.ReadJson())!["properties"]!["v"]!.GetValue<string>());
        Assert.Equal(1, _emulator.Store.CountObjects("Over"));
    }

    [Fact]
    public async Task GraphQL_without_any_class_is_a_422()
    {
        using var response = await _client.PostAsync("v1/graphql", TestHttp.Json("""{"query":"{ Get { X { y } } }"}"""));
        Assert.Equal(422, (int)response.StatusCode);
        var body = (await Spec.AssertResponse(response, "/graphql", "post"))!;
        Assert.StartsWith("no graphql provider present", body["error"]![0]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Deleting_an_object_removes_it()
    {
        _emulator.Store.CreateClass("""{"class": "Del"}""");
        var id = _emulator.Store.AddObject("Del", null, [1f]);
        using var delete = await _client.DeleteAsync($"v1/objects/Del/{id}");
        Assert.Equal(204, (int)delete.StatusCode);
        using var again = await _client.DeleteAsync($"v1/objects/Del/{id}");
        Assert.Equal(404, (int)again.StatusCode);
        Assert.Equal(0, _emulator.Store.CountObjects("Del"));
    }
}
