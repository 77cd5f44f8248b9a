using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestra.WeaviateEmulator.Tests;

/// <summary>POST /v1/graphql Get and Aggregate: real distances, bm25, hybrid, errors as HTTP 200 + errors.</summary>
[Collection(SharedEmulatorCollection.Name)]
public sealed class GraphQLSearchTests(SharedEmulator shared)
{
    private readonly HttpClient _client = shared.Client;

    private static string Id(int i) => SharedEmulator.ExampleId(i).ToString();

    private async Task<List<(string Id, double Distance, double? Certainty)>> Near(string className, string vector, bool certainty)
    {
        var extra = certainty ? " certainty" : "";
        var hits = await _client.Get(className, $"nearVector: {{vector: {vector}}}", $"name _additional {{ id distance{extra} }}");
        return hits.Select(h => (
            h!["_additional"]!["id"]!.GetValue<string>(),
            h["_additional"]!["distance"]!.GetValue<double>(),
            certainty ? h["_additional"]!["certainty"]!.GetValue<double>() : (double?)null)).ToList();
    }

    // ------------------------------------------------------------------ distances

    [Fact]
    public async Task Cosine_distances_and_certainties_match_hand_computed_values()
    {
        var hits = await Near("Cosine_Class", "[0.7, 0.3]", certainty: true);
        // 1 − cos: parallel vectors 0, opposite 2, [1,1] gives 1 − 1/√1.16; certainty = 1 − d/2.
        var expected = new (string Id, double Distance)[]
        {
            (Id(1), 0), (Id(2), 0), (Id(4), 1 - 1 / Math.Sqrt(1.16)), (Id(3), 2),
        };
        Assert.Equal(expected.Select(e => e.Id), hits.Select(h => h.Id));
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Distance, hits[i].Distance, 1e-6);
            Assert.Equal(1 - expected[i].Distance / 2, hits[i].Certainty!.Value, 1e-6);
        }
        Assert.Equal(0.07152337, hits[2].Distance, 1e-7);     // the value in ENDPOINTS.md
        Assert.Equal(0.964238315820694, hits[2].Certainty!.Value, 1e-7);
    }

    [Fact]
    public async Task Dot_distance_is_the_negative_dot_product()
    {
        var hits = await Near("Dot_Class", "[0.7, 0.3]", certainty: false);
        // −(q·v): [1.4,0.6] → −1.16, [1,1] → −1.0, [0.7,0.3] → −0.58, [−0.7,−0.3] → 0.58
        Assert.Equal([Id(2), Id(4), Id(1), Id(3)], hits.Select(h => h.Id));
        Assert.Equal([-1.16, -1.0, -0.58, 0.58], hits.Select(h => Math.Round(h.Distance, 5)));
    }

    [Fact]
    public async Task L2_squared_distance_is_the_squared_euclidean_distance()
    {
        var hits = await Near("L2Squared_Class", "[0.7, 0.3]", certainty: false);
        // 0, 0.7²+0.3² = 0.58 (twice: ties keep insertion order), 1.4²+0.6² = 2.32
        Assert.Equal([Id(1), Id(2), Id(4), Id(3)], hits.Select(h => h.Id));
        Assert.Equal([0, 0.58, 0.58, 2.32], hits.Select(h => Math.Round(h.Distance, 5)));
    }

    [Fact]
    public async Task L2_squared_distances_of_the_weaviate_test_vectors()
    {
        // test/acceptance/vector_distances: query [3,4,5]... here on 2-d data: [3,4] vs [1,1] = 4+9 = 13.
        var hits = await Near("L2Squared_Class", "[3, 4]", certainty: false);
        Assert.Equal(13, hits.Single(h => h.Id == Id(4)).Distance, 1e-5);
    }

    [Theory]
    [InlineData("Dot_Class", "dot")]
    [InlineData("L2Squared_Class", "l2-squared")]
    public async Task Certainty_is_refused_for_non_cosine_classes(string className, string metric)
    {
        var asArgument = await _client.GraphQL($"{{ Get {{ {className}(nearVector: {{vector: [1, 1], certainty: 0.8}}) {{ name }} }} }}");
        Assert.Equal($"can't compute and return certainty when vector index is configured with {metric} distance", TestHttp.SingleError(asArgument));
        Assert.Null(asArgument["data"]!["Get"]![className]);                  // partial data: the field is null
        Assert.Equal(["Get", className], asArgument["errors"]![0]!["path"]!.AsArray().Select(p => p!.GetValue<string>()));

        var asField = await _client.GraphQL($"{{ Get {{ {className}(nearVector: {{vector: [1, 1], distance: 10}}) {{ _additional {{ certainty }} }} }} }}");
        Assert.Equal($"can't compute and return certainty when vector index is configured with {metric} distance", TestHttp.SingleError(asField));
    }

    [Fact]
    public async Task Distance_and_certainty_together_are_refused()
    {
        var result = await _client.GraphQL("{ Get { Cosine_Class(nearVector: {vector: [1, 1], distance: 0.5, certainty: 0.5}) { name } } }");
        Assert.Equal("cannot provide distance and certainty", TestHttp.SingleError(result));
    }

    [Fact]
    public async Task Distance_and_certainty_thresholds_filter_results()
    {
        var byDistance = await _client.Get("Cosine_Class", "nearVector: {vector: [0.7, 0.3], distance: 0.1}", "name");
        Assert.Equal(["object_1", "object_2", "object_4"], byDistance.Select(h => h!["name"]!.GetValue<string>()));
        var byCertainty = await _client.Get("Cosine_Class", "nearVector: {vector: [0.7, 0.3], certainty: 0.99}", "name");
        Assert.Equal(["object_1", "object_2"], byCertainty.Select(h => h!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_vector_of_the_wrong_length_is_a_resolver_error()
    {
        var result = await _client.GraphQL("{ Get { Memory(nearVector: {vector: [1, 2, 3]}) { content } } }");
        Assert.Contains("vector lengths don't match: 384 vs 3", TestHttp.SingleError(result));
        Assert.Null(result["data"]!["Get"]!["Memory"]);
    }

    [Fact]
    public async Task Nearest_neighbours_of_a_topic_centroid_share_that_topic()
    {
        var vector = string.Join(", ", DemoData.TopicVector("astronomy").Select(x => x.ToString("R", CultureInfo.InvariantCulture)));
        var hits = await _client.Get("Memory", $"nearVector: {{vector: [{vector}]}}, limit: 20", "metadata _additional { distance }");
        Assert.Equal(20, hits.Count);
        Assert.All(hits, h => Assert.Equal("astronomy", JsonNode.Parse(h!["metadata"]!.GetValue<string>())!["topic"]!.GetValue<string>()));
        var distances = hits.Select(h => h!["_additional"]!["distance"]!.GetValue<double>()).ToList();
        Assert.Equal(distances.Order(), distances);
    }

    [Fact]
    public async Task Near_object_finds_the_object_itself_first()
    {
        var target = DemoData.Generate(5).Last();
        var hits = await _client.Get("Memory", $"nearObject: {{id: \"{target.Id}\"}}, limit: 5", "metadata _additional { id distance }");
        Assert.Equal(target.Id.ToString(), hits[0]!["_additional"]!["id"]!.GetValue<string>());
        Assert.Equal(0, hits[0]!["_additional"]!["distance"]!.GetValue<double>(), 1e-6);
        Assert.All(hits, h => Assert.Equal(target.Topic, JsonNode.Parse(h!["metadata"]!.GetValue<string>())!["topic"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Variables_are_substituted()
    {
        var result = await _client.GraphQL(
            "query Q($v: [Float]!, $n: Int) { Get { Cosine_Class(nearVector: {vector: $v}, limit: $n) { name } } }",
            new JsonObject { ["v"] = new JsonArray(-0.7, -0.3), ["n"] = 1 });
        Assert.Equal("object_3", result["data"]!["Get"]!["Cosine_Class"]![0]!["name"]!.GetValue<string>());
    }

    // ------------------------------------------------------------------ bm25, hybrid

    [Fact]
    public async Task Bm25_ranks_a_matching_document_first()
    {
        var hits = await _client.Get("Filter_Class", "bm25: {query: \"fox\"}", "title _additional { id score }");
        Assert.Equal(["Quick brown fox", "Brown dog barks at fox"], hits.Select(h => h!["title"]!.GetValue<string>()));
        var scores = hits.Select(h => double.Parse(h!["_additional"]!["score"]!.GetValue<string>(), CultureInfo.InvariantCulture)).ToList();
        Assert.True(scores[0] > scores[1]); // same tf, the shorter document wins
        // Weaviate's BM25 by hand for doc 1: title has 3 tokens, the 4 titles average 13/4, 2 of 4 objects hold "fox"
        // (tags hold it nowhere, code is field-tokenized): idf · tf/(tf + k1·(1 − b + b·len/avg)), no (k1+1) factor.
        var idf = Math.Log(1 + (4 - 2 + 0.5) / (2 + 0.5));
        var expected = idf * 1 / (1 + 1.2 * (1 - 0.75 + 0.75 * 3 / (13 / 4.0)));
        Assert.Equal(expected, scores[0], 1e-5);
    }

    [Fact]
    public async Task Bm25_on_the_demo_data_finds_the_topic()
    {
        var hits = await _client.Get("Memory", "bm25: {query: \"telescope\", properties: [\"content\"]}, limit: 10", "content metadata");
        Assert.Equal(10, hits.Count);
        Assert.All(hits, h => Assert.Contains("telescope", h!["content"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Bm25_drops_stopwords_and_needs_a_query()
    {
        Assert.Empty(await _client.Get("Filter_Class", "bm25: {query: \"the at\"}", "title"));
        var result = await _client.GraphQL("{ Get { Filter_Class(bm25: {query: \"\"}) { title } } }");
        Assert.Equal("keyword search (bm25) must have query set", TestHttp.SingleError(result));
    }

    [Fact]
    public async Task Hybrid_alpha_zero_is_bm25_and_alpha_one_is_vector_search()
    {
        static List<string> Ids(JsonArray hits) => hits.Select(h => h!["_additional"]!["id"]!.GetValue<string>()).ToList();
        var vector = string.Join(", ", DemoData.TopicVector("cooking").Select(x => x.ToString("R", CultureInfo.InvariantCulture)));

        var keyword = Ids(await _client.Get("Memory", "bm25: {query: \"telescope comet\"}, limit: 15", "_additional { id }"));
        var hybridKeyword = Ids(await _client.Get("Memory", $"hybrid: {{query: \"telescope comet\", alpha: 0, vector: [{vector}]}}, limit: 15", "_additional { id score }"));
        Assert.Equal(keyword, hybridKeyword);

        var near = Ids(await _client.Get("Memory", $"nearVector: {{vector: [{vector}]}}, limit: 15", "_additional { id }"));
        var hybridVector = Ids(await _client.Get("Memory", $"hybrid: {{query: \"telescope comet\", alpha: 1, vector: [{vector}]}}, limit: 15", "_additional { id }"));
        Assert.Equal(near, hybridVector);
        Assert.Empty(keyword.Intersect(near)); // astronomy words vs the cooking centroid: different objects
    }

    [Theory]
    [InlineData("rankedFusion")]
    [InlineData("relativeScoreFusion")]
    public async Task Hybrid_fuses_the_vector_and_keyword_lists(string fusion)
    {
        var vector = string.Join(", ", DemoData.TopicVector("astronomy").Select(x => x.ToString("R", CultureInfo.InvariantCulture)));
        // The two lists hybrid fuses: the 100 best of each (the emulator's candidate count).
        var near = (await _client.Get("Memory", $"nearVector: {{vector: [{vector}]}}, limit: 100", "_additional { id distance }"))
            .Select(h => (Id: h!["_additional"]!["id"]!.GetValue<string>(), Raw: -h["_additional"]!["distance"]!.GetValue<double>())).ToList();
        var keyword = (await _client.Get("Memory", "bm25: {query: \"telescope\"}, limit: 100", "_additional { id score }"))
            .Select(h => (Id: h!["_additional"]!["id"]!.GetValue<string>(), Raw: double.Parse(h["_additional"]!["score"]!.GetValue<string>(), CultureInfo.InvariantCulture))).ToList();

        var expected = new Dictionary<string, double>();
        foreach (var list in new[] { near, keyword })
        {
            var (max, min) = (list.Max(x => x.Raw), list.Min(x => x.Raw));
            for (var rank = 0; rank < list.Count; rank++)
            {
                var part = fusion == "rankedFusion"
                    ? 0.5 / (rank + 60)
                    : 0.5 * (max == min ? 1 : (list[rank].Raw - min) / (max - min));
                expected[list[rank].Id] = expected.GetValueOrDefault(list[rank].Id) + part;
            }
        }
        var top = expected.OrderByDescending(kv => kv.Value).Take(5).ToList();

        var hits = await _client.Get("Memory", $"hybrid: {{query: \"telescope\", alpha: 0.5, vector: [{vector}], fusionType: {fusion}}}, limit: 5", "_additional { id score }");
        Assert.Equal(top.Select(kv => kv.Key), hits.Select(h => h!["_additional"]!["id"]!.GetValue<string>()));
        Assert.Equal(top.Select(kv => Math.Round(kv.Value, 4)),
            hits.Select(h => Math.Round(double.Parse(h!["_additional"]!["score"]!.GetValue<string>(), CultureInfo.InvariantCulture), 4)));
    }

    [Fact]
    public async Task Hybrid_without_a_vector_needs_alpha_zero()
    {
        var result = await _client.GraphQL("{ Get { Memory(hybrid: {query: \"telescope\"}) { content } } }");
        Assert.Contains("needs a vector", TestHttp.SingleError(result));
        Assert.NotEmpty(await _client.Get("Memory", "hybrid: {query: \"telescope\", alpha: 0}, limit: 3", "content"));
    }

    // ------------------------------------------------------------------ paging, aggregate

    [Fact]
    public async Task Limit_and_offset_window_the_results()
    {
        var all = await _client.Get("Cosine_Class", "nearVector: {vector: [0.7, 0.3]}", "name");
        var window = await _client.Get("Cosine_Class", "nearVector: {vector: [0.7, 0.3]}, limit: 2, offset: 1", "name");
        Assert.Equal(all.Skip(1).Take(2).Select(h => h!["name"]!.GetValue<string>()), window.Select(h => h!["name"]!.GetValue<string>()));
        Assert.Equal(100, (await _client.Get("Memory", "", "content")).Count); // GraphQL default limit
    }

    [Fact]
    public async Task Aggregate_counts_objects_with_and_without_a_filter()
    {
        var result = await _client.GraphQL("""
            { Aggregate {
                Memory { meta { count } }
                Filter_Class(where: {path: ["active"], operator: Equal, valueBoolean: true}) { meta { count } count { sum maximum } }
            } }
            """);
        Assert.Null(result["errors"]);
        Assert.Equal(SharedEmulator.DemoCount, result["data"]!["Aggregate"]!["Memory"]![0]!["meta"]!["count"]!.GetValue<int>());
        var filtered = result["data"]!["Aggregate"]!["Filter_Class"]![0]!;
        Assert.Equal(2, filtered["meta"]!["count"]!.GetValue<int>());
        Assert.Equal(11, filtered["count"]!["sum"]!.GetValue<double>());
        Assert.Equal(10, filtered["count"]!["maximum"]!.GetValue<double>());
    }

    // ------------------------------------------------------------------ errors

    [Fact]
    public async Task An_unknown_class_is_a_validation_error_without_data()
    {
        var result = await _client.GraphQL("{ Get { NoSuchClass { name } } }");
        Assert.Equal("Cannot query field \"NoSuchClass\" on type \"GetObjectsObj\".", TestHttp.SingleError(result));
        Assert.False(result.ContainsKey("data"));
        var location = result["errors"]![0]!["locations"]![0]!;
        Assert.Equal(1, location["line"]!.GetValue<int>());
        Assert.Equal(9, location["column"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_unknown_property_is_a_validation_error()
    {
        var result = await _client.GraphQL("{ Get { Memory { nosuchprop } } }");
        Assert.Equal("Cannot query field \"nosuchprop\" on type \"Memory\".", TestHttp.SingleError(result));
        Assert.False(result.ContainsKey("data"));
    }

    [Fact]
    public async Task An_unknown_argument_is_a_validation_error()
    {
        var result = await _client.GraphQL("{ Get { Memory(nearFoo: {}) { content } } }");
        Assert.Equal("Unknown argument \"nearFoo\" on field \"Memory\" of type \"GetObjectsObj\".", TestHttp.SingleError(result));
    }

    [Fact]
    public async Task A_syntax_error_comes_with_its_location()
    {
        var result = await _client.GraphQL("{ Get { Memory( { content } } }");
        var message = TestHttp.SingleError(result);
        Assert.StartsWith("Syntax Error GraphQL request (1:17)", message);
        Assert.False(result.ContainsKey("data"));
    }

    [Fact]
    public async Task A_badly_typed_argument_is_a_validation_error_at_its_value()
    {
        var result = await _client.GraphQL("{ Get { Memory(limit: \"ten\") { content } } }");
        Assert.StartsWith("Argument \"limit\" has invalid value \"ten\".", TestHttp.SingleError(result));
        // graphql-go points at the value ("ten", column 23), not at the argument's name (column 16).
        var location = result["errors"]![0]!["locations"]![0]!;
        Assert.Equal(1, location["line"]!.GetValue<int>());
        Assert.Equal(23, location["column"]!.GetValue<int>());
    }

    [Fact]
    public async Task Typename_and_aliases_are_answered()
    {
        var result = await _client.GraphQL("{ Get { first: Cosine_Class(limit: 1) { __typename label: name } } }");
        var hit = result["data"]!["Get"]!["first"]![0]!;
        Assert.Equal("Cosine_Class", hit["__typename"]!.GetValue<string>());
        Assert.Equal("object_1", hit["label"]!.GetValue<string>());
    }

    [Fact]
    public async Task Cursor_in_GraphQL_follows_the_same_rules()
    {
        var page = await _client.Get("Cosine_Class", $"after: \"{Id(2)}\", limit: 5", "name");
        Assert.Equal(["object_3", "object_4"], page.Select(h => h!["name"]!.GetValue<string>()));
        var withSearch = await _client.GraphQL("{ Get { Cosine_Class(after: \"\", limit: 1, nearVector: {vector: [1, 1]}) { name } } }");
        Assert.Equal("cursor api: invalid 'after' parameter: other params cannot be set with after and limit parameters", TestHttp.SingleError(withSearch));
        var noLimit = await _client.GraphQL("{ Get { Cosine_Class(after: \"\") { name } } }");
        Assert.Equal("cursor api: invalid 'after' parameter: limit parameter must be set", TestHttp.SingleError(noLimit));
    }
}

/// <summary>Tests that change process-wide state run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideStateCollection
{
    public const string Name = "process-wide state";
}

[Collection(ProcessWideStateCollection.Name)]
public sealed class InvariantCultureTests
{
    [Fact]
    public async Task Numbers_are_parsed_and_written_invariant_culture_whatever_the_current_culture()
    {
        var previous = (CultureInfo.DefaultThreadCurrentCulture, CultureInfo.CurrentCulture);
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.CurrentCulture = new CultureInfo("de-DE");
        try
        {
            await using var emulator = await RunningEmulator.StartAsync(new EmulatorOptions());
            using var client = emulator.CreateClient();
            emulator.Store.CreateClass("""{"class":"Numbers","properties":[{"name":"price","dataType":["number"]}]}""");
            emulator.Store.AddObject("Numbers", new { price = 1.5 }, [0.5f, 0.25f]);
            var query = new JsonObject
            {
                ["query"] = """{ Get { Numbers(nearVector: {vector: [0.5, 0.25]}, where: {path: ["price"], operator: GreaterThan, valueNumber: 1.25}) { price _additional { distance } } } }""",
            };
            using var response = await client.PostAsync("v1/graphql", TestHttp.Json(query));
            var text = await response.Content.ReadAsStringAsync();   // the raw bytes the emulator wrote
            Assert.Equal("""{"data":{"Get":{"Numbers":[{"price":1.5,"_additional":{"distance":0}}]}}}""", text.TrimEnd('\n'));
        }
        finally
        {
            CultureInfo.DefaultThreadCurrentCulture = previous.DefaultThreadCurrentCulture;
            CultureInfo.CurrentCulture = previous.CurrentCulture;
        }
    }
}
