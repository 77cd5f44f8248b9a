using System.Globalization;
using System.Text.Json.Nodes;

namespace Orchestra.WeaviateEmulator.Tests;

/// <summary>
/// Where the emulator used to differ from Weaviate (issue 17, found by running weaviate-ts-client 2.2.0 against it):
/// BM25 scores, HEAD on objects, the order of a filter-only Get, the cluster statistics, shard states only faults
/// can produce, and the REST search API. Each test starts its own small emulator.
/// </summary>
public sealed class FidelityTests : IAsyncLifetime
{
    private RunningEmulator _emulator = null!;
    private HttpClient _client = null!;

    // Inserted in this order; their UUIDs sort the other way round.
    private static readonly Guid[] TextIds = [Guid.Parse("30000000-0000-0000-0000-000000000003"),
        Guid.Parse("20000000-0000-0000-0000-000000000002"), Guid.Parse("10000000-0000-0000-0000-000000000001")];

    public async Task InitializeAsync()
    {
        _emulator = await RunningEmulator.StartAsync(new EmulatorOptions { DemoObjects = 20 });
        _client = _emulator.CreateClient();
        await SharedEmulator.CreateClass(_client, JsonNode.Parse("""
            {"class": "Bm25_Class", "vectorizer": "none", "vectorIndexConfig": {"distance": "l2-squared"},
             "properties": [{"name": "title", "dataType": ["text"]}, {"name": "body", "dataType": ["text"]},
                            {"name": "rank", "dataType": ["int"]}]}
            """)!.AsObject());
        var texts = new[] { ("apple pie", "apple apple banana"), ("banana split", "cherry"), ("cherry tart", "apple") };
        var objects = new JsonArray();
        for (var i = 0; i < texts.Length; i++)
            objects.Add(new JsonObject
            {
                ["class"] = "Bm25_Class",
                ["id"] = TextIds[i].ToString(),
                ["properties"] = new JsonObject { ["title"] = texts[i].Item1, ["body"] = texts[i].Item2, ["rank"] = i },
                ["vector"] = new JsonArray(i, 1),
            });
        await SharedEmulator.Batch(_client, objects, expectAllSuccess: true);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _emulator.DisposeAsync();
    }

    private async Task<List<(string Id, double Score)>> Bm25(string arguments)
    {
        var hits = await _client.Get("Bm25_Class", $"bm25: {{{arguments}}}", "_additional { id score }");
        return hits.Select(h => (h!["_additional"]!["id"]!.GetValue<string>(),
            double.Parse(h["_additional"]!["score"]!.GetValue<string>(), CultureInfo.InvariantCulture))).ToList();
    }

    private static double Tf(double tf, double length, double average) => tf / (tf + 1.2 * (1 - 0.75 + 0.75 * length / average));

    // ------------------------------------------------------------------ bm25

    [Fact]
    public async Task Bm25_scores_properties_separately_with_an_averaged_document_frequency_and_repeated_terms()
    {
        // "apple" is in 1 title and 2 bodies: n = (1 + 2) / 2 = 1 (integer division, as Weaviate's BlockMax WAND);
        // the query names it twice, so its idf counts twice. Titles average 2 tokens, bodies 5/3.
        var idf = 2 * Math.Log(1 + (3 - 1 + 0.5) / (1 + 0.5));
        var first = idf * (Tf(1, 2, 2) + Tf(2, 3, 5 / 3.0));
        var third = idf * Tf(1, 1, 5 / 3.0);

        var hits = await Bm25("query: \"apple apple\"");
        Assert.Equal([TextIds[0].ToString(), TextIds[2].ToString()], hits.Select(h => h.Id));
        Assert.Equal(first, hits[0].Score, 1e-5);
        Assert.Equal(third, hits[1].Score, 1e-5);

        // A boost multiplies that property's score.
        var boosted = await Bm25("query: \"apple apple\", properties: [\"title^2\", \"body\"]");
        Assert.Equal(idf * (2 * Tf(1, 2, 2) + Tf(2, 3, 5 / 3.0)), boosted[0].Score, 1e-5);
    }

    [Fact]
    public async Task Bm25_over_one_property_has_no_k1_plus_one_factor()
    {
        var hits = await Bm25("query: \"cherry\", properties: [\"title\"]");
        var expected = Math.Log(1 + (3 - 1 + 0.5) / (1 + 0.5)) * Tf(1, 2, 2);
        Assert.Equal(TextIds[2].ToString(), hits.Single().Id);
        Assert.Equal(expected, hits.Single().Score, 1e-6);
    }

    // ------------------------------------------------------------------ HEAD, order

    [Fact]
    public async Task Head_on_an_object_answers_204_or_404_without_a_body()
    {
        using var found = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"v1/objects/Bm25_Class/{TextIds[1]}"));
        Assert.Equal(204, (int)found.StatusCode);
        using var missing = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"v1/objects/Bm25_Class/{Guid.NewGuid()}"));
        Assert.Equal(404, (int)missing.StatusCode);
        using var noClass = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"v1/objects/NoSuchClass/{TextIds[1]}"));
        Assert.Equal(404, (int)noClass.StatusCode);
        Assert.Empty(await found.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_filtered_Get_lists_in_insertion_order_and_a_plain_one_in_uuid_order()
    {
        var filtered = await _client.Get("Bm25_Class", "where: {path: [\"rank\"], operator: GreaterThanEqual, valueInt: 0}", "_additional { id }");
        Assert.Equal(TextIds.Select(i => i.ToString()), filtered.Select(h => h!["_additional"]!["id"]!.GetValue<string>()));
        var firstPage = await _client.Get("Bm25_Class", "where: {path: [\"rank\"], operator: GreaterThanEqual, valueInt: 0}, limit: 1", "_additional { id }");
        Assert.Equal(TextIds[0].ToString(), firstPage.Single()!["_additional"]!["id"]!.GetValue<string>());

        var plain = await _client.Get("Bm25_Class", "limit: 10", "_additional { id }");
        Assert.Equal(TextIds.Reverse().Select(i => i.ToString()), plain.Select(h => h!["_additional"]!["id"]!.GetValue<string>()));
    }

    // ------------------------------------------------------------------ cluster statistics

    [Fact]
    public async Task Cluster_statistics_carry_the_index_at_start_and_the_leaders_last_contact_0()
    {
        var atStart = _emulator.Store.RaftIndex; // nothing changed the schema since the two classes were created…
        Assert.True(atStart > 0);
        using var response = await _client.GetAsync("v1/cluster/statistics");
        var node = (await OpenApiContract.Instance.AssertResponse(response, "/cluster/statistics", "get"))!["statistics"]![0]!;
        Assert.Equal("0", node["raft"]!["lastContact"]!.GetValue<string>());
        Assert.Equal("Leader", node["raft"]!["state"]!.GetValue<string>());
        // …but the index at start is the one when the emulator started: before Bm25_Class was created.
        var initial = node["initialLastAppliedIndex"]!.GetValue<long>();
        Assert.True(initial > 0 && initial < atStart, $"initialLastAppliedIndex {initial}, applied now {atStart}");
        Assert.Equal(atStart.ToString(CultureInfo.InvariantCulture), node["raft"]!["appliedIndex"]!.GetValue<string>());
    }

    // ------------------------------------------------------------------ shard reports

    private async Task<JsonObject> MemoryShard()
    {
        using var response = await _client.GetAsync("v1/nodes/Memory?output=verbose");
        var nodes = (await OpenApiContract.Instance.AssertResponse(response, "/nodes/{className}", "get"))!["nodes"]!;
        return nodes[0]!["shards"]![0]!.AsObject();
    }

    [Fact]
    public async Task Shard_reports_make_nodes_report_lazy_loading_compression_queue_and_replication()
    {
        var before = await MemoryShard();
        Assert.True(before["loaded"]!.GetValue<bool>());
        Assert.Equal(20, before["objectCount"]!.GetValue<long>());

        using var set = await _client.PostAsync("_emulator/faults", TestHttp.Json("""
            {"shardReports": [{"class": "Memory", "compressed": true, "vectorQueueLength": 1200, "replicationFactor": 3,
              "asyncReplicationStatus": [{"objectsPropagated": 7, "startDiffTimeUnixMillis": 1735689600000, "targetNode": "node2"}]}]}
            """));
        Assert.Equal(200, (int)set.StatusCode);
        var busy = await MemoryShard();
        Assert.True(busy["compressed"]!.GetValue<bool>());
        Assert.Equal(1200, busy["vectorQueueLength"]!.GetValue<long>());
        Assert.Equal(3, busy["replicationFactor"]!.GetValue<long>());
        Assert.Equal(3, busy["numberOfReplicas"]!.GetValue<long>());
        Assert.Equal("node2", busy["asyncReplicationStatus"]![0]!["targetNode"]!.GetValue<string>());
        Assert.Equal(20, busy["objectCount"]!.GetValue<long>());

        // A later lazy-loading entry for the same shard wins where it says something.
        _emulator.Faults.AddShardReport(new ShardReport { Class = "Memory", Shard = busy["name"]!.GetValue<string>(), LazyLoading = true });
        var lazy = await MemoryShard();
        Assert.False(lazy["loaded"]!.GetValue<bool>());
        Assert.Equal("LAZY_LOADING", lazy["vectorIndexingStatus"]!.GetValue<string>());
        Assert.Equal(0, lazy["objectCount"]!.GetValue<long>());
        Assert.False(lazy["compressed"]!.GetValue<bool>());
        Assert.Null(lazy["asyncReplicationStatus"]);
        Assert.True(lazy.ContainsKey("asyncReplicationStatus"));
        // Reporting only: the shard still serves its objects.
        Assert.Equal(20, (await _client.Get("Memory", "limit: 100", "_additional { id }")).Count);

        using var reset = await _client.DeleteAsync("_emulator/faults");
        Assert.True((await MemoryShard())["loaded"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("""{"shardReports": [{"class": "NoSuchClass", "lazyLoading": true}]}""")]
    [InlineData("""{"shardReports": [{"class": "Memory", "shard": "nope", "lazyLoading": true}]}""")]
    [InlineData("""{"shardReports": [{"class": "Memory", "vectorQueueLength": -1}]}""")]
    [InlineData("""{"shardReports": [{"lazyLoading": true}]}""")]
    public async Task A_bad_shard_report_is_refused_and_changes_nothing(string body)
    {
        using var response = await _client.PostAsync("_emulator/faults", TestHttp.Json(body));
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Empty(_emulator.Faults.Snapshot().ShardReports!);
    }

    // ------------------------------------------------------------------ REST search API

    private async Task<(int Status, JsonNode? Body)> Search(string kind, string body, string collection = "Bm25_Class")
    {
        OpenApiContract.Instance.AssertRequest($"/search/{{collection}}/{kind}", "post", JsonNode.Parse(body)!);
        using var response = await _client.PostAsync($"v1/search/{collection}/{kind}", TestHttp.Json(body));
        return ((int)response.StatusCode, await OpenApiContract.Instance.AssertResponse(response, $"/search/{{collection}}/{kind}", "post"));
    }

    [Fact]
    public async Task Rest_bm25_answers_what_GraphQL_answers()
    {
        var (status, body) = await Search("bm25", """{"query": "apple banana", "returnMetadata": ["score"], "returnProperties": ["title"], "limit": 2}""");
        Assert.Equal(200, status);
        var graphql = await Bm25("query: \"apple banana\"");
        var results = body!["results"]!.AsArray();
        Assert.Equal(graphql.Take(2).Select(h => h.Id), results.Select(r => r!["id"]!.GetValue<string>()));
        for (var i = 0; i < results.Count; i++)
            Assert.Equal(graphql[i].Score, results[i]!["metadata"]!["score"]!.GetValue<double>(), 1e-6);
        Assert.Equal(["title"], results[0]!["properties"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task Rest_hybrid_with_alpha_0_is_the_keyword_ranking_and_needs_a_vectorizer_otherwise()
    {
        var (status, body) = await Search("hybrid", """{"query": "apple", "alpha": 0, "fusionType": "ranked", "where": {"path": ["rank"], "operator": "LessThan", "valueInt": 2}}""");
        Assert.Equal(200, status);
        Assert.Equal([TextIds[0].ToString()], body!["results"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()));

        var (refused, error) = await Search("hybrid", """{"query": "apple"}""");
        Assert.Equal(422, refused);
        Assert.Contains("Make sure a vectorizer module is configured", error!["error"]![0]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Rest_near_object_measures_distances_and_refuses_certainty_on_l2()
    {
        var (status, body) = await Search("near-object", $$"""{"id": "{{TextIds[0]}}", "returnMetadata": ["distance"]}""");
        Assert.Equal(200, status);
        var results = body!["results"]!.AsArray();
        // Vectors (i, 1): squared euclidean distances from (0, 1) are 0, 1, 4.
        Assert.Equal(TextIds.Select(i => i.ToString()), results.Select(r => r!["id"]!.GetValue<string>()));
        Assert.Equal([0.0, 1.0, 4.0], results.Select(r => r!["metadata"]!["distance"]!.GetValue<double>()));

        var (refused, error) = await Search("near-object", $$"""{"id": "{{TextIds[0]}}", "certainty": 0.5}""");
        Assert.Equal(422, refused);
        Assert.Equal("can't compute and return certainty when vector index is configured with l2-squared distance",
            error!["error"]![0]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Rest_search_errors_have_their_status()
    {
        Assert.Equal(404, (await Search("bm25", """{"query": "x"}""", "NoSuchClass")).Status);
        Assert.Equal(422, (await Search("near-text", """{"query": ["fruit"]}""")).Status);
        Assert.Equal(422, (await Search("bm25", """{"query": "x", "groupBy": "title"}""")).Status);
        Assert.Equal(400, (await Search("bm25", """{"query": "x", "limit": -1}""")).Status);
        Assert.Equal(400, (await Search("bm25", """{"query": "x", "queryProperties": ["rank"]}""")).Status);
        Assert.Equal(400, (await Search("near-object", $$"""{"id": "{{Guid.NewGuid()}}"}""")).Status);
    }
}
