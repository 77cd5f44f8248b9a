using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestra.WeaviateEmulator.Tests;

/// <summary>Each fault kind, set from C# and over HTTP at /_emulator/faults. A fresh emulator per test.</summary>
public sealed class FaultTests : IAsyncLifetime
{
    private RunningEmulator _emulator = null!;
    private HttpClient _client = null!;
    private static OpenApiContract Spec => OpenApiContract.Instance;

    public async Task InitializeAsync()
    {
        _emulator = await RunningEmulator.StartAsync(new EmulatorOptions { DemoObjects = 50, Nodes = 3 });
        _client = _emulator.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _emulator.DisposeAsync();
    }

    [Fact]
    public async Task Latency_delays_every_v1_request()
    {
        _emulator.Faults.LatencyMs = 300;
        var watch = Stopwatch.StartNew();
        using var response = await _client.GetAsync("v1/.well-known/live");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.True(watch.ElapsedMilliseconds >= 290, $"answered after {watch.ElapsedMilliseconds} ms");

        _emulator.Faults.Reset();
        watch.Restart();
        using var fast = await _client.GetAsync("v1/meta");
        Assert.True(watch.ElapsedMilliseconds < 290, $"still slow after Reset: {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task A_forced_500_is_an_ErrorResponse_and_spares_the_health_endpoints()
    {
        _emulator.Faults.StatusCode = 500;
        _emulator.Faults.StatusMessage = "disk on fire";
        using var response = await _client.GetAsync("v1/nodes");
        Assert.Equal(500, (int)response.StatusCode);
        var body = (await Spec.AssertResponse(response, "/nodes", "get"))!;
        Assert.Equal("disk on fire", body["error"]![0]!["message"]!.GetValue<string>());
        using var live = await _client.GetAsync("v1/.well-known/live");
        Assert.Equal(200, (int)live.StatusCode);
    }

    [Fact]
    public async Task A_forced_401_has_the_go_openapi_body()
    {
        _emulator.Faults.StatusCode = 401;
        using var response = await _client.GetAsync("v1/schema");
        Assert.Equal(401, (int)response.StatusCode);
        Assert.Equal("unauthorized: invalid api key", (await response.ReadJson())!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_path_prefix_limits_the_fault()
    {
        _emulator.Faults.StatusCode = 503;
        _emulator.Faults.PathPrefix = "/v1/graphql";
        using var meta = await _client.GetAsync("v1/meta");
        Assert.Equal(200, (int)meta.StatusCode);
        using var graphql = await _client.PostAsync("v1/graphql", TestHttp.Json("""{"query":"{ Aggregate { Memory { meta { count } } } }"}"""));
        Assert.Equal(503, (int)graphql.StatusCode);
    }

    [Fact]
    public async Task Malformed_json_keeps_the_status_and_breaks_the_body()
    {
        _emulator.Faults.MalformedJson = true;
        using var response = await _client.GetAsync("v1/schema");
        Assert.Equal(200, (int)response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("{\"classes\":", text);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(text));
    }

    [Fact]
    public async Task Dropped_connections_abort_the_request()
    {
        _emulator.Faults.DropConnections = true;
        await Assert.ThrowsAsync<HttpRequestException>(() => _client.GetAsync("v1/meta"));
        _emulator.Faults.DropConnections = false;
        using var response = await _client.GetAsync("v1/meta");
        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task Ready_can_answer_503_while_live_stays_200()
    {
        _emulator.Faults.ReadyUnavailable = true;
        using var ready = await _client.GetAsync("v1/.well-known/ready");
        Assert.Equal(503, (int)ready.StatusCode);
        Assert.Equal("", await ready.Content.ReadAsStringAsync());
        await Spec.AssertResponse(ready, "/.well-known/ready", "get");
        using var live = await _client.GetAsync("v1/.well-known/live");
        Assert.Equal(200, (int)live.StatusCode);
    }

    [Fact]
    public async Task Unhealthy_and_unreachable_nodes_are_reported_as_weaviate_does()
    {
        _emulator.Faults.SetNodeStatus("node1", NodeHealth.Unhealthy);
        _emulator.Faults.SetNodeStatus("node2", NodeHealth.Unavailable);
        _emulator.Faults.SetNodeStatus("node3", NodeHealth.Timeout);
        using var response = await _client.GetAsync("v1/nodes?output=verbose");
        var nodes = (await Spec.AssertResponse(response, "/nodes", "get"))!["nodes"]!.AsArray();

        Assert.Equal("UNHEALTHY", nodes[0]!["status"]!.GetValue<string>());
        Assert.Equal("1.40.0", nodes[0]!["version"]!.GetValue<string>());     // full entry
        Assert.NotNull(nodes[0]!["shards"]);
        Assert.Equal("""{"name":"node2","shards":null,"status":"UNAVAILABLE"}""", nodes[1]!.ToJsonString());
        Assert.Equal("""{"name":"node3","shards":null,"status":"TIMEOUT"}""", nodes[2]!.ToJsonString());

        using var stats = await _client.GetAsync("v1/cluster/statistics");
        var body = (await Spec.AssertResponse(stats, "/cluster/statistics", "get"))!;
        Assert.False(body["synchronized"]!.GetValue<bool>());
        Assert.Equal("""{"name":"node2","status":"UNAVAILABLE"}""", body["statistics"]![1]!.ToJsonString());
    }

    [Fact]
    public async Task A_readonly_shard_shows_in_nodes_and_shards_refuses_writes_and_is_undone_by_PUT_READY()
    {
        var shard = _emulator.Store.Shards("Memory").First();
        _emulator.Faults.SetShardReadOnly("Memory", shard.Name);

        using var nodes = await _client.GetAsync("v1/nodes/Memory?output=verbose");
        var reported = (await Spec.AssertResponse(nodes, "/nodes/{className}", "get"))!["nodes"]!.AsArray()
            .SelectMany(n => n!["shards"]!.AsArray()).Single(s => s!["name"]!.GetValue<string>() == shard.Name)!;
        Assert.Equal("READONLY", reported["vectorIndexingStatus"]!.GetValue<string>());
        using var shards = await _client.GetAsync("v1/schema/Memory/shards");
        var listed = (await Spec.AssertResponse(shards, "/schema/{className}/shards", "get"))!.AsArray();
        Assert.Equal("READONLY", listed.Single(s => s!["name"]!.GetValue<string>() == shard.Name)!["status"]!.GetValue<string>());

        // 30 fixed ids spread over the 3 shards: those that land on the readonly one fail.
        var results = await SharedEmulator.Batch(_client, new JsonArray(Enumerable.Range(0, 30).Select(i => (JsonNode?)new JsonObject
        {
            ["class"] = "Memory",
            ["id"] = $"20000000-0000-4000-8000-{i:D12}",
            ["properties"] = new JsonObject { ["content"] = $"probe {i}" },
        }).ToArray()));
        var failed = results.Where(r => r!["result"]!["status"]!.GetValue<string>() == "FAILED").ToList();
        Assert.NotEmpty(failed);
        Assert.Contains("store is read-only", failed[0]!["result"]!["errors"]!["error"]![0]!["message"]!.GetValue<string>());

        var update = new JsonObject { ["status"] = "READY" };
        Spec.AssertRequest("/schema/{className}/shards/{shardName}", "put", update);
        using var put = await _client.PutAsync($"v1/schema/Memory/shards/{shard.Name}", TestHttp.Json(update));
        Assert.Equal(200, (int)put.StatusCode);
        Assert.Equal("READY", (await Spec.AssertResponse(put, "/schema/{className}/shards/{shardName}", "put"))!["status"]!.GetValue<string>());

        var retry = await SharedEmulator.Batch(_client, new JsonArray(failed.Select(f => (JsonNode?)new JsonObject
        {
            ["class"] = "Memory",
            ["id"] = f!["id"]!.GetValue<string>(),
            ["properties"] = new JsonObject { ["content"] = "retried" },
        }).ToArray()), expectAllSuccess: true);
        Assert.Equal(failed.Count, retry.Count);
    }

    [Fact]
    public async Task PUT_shard_status_also_sets_READONLY_and_rejects_unknown_shards()
    {
        var shard = _emulator.Store.Shards("Memory")[1];
        using var put = await _client.PutAsync($"v1/schema/Memory/shards/{shard.Name}", TestHttp.Json("""{"status":"READONLY"}"""));
        Assert.Equal(200, (int)put.StatusCode);
        Assert.Equal("READONLY", _emulator.Store.Shards("Memory")[1].Status);
        Assert.Contains(_emulator.Faults.Snapshot().ReadOnlyShards!, s => s.Shard == shard.Name);

        using var unknown = await _client.PutAsync("v1/schema/Memory/shards/nope", TestHttp.Json("""{"status":"READY"}"""));
        Assert.Equal(404, (int)unknown.StatusCode);
        await Spec.AssertResponse(unknown, "/schema/{className}/shards/{shardName}", "put");
        using var invalid = await _client.PutAsync($"v1/schema/Memory/shards/{shard.Name}", TestHttp.Json("""{"status":"BROKEN"}"""));
        Assert.Equal(422, (int)invalid.StatusCode);
        await Spec.AssertResponse(invalid, "/schema/{className}/shards/{shardName}", "put");

        _emulator.Faults.Reset();
        Assert.Equal("READY", _emulator.Store.Shards("Memory")[1].Status);
    }

    // ------------------------------------------------------------------ over HTTP

    [Fact]
    public async Task Faults_can_be_set_shown_and_cleared_over_http()
    {
        var shard = _emulator.Store.Shards("Memory")[2].Name;
        using var put = await _client.PutAsync("_emulator/faults", TestHttp.Json($$"""
            {"latencyMs": 5, "statusCode": 502, "statusMessage": "bad gateway", "pathPrefix": "/v1/schema",
             "nodeStatus": {"node2": "UNHEALTHY"}, "readOnlyShards": [{"class": "Memory", "shard": "{{shard}}"}]}
            """));
        Assert.Equal(200, (int)put.StatusCode);
        var shown = (await put.ReadJson())!;
        Assert.Equal(502, shown["statusCode"]!.GetValue<int>());
        Assert.Equal("UNHEALTHY", shown["nodeStatus"]!["node2"]!.GetValue<string>());
        Assert.Equal(shard, shown["readOnlyShards"]![0]!["shard"]!.GetValue<string>());
        Assert.Equal(5, _emulator.Faults.LatencyMs);
        Assert.Equal(NodeHealth.Unhealthy, _emulator.Faults.GetNodeStatus("node2"));

        using var schema = await _client.GetAsync("v1/schema");
        Assert.Equal(502, (int)schema.StatusCode);
        Assert.Equal("bad gateway", (await schema.ReadJson())!["error"]![0]!["message"]!.GetValue<string>());

        // POST changes only what it names; PUT replaces everything.
        using var post = await _client.PostAsync("_emulator/faults", TestHttp.Json("""{"readyUnavailable": true}"""));
        Assert.Equal(200, (int)post.StatusCode);
        Assert.Equal(502, _emulator.Faults.StatusCode);
        Assert.True(_emulator.Faults.ReadyUnavailable);
        using var replace = await _client.PutAsync("_emulator/faults", TestHttp.Json("""{"dropConnections": false}"""));
        Assert.Null(_emulator.Faults.StatusCode);
        Assert.False(_emulator.Faults.ReadyUnavailable);
        Assert.Equal("READY", _emulator.Store.Shards("Memory")[2].Status);

        _emulator.Faults.LatencyMs = 7;
        using var delete = await _client.DeleteAsync("_emulator/faults");
        var cleared = (await delete.ReadJson())!;
        Assert.Equal(0, cleared["latencyMs"]!.GetValue<int>());
        Assert.Equal(0, _emulator.Faults.LatencyMs);

        using var get = await _client.GetAsync("_emulator/faults");
        Assert.Equal(["node1", "node2", "node3"], (await get.ReadJson())!["nodeStatus"]!.AsObject().Select(p => p.Key));
    }

    [Theory]
    [InlineData("""{"latencyMs": -1}""")]
    [InlineData("""{"statusCode": 200}""")]
    [InlineData("""{"nodeStatus": {"node9": "UNHEALTHY"}}""")]
    [InlineData("""{"nodeStatus": {"node1": "ON_FIRE"}}""")]
    [InlineData("""{"readOnlyShards": [{"class": "NoSuchClass"}]}""")]
    [InlineData("""{"latency": 5}""")]
    [InlineData("""not json""")]
    public async Task Invalid_fault_settings_are_a_400_and_change_nothing(string json)
    {
        using var response = await _client.PutAsync("_emulator/faults", TestHttp.Json(json));
        Assert.Equal(400, (int)response.StatusCode);
        Assert.NotNull((await response.ReadJson())!["error"]);
        Assert.Equal(0, _emulator.Faults.LatencyMs);
        Assert.Equal(NodeHealth.Healthy, _emulator.Faults.GetNodeStatus("node1"));
    }

    [Fact]
    public async Task Faults_do_not_touch_the_control_endpoint()
    {
        _emulator.Faults.DropConnections = true;
        _emulator.Faults.StatusCode = 500;
        using var response = await _client.DeleteAsync("_emulator/faults");
        Assert.Equal(200, (int)response.StatusCode);
        using var meta = await _client.GetAsync("v1/meta");
        Assert.Equal(200, (int)meta.StatusCode);
    }
}
