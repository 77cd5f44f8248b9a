using System.Text.Json.Nodes;

namespace Orchestra.WeaviateEmulator.Tests;

/// <summary>
/// One emulator for the read-only tests: the 2,000 demo memories plus small classes loaded through the
/// real protocol (POST /v1/schema, POST /v1/batch/objects, both validated against the spec):
/// <c>Cosine_Class</c>, <c>Dot_Class</c>, <c>L2Squared_Class</c> with the vectors of Weaviate's own distance tests
/// (ENDPOINTS.md §8), and <c>Filter_Class</c> for where filters. It serves gRPC too (<see cref="RunningEmulator.GrpcUrl"/>).
/// </summary>
public sealed class SharedEmulator : IAsyncLifetime
{
    public const int DemoCount = 2000;

    /// <summary>object_1 … object_4 of test/acceptance/vector_distances.</summary>
    public static readonly float[][] ExampleVectors = [[0.7f, 0.3f], [1.4f, 0.6f], [-0.7f, -0.3f], [1f, 1f]];

    public static Guid ExampleId(int i) => Guid.Parse($"00000000-0000-0000-0000-00000000000{i}");

    public static Guid FilterId(int i) => Guid.Parse($"10000000-0000-0000-0000-00000000000{i}");

    public RunningEmulator Emulator { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Emulator = await RunningEmulator.StartAsync(new EmulatorOptions { DemoObjects = DemoCount, GrpcPort = 0 });
        Client = Emulator.CreateClient();

        foreach (var (name, distance) in new[] { ("Cosine_Class", "cosine"), ("Dot_Class", "dot"), ("L2Squared_Class", "l2-squared") })
        {
            await CreateClass(Client, new JsonObject
            {
                ["class"] = name,
                ["vectorizer"] = "none",
                ["vectorIndexConfig"] = new JsonObject { ["distance"] = distance },
                ["properties"] = new JsonArray(new JsonObject
                {
                    ["name"] = "name",
                    ["dataType"] = new JsonArray("text"),
                    ["tokenization"] = "whitespace",
                }),
            });
            var objects = new JsonArray();
            for (var i = 1; i <= 4; i++)
                objects.Add(new JsonObject
                {
                    ["class"] = name,
                    ["id"] = ExampleId(i).ToString(),
                    ["properties"] = new JsonObject { ["name"] = $"object_{i}" },
                    ["vector"] = new JsonArray(ExampleVectors[i - 1].Select(x => (JsonNode?)x).ToArray()),
                });
            await Batch(Client, objects, expectAllSuccess: true);
        }

        await CreateClass(Client, JsonNode.Parse("""
            {
              "class": "Filter_Class",
              "vectorizer": "none",
              "properties": [
                {"name": "title", "dataType": ["text"]},
                {"name": "code", "dataType": ["text"], "tokenization": "field"},
                {"name": "count", "dataType": ["int"]},
                {"name": "price", "dataType": ["number"]},
                {"name": "active", "dataType": ["boolean"]},
                {"name": "created", "dataType": ["date"]},
                {"name": "tags", "dataType": ["text[]"]}
              ]
            }
            """)!.AsObject());
        await Batch(Client, JsonNode.Parse($$$"""
            [
              {"class": "Filter_Class", "id": "{{{FilterId(1)}}}", "vector": [1, 0],
               "properties": {"title": "Quick brown fox", "code": "A-1", "count": 1, "price": 9.5, "active": true,
                              "created": "2024-01-01T00:00:00Z", "tags": ["red", "blue"]}},
              {"class": "Filter_Class", "id": "{{{FilterId(2)}}}", "vector": [0, 1],
               "properties": {"title": "Lazy dog sleeps", "code": "B-2", "count": 5, "price": 20.0, "active": false,
                              "created": "2024-06-01T00:00:00Z", "tags": ["green"]}},
              {"class": "Filter_Class", "id": "{{{FilterId(3)}}}", "vector": [1, 1],
               "properties": {"title": "Brown dog barks at fox", "code": "C-3", "count": 10, "price": 100.25, "active": true,
                              "created": "2025-01-01T00:00:00Z", "tags": ["blue", "green"]}},
              {"class": "Filter_Class", "id": "{{{FilterId(4)}}}", "vector": [-1, 0],
               "properties": {"title": "Nothing here", "count": 7, "price": 0.5, "active": false,
                              "created": "2023-03-15T12:00:00+02:00"}}
            ]
            """)!.AsArray(), expectAllSuccess: true);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Emulator.DisposeAsync();
    }

    /// <summary>POST /v1/schema with request and response validated against the spec.</summary>
    public static async Task<JsonObject> CreateClass(HttpClient client, JsonObject definition)
    {
        OpenApiContract.Instance.AssertRequest("/schema", "post", definition);
        using var response = await client.PostAsync("v1/schema", TestHttp.Json(definition));
        var body = await OpenApiContract.Instance.AssertResponse(response, "/schema", "post");
        Assert.True(200 == (int)response.StatusCode, $"creating {definition["class"]}: {(int)response.StatusCode} {body?.ToJsonString()}");
        return body!.AsObject();
    }

    /// <summary>POST /v1/batch/objects with request and response validated against the spec.</summary>
    public static async Task<JsonArray> Batch(HttpClient client, JsonArray objects, bool expectAllSuccess = false)
    {
        var body = new JsonObject { ["objects"] = objects };
        OpenApiContract.Instance.AssertRequest("/batch/objects", "post", body);
        using var response = await client.PostAsync("v1/batch/objects", TestHttp.Json(body));
        Assert.Equal(200, (int)response.StatusCode);
        var results = (await OpenApiContract.Instance.AssertResponse(response, "/batch/objects", "post"))!.AsArray();
        Assert.Equal(objects.Count, results.Count);
        if (expectAllSuccess)
            Assert.All(results, r => Assert.True(r!["result"]!["status"]!.GetValue<string>() == "SUCCESS", r.ToJsonString()));
        return results;
    }
}

[CollectionDefinition(Name)]
public sealed class SharedEmulatorCollection : ICollectionFixture<SharedEmulator>
{
    public const string Name = "shared emulator";
}
