using System.Text.Json.Nodes;
using Google.Protobuf.WellKnownTypes;
using Value = Google.Protobuf.WellKnownTypes.Value;
using Grpc.Core;
using Grpc.Health.V1;
using Weaviate.V1;

namespace Orchestra.WeaviateEmulator.Tests;

/// <summary>gRPC BatchObjects / BatchDelete, the API key, the health check and the faults that reach the gRPC port.</summary>
public sealed class GrpcWriteAuthAndFaultTests
{
    private const string Notes = "Notes";

    private static async Task<RunningEmulator> StartWithNotes(string? apiKey = null)
    {
        var emulator = await RunningEmulator.StartAsync(new EmulatorOptions { GrpcPort = 0, ApiKey = apiKey });
        emulator.Store.CreateClass("""
            {"class": "Notes", "vectorizer": "none", "properties": [
              {"name": "text", "dataType": ["text"]}, {"name": "rank", "dataType": ["int"]},
              {"name": "scores", "dataType": ["number[]"]}, {"name": "labels", "dataType": ["text[]"]}]}
            """);
        return emulator;
    }

    private static BatchObject Note(Guid id, string text, long rank, float[] vector) => new()
    {
        Collection = Notes,
        Uuid = id.ToString(),
        VectorBytes = TestGrpc.Bytes(vector),
        Properties = new BatchObject.Types.Properties
        {
            NonRefProperties = new Struct { Fields = { ["text"] = Value.ForString(text), ["rank"] = Value.ForNumber(rank) } },
            TextArrayProperties = { new TextArrayProperties { PropName = "labels", Values = { "a", "b" } } },
            NumberArrayProperties = { new NumberArrayProperties { PropName = "scores", ValuesBytes = Google.Protobuf.ByteString.CopyFrom(BitConverter.GetBytes(0.25).Concat(BitConverter.GetBytes(1.5)).ToArray()) } },
        },
    };

    private static Filters RankAtLeast(long rank) =>
        new() { Operator = Filters.Types.Operator.GreaterThanEqual, Target = new FilterTarget { Property = "rank" }, ValueInt = rank };

    [Fact]
    public async Task BatchObjects_stores_objects_that_REST_reads_back_and_reports_failures_by_index()
    {
        await using var emulator = await StartWithNotes();
        using var grpc = new TestGrpc(emulator);
        using var http = emulator.CreateClient();
        var id = Guid.Parse("20000000-0000-0000-0000-000000000001");
        var bad = Note(Guid.NewGuid(), "wrong type", 1, [1, 0]);
        bad.Properties.NonRefProperties.Fields["rank"] = Value.ForString("high");
        var request = new BatchObjectsRequest
        {
            Objects = { Note(id, "first note", 3, [0.6f, 0.8f]), bad, new BatchObject { Collection = "Nope", Uuid = Guid.NewGuid().ToString() } },
        };

        var reply = await grpc.Client.BatchObjectsAsync(request);

        Assert.Equal([1, 2], reply.Errors.Select(e => e.Index));
        Assert.Contains("invalid integer property 'rank' on class 'Notes'", reply.Errors[0].Error);
        Assert.Equal("class 'Nope' not present in schema", reply.Errors[1].Error);
        var stored = (await (await http.GetAsync($"v1/objects/Notes/{id}?include=vector")).ReadJson())!;
        Assert.Equal("first note", stored["properties"]!["text"]!.GetValue<string>());
        Assert.Equal(3, stored["properties"]!["rank"]!.GetValue<long>());
        Assert.Equal(["a", "b"], stored["properties"]!["labels"]!.AsArray().Select(x => x!.GetValue<string>()));
        Assert.Equal([0.25, 1.5], stored["properties"]!["scores"]!.AsArray().Select(x => x!.GetValue<double>()));
        Assert.Equal([0.6f, 0.8f], stored["vector"]!.AsArray().Select(x => x!.GetValue<float>()));
        Assert.Equal(1, emulator.Store.CountObjects(Notes));
    }

    [Fact]
    public async Task BatchDelete_dry_run_changes_nothing_and_a_real_one_deletes_the_matches()
    {
        await using var emulator = await StartWithNotes();
        using var grpc = new TestGrpc(emulator);
        var ids = Enumerable.Range(1, 5).Select(i => Guid.Parse($"30000000-0000-0000-0000-00000000000{i}")).ToList();
        await grpc.Client.BatchObjectsAsync(new BatchObjectsRequest { Objects = { ids.Select((id, i) => Note(id, $"note {i}", i, [1, i])) } });

        var dry = await grpc.Client.BatchDeleteAsync(new BatchDeleteRequest { Collection = Notes, Filters = RankAtLeast(3), DryRun = true, Verbose = true });
        Assert.Equal((2L, 2L, 0L), (dry.Matches, dry.Successful, dry.Failed));
        Assert.Equal(ids[3..].Select(id => id.ToByteArray(bigEndian: true).SkipWhile(b => b == 0).ToArray()),
            dry.Objects.Select(o => o.Uuid.ToByteArray()));
        Assert.Equal(5, emulator.Store.CountObjects(Notes));

        var real = await grpc.Client.BatchDeleteAsync(new BatchDeleteRequest { Collection = Notes, Filters = RankAtLeast(3) });
        Assert.Equal((2L, 2L), (real.Matches, real.Successful));
        Assert.Empty(real.Objects);     // not verbose
        Assert.Equal(3, emulator.Store.CountObjects(Notes));
        var left = await grpc.Client.AggregateAsync(new AggregateRequest { Collection = Notes, ObjectsCount = true });
        Assert.Equal(3, left.SingleResult.ObjectsCount);

        var noFilter = await TestGrpc.Fails(() => grpc.Client.BatchDeleteAsync(new BatchDeleteRequest { Collection = Notes }).ResponseAsync);
        Assert.Equal("no filters in batch delete request", noFilter.Status.Detail);
    }

    [Fact]
    public async Task With_an_API_key_calls_need_the_bearer_metadata_and_the_health_check_does_not()
    {
        await using var emulator = await StartWithNotes(apiKey: "secret-key");
        using var anonymous = new TestGrpc(emulator);
        using var wrong = new TestGrpc(emulator, apiKey: "not-it");
        using var right = new TestGrpc(emulator, apiKey: "secret-key");
        var request = TestGrpc.Request(Notes);

        foreach (var client in new[] { anonymous, wrong })
        {
            var error = await TestGrpc.Fails(() => client.Search(request));
            Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
            Assert.Equal("extract auth: unauthorized: invalid api key", error.Status.Detail);
            var aggregate = await TestGrpc.Fails(() => client.Client.AggregateAsync(new AggregateRequest { Collection = Notes }, client.Headers).ResponseAsync);
            Assert.Equal(StatusCode.Unauthenticated, aggregate.StatusCode);
        }
        Assert.Empty((await right.Search(request)).Results);
        var health = await anonymous.Health.CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    [Fact]
    public async Task Without_an_API_key_a_bearer_token_is_refused()
    {
        await using var emulator = await StartWithNotes();
        using var client = new TestGrpc(emulator, apiKey: "stray");

        var error = await TestGrpc.Fails(() => client.Search(TestGrpc.Request(Notes)));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.StartsWith("extract auth: no authentication scheme is configured", error.Status.Detail);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/grpc.health.v1.Health/Check")]     // what weaviate-client 3.14.0 asks for
    [InlineData("weaviate.v1.Weaviate")]
    public async Task The_health_check_answers_serving_for_any_service_name(string service)
    {
        await using var emulator = await StartWithNotes();
        using var client = new TestGrpc(emulator);

        var reply = await client.Health.CheckAsync(new HealthCheckRequest { Service = service });

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task The_REST_port_does_not_answer_gRPC_and_no_GrpcPort_means_no_gRPC_server()
    {
        await using var withGrpc = await StartWithNotes();
        Assert.NotEqual(withGrpc.Url.Port, withGrpc.GrpcUrl!.Port);
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(withGrpc.Url);
        var error = await TestGrpc.Fails(() => new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest()).ResponseAsync);
        Assert.NotEqual(StatusCode.OK, error.StatusCode);

        await using var without = await RunningEmulator.StartAsync(new EmulatorOptions());
        Assert.Null(without.GrpcUrl);
    }

    // ------------------------------------------------------------------ faults

    [Fact]
    public async Task A_status_fault_set_over_HTTP_answers_gRPC_calls_and_spares_the_health_check()
    {
        await using var emulator = await StartWithNotes();
        using var grpc = new TestGrpc(emulator);
        using var http = emulator.CreateClient();

        using var set = await http.PostAsync("_emulator/faults", TestHttp.Json("""{"grpcStatus": "UNAVAILABLE", "statusMessage": "node is restarting"}"""));
        Assert.Equal("UNAVAILABLE", (await set.ReadJson())!["grpcStatus"]!.GetValue<string>());

        var error = await TestGrpc.Fails(() => grpc.Search(TestGrpc.Request(Notes)));
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal("node is restarting", error.Status.Detail);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await grpc.Health.CheckAsync(new HealthCheckRequest())).Status);

        // pathPrefix narrows it to one method: Aggregate fails with INTERNAL, Search works.
        await http.PutAsync("_emulator/faults", TestHttp.Json("""{"grpcStatus": "INTERNAL", "pathPrefix": "/weaviate.v1.Weaviate/Aggregate"}"""));
        var aggregate = await TestGrpc.Fails(() => grpc.Client.AggregateAsync(new AggregateRequest { Collection = Notes, ObjectsCount = true }).ResponseAsync);
        Assert.Equal(StatusCode.Internal, aggregate.StatusCode);
        Assert.Equal("emulated fault: the emulator was told to answer INTERNAL", aggregate.Status.Detail);
        Assert.Empty((await grpc.Search(TestGrpc.Request(Notes))).Results);

        using var invalid = await http.PostAsync("_emulator/faults", TestHttp.Json("""{"grpcStatus": "OK"}"""));
        Assert.Equal(400, (int)invalid.StatusCode);
        await http.DeleteAsync("_emulator/faults");
        Assert.Equal(0, (await grpc.Client.AggregateAsync(new AggregateRequest { Collection = Notes, ObjectsCount = true })).SingleResult.ObjectsCount);
    }

    [Fact]
    public async Task A_down_gRPC_port_fails_calls_on_an_open_channel_and_comes_back_when_cleared()
    {
        await using var emulator = await StartWithNotes();
        using var grpc = new TestGrpc(emulator);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await grpc.Health.CheckAsync(new HealthCheckRequest())).Status);

        emulator.Faults.GrpcDown = true;
        var search = await TestGrpc.Fails(() => grpc.Search(TestGrpc.Request(Notes)));
        var health = await TestGrpc.Fails(() => grpc.Health.CheckAsync(new HealthCheckRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, search.StatusCode);
        Assert.Equal(StatusCode.Unavailable, health.StatusCode);
        using var newcomer = new TestGrpc(emulator);     // a new connection is closed at once
        Assert.Equal(StatusCode.Unavailable, (await TestGrpc.Fails(() => newcomer.Health.CheckAsync(new HealthCheckRequest()).ResponseAsync)).StatusCode);
        using var http = emulator.CreateClient();
        Assert.True((await http.GetAsync("v1/meta")).IsSuccessStatusCode, "REST keeps working");

        emulator.Faults.GrpcDown = false;
        using var fresh = new TestGrpc(emulator);
        Assert.Empty((await fresh.Search(TestGrpc.Request(Notes))).Results);
        // The open channel may still be finishing a connection attempt made while the port was down: like any gRPC client
        // it reconnects, and a call that waits for the channel to be ready gets through.
        var waiting = new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30)).WithWaitForReady();
        Assert.Empty((await grpc.Client.SearchAsync(TestGrpc.Request(Notes), waiting)).Results);
    }

    [Fact]
    public async Task NotServing_and_latency_faults_reach_the_gRPC_port()
    {
        await using var emulator = await StartWithNotes();
        using var grpc = new TestGrpc(emulator);

        emulator.Faults.GrpcNotServing = true;
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, (await grpc.Health.CheckAsync(new HealthCheckRequest())).Status);
        emulator.Faults.GrpcNotServing = false;

        emulator.Faults.LatencyMs = 5_000;
        var late = await TestGrpc.Fails(() => grpc.Client.SearchAsync(TestGrpc.Request(Notes), deadline: DateTime.UtcNow.AddMilliseconds(200)).ResponseAsync);
        Assert.Equal(StatusCode.DeadlineExceeded, late.StatusCode);
        emulator.Faults.LatencyMs = 0;
        Assert.Empty((await grpc.Search(TestGrpc.Request(Notes))).Results);
    }
}
