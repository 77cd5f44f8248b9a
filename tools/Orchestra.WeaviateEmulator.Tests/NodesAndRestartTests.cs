using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Orchestra.WeaviateEmulator.Tests;

public sealed class MultiNodeTests
{
    [Fact]
    public async Task Shards_are_spread_over_the_nodes_and_counts_add_up()
    {
        await using var emulator = await RunningEmulator.StartAsync(new EmulatorOptions { DemoObjects = 300, Nodes = 3 });
        using var client = emulator.CreateClient();
        using var response = await client.GetAsync("v1/nodes?output=verbose");
        var nodes = (await OpenApiContract.Instance.AssertResponse(response, "/nodes", "get"))!["nodes"]!.AsArray();

        Assert.Equal(["node1", "node2", "node3"], nodes.Select(n => n!["name"]!.GetValue<string>()));
        var total = 0L;
        foreach (var node in nodes)
        {
            var shards = node!["shards"]!.AsArray();
            var memory = shards.Single()!;                                  // one Memory shard per node
            var count = memory["objectCount"]!.GetValue<long>();
            Assert.True(count > 50, $"{node["name"]}: {count} objects, the hash should spread 300 objects");
            Assert.Equal(count, node["stats"]!["objectCount"]!.GetValue<long>());
            Assert.Equal(1, node["stats"]!["shardCount"]!.GetValue<long>());
            total += count;
        }
        Assert.Equal(300, total);

        // The counts are the objects actually stored on each shard.
        var perShard = emulator.Store.Shards("Memory").ToDictionary(s => s.Name, s => s.ObjectCount);
        Assert.Equal(perShard.Values.Sum(), emulator.Store.CountObjects("Memory"));
        foreach (var node in nodes)
        {
            var shard = node!["shards"]![0]!;
            Assert.Equal(perShard[shard["name"]!.GetValue<string>()], shard["objectCount"]!.GetValue<long>());
        }

        // Adding and deleting objects moves the counts.
        var id = emulator.Store.AddObject("Memory", new JsonObject { ["content"] = "one more" });
        using var after = await client.GetAsync("v1/nodes?output=verbose");
        var sum = (await after.ReadJson())!["nodes"]!.AsArray().Sum(n => n!["stats"]!["objectCount"]!.GetValue<long>());
        Assert.Equal(301, sum);
        Assert.True(emulator.Store.DeleteObject("Memory", id));
        Assert.Equal(300, emulator.Store.Shards("Memory").Sum(s => s.ObjectCount));
    }

    [Fact]
    public async Task A_shard_name_narrows_the_class_nodes()
    {
        await using var emulator = await RunningEmulator.StartAsync(new EmulatorOptions { DemoObjects = 30, Nodes = 2 });
        using var client = emulator.CreateClient();
        var shard = emulator.Store.Shards("Memory")[1];
        using var response = await client.GetAsync($"v1/nodes/Memory?output=verbose&shardName={shard.Name}");
        var nodes = (await OpenApiContract.Instance.AssertResponse(response, "/nodes/{className}", "get"))!["nodes"]!.AsArray();
        var shards = nodes.SelectMany(n => n!["shards"]!.AsArray()).ToList();
        Assert.Equal(shard.Name, shards.Single()!["name"]!.GetValue<string>());
        Assert.Equal(shard.Node, nodes.Single(n => n!["shards"]!.AsArray().Count == 1)!["name"]!.GetValue<string>());
    }
}

public sealed class RestartTests
{
    [Fact]
    public async Task An_emulator_can_be_stopped_and_started_again_on_the_same_port_with_its_data()
    {
        var first = await RunningEmulator.StartAsync(new EmulatorOptions { DemoObjects = 25 });
        var url = first.Url;
        using var client = new HttpClient { BaseAddress = url };
        using (var up = await client.GetAsync("v1/.well-known/ready"))
            Assert.Equal(200, (int)up.StatusCode);

        await first.StopAsync();
        await first.StopAsync(); // twice is fine
        var outage = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("v1/.well-known/ready"));
        Assert.IsType<SocketException>(outage.InnerException);

        await using var second = await RunningEmulator.StartAsync(new EmulatorOptions { Port = url.Port, Store = first.Store });
        Assert.Equal(url, second.Url);
        using var back = await client.GetAsync("v1/.well-known/ready");
        Assert.Equal(200, (int)back.StatusCode);
        var result = await client.GraphQL("{ Aggregate { Memory { meta { count } } } }");
        Assert.Equal(25, result["data"]!["Aggregate"]!["Memory"]![0]!["meta"]!["count"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_WeaviateEmulator_entry_point_starts_on_any_free_port()
    {
        await using var a = await WeaviateEmulator.StartAsync(new EmulatorOptions());
        await using var b = await WeaviateEmulator.StartAsync(new EmulatorOptions());
        Assert.NotEqual(a.Url.Port, b.Url.Port);
        Assert.Equal("127.0.0.1", a.Url.Host);
        Assert.Empty(a.Store.ClassNames()); // DemoObjects = 0: no demo class
    }
}
