using Microsoft.Extensions.DependencyInjection;
using Orchestra.Admin.Data.Weaviate;
using Orchestra.Admin.Data.Weaviate.Grpc;
using Orchestra.Admin.Features.VectorSearch;
using Orchestra.Admin.Hosting;
using DemoData = Orchestra.WeaviateEmulator.DemoData;
using EmulatorOptions = Orchestra.WeaviateEmulator.EmulatorOptions;
using MsOptions = Microsoft.Extensions.Options.Options;
using RunningEmulator = Orchestra.WeaviateEmulator.RunningEmulator;

namespace Orchestra.Admin.Tests.VectorSearch;

/// <summary>
/// The dashboard's gRPC search against the emulator's gRPC API (real HTTP/2, Weaviate's protos): every mode gives the same
/// hits, order and distances as the same search over GraphQL; each failure gets its message; auto picks gRPC when it is served.
/// </summary>
public sealed class GrpcVectorSearchTests : IAsyncLifetime
{
    private const string ApiKey = "grpc-search-key";
    private RunningEmulator emulator = null!;
    private ServiceProvider services = null!;

    public async Task InitializeAsync()
    {
        emulator = await RunningEmulator.StartAsync(new EmulatorOptions { DemoObjects = 300, ApiKey = ApiKey, GrpcPort = 0 });
        services = Services();
    }

    public async Task DisposeAsync()
    {
        await services.DisposeAsync();
        await emulator.DisposeAsync();
    }

    private ServiceProvider Services(string protocol = "auto", string apiKey = ApiKey, int retries = 0, int breakerThroughput = 10, int timeoutSeconds = 10)
    {
        var settings = new OrchestraAdminOptions
        {
            Weaviate =
            {
                Url = emulator.Url, GrpcUrl = emulator.GrpcUrl, ApiKey = apiKey, RetryCount = retries, SearchProtocol = protocol,
                CircuitBreakerMinimumThroughput = breakerThroughput, CircuitBreakerBreakSeconds = 30, RequestTimeoutSeconds = timeoutSeconds,
            },
        };
        return new ServiceCollection().AddLogging().AddSingleton(MsOptions.Create(settings)).AddWeaviateClient(settings)
            .AddSingleton<SearchProtocolChoice>().AddScoped<ProtocolVectorSearch>().BuildServiceProvider();
    }

    private GrpcVectorSearch Grpc(IServiceProvider? provider = null)
    {
        provider ??= services;
        return new GrpcVectorSearch(provider.GetRequiredService<IWeaviateGrpcClient>(), new SearchClasses(provider));
    }

    private GraphQLVectorSearch GraphQL() => new(services);

    private static string Text(float[] vector) => GraphQLText.Vector(vector);

    public static TheoryData<string> Searches => ["nearVector", "nearVector certainty", "nearObject distance", "bm25", "hybrid ranked", "hybrid relative vector", "filters"];

    private static SearchRequest Request(string name)
    {
        var astronomy = Text(DemoData.TopicVector("astronomy"));
        var first = DemoData.Memories[0].Id.ToString();
        return name switch
        {
            "nearVector" => new() { ClassName = "Memory", VectorText = astronomy, Limit = 25 },
            "nearVector certainty" => new() { ClassName = "Memory", VectorText = astronomy, ThresholdKind = ThresholdKind.Certainty, Threshold = 0.7, Limit = 50 },
            "nearObject distance" => new() { ClassName = "Memory", Mode = SearchMode.NearObject, ObjectId = first, ThresholdKind = ThresholdKind.Distance, Threshold = 0.8, Limit = 40 },
            "bm25" => new() { ClassName = "Memory", Mode = SearchMode.Bm25, QueryText = "telescope orbit", Limit = 20 },
            "hybrid ranked" => new() { ClassName = "Memory", Mode = SearchMode.Hybrid, QueryText = "sourdough oven", Alpha = 0, Fusion = HybridFusion.RankedFusion, Limit = 15 },
            "hybrid relative vector" => new() { ClassName = "Memory", Mode = SearchMode.Hybrid, QueryText = "telescope", Alpha = 0.6, VectorText = astronomy, Limit = 15 },
            _ => new()
            {
                ClassName = "Memory", VectorText = astronomy, Limit = 30,
                Filters = [new("timestamp", FilterOperator.GreaterThan, "2025-01-02T00:00:00Z"), new("content", FilterOperator.Like, "*the*")],
            },
        };
    }

    [Theory]
    [MemberData(nameof(Searches))]
    public async Task A_search_over_gRPC_gives_the_same_hits_order_and_distances_as_over_GraphQL(string name)
    {
        var request = Request(name);
        var overGrpc = await Grpc().SearchAsync(request);
        var overGraphQL = await GraphQL().SearchAsync(request);

        Assert.Equal("gRPC", overGrpc.Protocol);
        Assert.NotEmpty(overGrpc.Hits);
        Assert.Equal(overGraphQL.Hits.Select(h => h.Id), overGrpc.Hits.Select(h => h.Id));
        foreach (var (g, q) in overGrpc.Hits.Zip(overGraphQL.Hits))
        {
            Assert.Equal(q.Distance.HasValue, g.Distance.HasValue);
            if (q.Distance is { } d) Assert.Equal(d, g.Distance!.Value, 1e-6);
            if (q.Certainty is { } c) Assert.Equal(c, g.Certainty!.Value, 1e-6);
            if (q.Score is { } s) Assert.Equal(s, g.Score!.Value, 1e-5);
            Assert.Equal(q.Properties.ToJsonString(), g.Properties.ToJsonString());
        }
    }

    [Fact]
    public async Task The_request_shown_is_protobufs_JSON_form_with_the_vector_folded_and_the_copy_is_the_whole_request()
    {
        var result = await Grpc().SearchAsync(Request("nearVector"));
        Assert.Contains("\"collection\": \"Memory\"", result.ShownQuery);
        Assert.Contains("\"vectorBytes\": \"[384 numbers]\"", result.ShownQuery);
        Assert.Contains("\"uses127Api\": true", result.ShownQuery);
        var full = Google.Protobuf.JsonParser.Default.Parse<global::Weaviate.V1.SearchRequest>(result.Query);
        Assert.Equal(384 * 4, full.NearVector.Vectors[0].VectorBytes.Length);
    }

    [Fact]
    public async Task Object_counts_over_gRPC_Aggregate_match_the_REST_count()
    {
        var grpc = services.GetRequiredService<IWeaviateGrpcClient>();
        Assert.Equal(300, await grpc.CountObjectsAsync("Memory"));
        Assert.Equal(await services.GetRequiredService<IWeaviateClient>().CountObjectsAsync("Memory"), await grpc.CountObjectsAsync("Memory"));
    }

    [Fact]
    public async Task A_wrong_key_is_named_with_Weaviates_words()
    {
        await using var wrong = Services(apiKey: "not-the-key");
        var e = await Assert.ThrowsAsync<WeaviateException>(() => Grpc(wrong).SearchAsync(Request("bm25")));
        Assert.Equal(WeaviateErrorKind.Unauthorized, e.Kind);
        Assert.Equal("API key rejected: unauthorized: invalid api key", e.Message); // the server's words after its status
    }

    [Fact]
    public async Task A_refusal_arrives_as_UNKNOWN_with_Weaviates_words_and_does_not_count_against_the_circuit()
    {
        await using var provider = Services(breakerThroughput: 2);
        var grpc = Grpc(provider);
        await grpc.DescribeClassAsync("Memory"); // the class is known (cached) …
        emulator.Store.DeleteClass("Memory"); // … and then gone: Weaviate refuses the search itself
        for (var i = 0; i < 4; i++)
        {
            var e = await Assert.ThrowsAsync<WeaviateException>(() => grpc.SearchAsync(Request("bm25")));
            Assert.Equal(WeaviateErrorKind.Rejected, e.Kind);
            Assert.Contains("Memory", e.Message);
        }
    }

    [Fact]
    public async Task A_closed_gRPC_port_is_unreachable_and_repeated_failures_pause_the_calls_with_the_last_failure_named()
    {
        await using var provider = Services(breakerThroughput: 2);
        var grpc = Grpc(provider);
        await grpc.DescribeClassAsync("Memory");
        emulator.Faults.GrpcDown = true;
        try
        {
            var first = await Assert.ThrowsAsync<WeaviateException>(() => grpc.SearchAsync(Request("bm25")));
            Assert.True(first.Kind == WeaviateErrorKind.Unreachable, $"{first.Kind}: {first.Message} ({first.InnerException?.Message})");
            Assert.StartsWith($"no answer from Weaviate's gRPC endpoint {emulator.GrpcUrl!.GetLeftPart(UriPartial.Authority)}", first.Message);
            await Assert.ThrowsAsync<WeaviateException>(() => grpc.SearchAsync(Request("bm25")));

            var paused = await Assert.ThrowsAsync<WeaviateException>(() => grpc.SearchAsync(Request("bm25")));
            Assert.Equal(WeaviateErrorKind.CircuitOpen, paused.Kind);
            Assert.Contains("are paused", paused.Message);
            Assert.Contains($"(last: no answer from Weaviate's gRPC endpoint {emulator.GrpcUrl!.GetLeftPart(UriPartial.Authority)}", paused.Message);
            // REST is another way in and keeps working.
            Assert.Equal(300, await provider.GetRequiredService<IWeaviateClient>().CountObjectsAsync("Memory"));
        }
        finally
        {
            emulator.Faults.GrpcDown = false;
        }
    }

    [Fact]
    public async Task No_answer_within_the_deadline_is_named_with_the_timeout()
    {
        await using var provider = Services(timeoutSeconds: 1);
        var grpc = Grpc(provider);
        await grpc.DescribeClassAsync("Memory");
        emulator.Faults.LatencyMs = 3_000; // beyond the client's 1 s deadline
        try
        {
            var e = await Assert.ThrowsAsync<WeaviateException>(() => grpc.SearchAsync(Request("bm25")));
            Assert.Equal(WeaviateErrorKind.Timeout, e.Kind);
            Assert.Equal($"no answer from Weaviate's gRPC endpoint {emulator.GrpcUrl!.GetLeftPart(UriPartial.Authority)} within 1 s", e.Message);
        }
        finally
        {
            emulator.Faults.LatencyMs = 0;
        }
    }

    [Fact]
    public async Task An_internal_error_names_the_status_and_the_servers_words()
    {
        emulator.Faults.GrpcStatus = global::Grpc.Core.StatusCode.Internal;
        try
        {
            var e = await Assert.ThrowsAsync<WeaviateException>(() => Grpc().SearchAsync(Request("bm25")));
            Assert.Equal(WeaviateErrorKind.ServerError, e.Kind);
            Assert.StartsWith("Weaviate's gRPC endpoint answered Internal", e.Message);
        }
        finally
        {
            emulator.Faults.GrpcStatus = null;
        }
    }

    [Fact]
    public async Task Auto_sends_over_gRPC_when_it_is_served_and_over_GraphQL_with_the_reason_when_it_is_not()
    {
        using (var scope = services.CreateScope())
        {
            var served = await scope.ServiceProvider.GetRequiredService<ProtocolVectorSearch>().SearchAsync(Request("bm25"));
            Assert.Equal(("gRPC", (string?)null), (served.Protocol, served.FallbackReason));
        }

        emulator.Faults.GrpcNotServing = true;
        await using var fresh = Services(); // the health answer is kept for 30 s: a new app asks again
        try
        {
            using var scope = fresh.CreateScope();
            var fallback = await scope.ServiceProvider.GetRequiredService<ProtocolVectorSearch>().SearchAsync(Request("bm25"));
            Assert.Equal("GraphQL", fallback.Protocol);
            Assert.Equal($"gRPC at {emulator.GrpcUrl!.GetLeftPart(UriPartial.Authority)} is not usable (the gRPC health check answered NotServing)", fallback.FallbackReason);
            Assert.StartsWith("{ Get { Memory(bm25:", fallback.Query);
        }
        finally
        {
            emulator.Faults.GrpcNotServing = false;
        }
    }

    [Fact]
    public async Task The_configured_protocol_is_used_whatever_the_health_check_says()
    {
        emulator.Faults.GrpcNotServing = true;
        try
        {
            await using var grpcOnly = Services(protocol: "grpc");
            Assert.Equal("gRPC", (await grpcOnly.CreateScope().ServiceProvider.GetRequiredService<ProtocolVectorSearch>().SearchAsync(Request("bm25"))).Protocol);
        }
        finally
        {
            emulator.Faults.GrpcNotServing = false;
        }
        await using var graphqlOnly = Services(protocol: "graphql");
        var result = await graphqlOnly.CreateScope().ServiceProvider.GetRequiredService<ProtocolVectorSearch>().SearchAsync(Request("bm25"));
        Assert.Equal(("GraphQL", (string?)null), (result.Protocol, result.FallbackReason));
    }

    [Fact]
    public async Task The_top_bars_gRPC_state_is_up_when_SERVING_amber_when_not_and_down_with_the_endpoint_named_when_the_port_is_closed()
    {
        var health = new Orchestra.Admin.Features.Health.BackendHealth(Npgsql.NpgsqlDataSource.Create("Host=127.0.0.1;Port=1"),
            services.GetRequiredService<Microsoft.Extensions.Options.IOptions<OrchestraAdminOptions>>(), services, TimeProvider.System);
        var timeout = TimeSpan.FromSeconds(5);
        var endpoint = emulator.GrpcUrl!.GetLeftPart(UriPartial.Authority);

        Assert.Equal(Orchestra.Admin.Features.Health.BackendStatus.Up, (await health.ProbeWeaviateGrpcAsync(timeout)).Status);
        try
        {
            emulator.Faults.GrpcNotServing = true;
            var amber = await health.ProbeWeaviateGrpcAsync(timeout);
            Assert.Equal((Orchestra.Admin.Features.Health.BackendStatus.Degraded, $"{endpoint}: the gRPC health check answered NotServing"), (amber.Status, amber.Detail));
            emulator.Faults.GrpcNotServing = false;
            emulator.Faults.GrpcDown = true;
            var down = await health.ProbeWeaviateGrpcAsync(timeout);
            Assert.Equal(Orchestra.Admin.Features.Health.BackendStatus.Down, down.Status);
            Assert.StartsWith($"{endpoint}: no answer: ", down.Detail);
        }
        finally
        {
            emulator.Faults.GrpcNotServing = false;
            emulator.Faults.GrpcDown = false;
        }
        Assert.Equal("Weaviate gRPC", health.WeaviateGrpc.Name);
    }
}
