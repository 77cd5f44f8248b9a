using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchestra.Admin.Data.Weaviate;
using Orchestra.Admin.Data.Weaviate.Grpc;
using Orchestra.Admin.Features.VectorSearch;
using Orchestra.Admin.Hosting;

namespace Orchestra.Admin.VectorSearchBenchmarks;

/// <summary>
/// The dashboard's side: <see cref="IVectorSearch"/> as the page gets it, built with the app's own registrations
/// (<see cref="WeaviateRegistration.AddWeaviateClient"/>: the typed client over the resilience pipeline, with the
/// production defaults for retries, circuit breaker and timeouts; <see cref="GraphQLVectorSearch"/> scoped, as
/// <c>AddWeaviateMonitoring</c> registers it), in one scope as for one browser circuit. With a gRPC endpoint, also
/// <see cref="GrpcVectorSearch"/> over the app's one <see cref="IWeaviateGrpcClient"/> (its channel, deadlines, retries
/// and circuit breaker), with the scope's own per-class cache, as <see cref="ProtocolVectorSearch"/> builds it for the page.
/// </summary>
public sealed class AppSide : IAsyncDisposable
{
    private readonly ServiceProvider root;
    private readonly AsyncServiceScope scope;

    public AppSide(Uri url, string apiKey, Uri? grpcUrl = null)
    {
        var settings = new OrchestraAdminOptions { Weaviate = { Url = url, ApiKey = apiKey, GrpcUrl = grpcUrl } };
        var services = new ServiceCollection().AddLogging().AddWeaviateClient(settings);
        services.AddScoped<IVectorSearch, GraphQLVectorSearch>();
        services.AddScoped(sp => new GrpcVectorSearch(sp.GetRequiredService<IWeaviateGrpcClient>(), new SearchClasses(sp)));
        root = services.BuildServiceProvider();
        scope = root.CreateAsyncScope();
        Search = scope.ServiceProvider.GetRequiredService<IVectorSearch>();
        if (grpcUrl != null) Grpc = scope.ServiceProvider.GetRequiredService<GrpcVectorSearch>();
    }

    /// <summary>The GraphQL search.</summary>
    public IVectorSearch Search { get; }

    /// <summary>The gRPC search; null without a gRPC endpoint.</summary>
    public GrpcVectorSearch? Grpc { get; }

    public IServiceProvider Services => scope.ServiceProvider;

    /// <summary>Everything the page does per search, once the class is known (the per-class cache is warm).</summary>
    public Task<SearchResult> SearchAsync(SearchRequest request) => Search.SearchAsync(request);

    public async ValueTask DisposeAsync()
    {
        await scope.DisposeAsync();
        await root.DisposeAsync();
    }
}

/// <summary>
/// The bare round trip: one HttpClient, the same headers the app's client sends, the JSON body the app sends for
/// the query (serialized once, up front), the whole answer read as bytes (the cheapest complete read; the app's
/// client reads bytes too) and nothing parsed.
/// </summary>
public sealed class RawSide : IDisposable
{
    private readonly HttpClient http;
    private readonly byte[] body;

    public RawSide(Uri url, string apiKey, string query)
    {
        // As the app's primary handler (WeaviateRegistration.PrimaryHandler), without the resilience pipeline above it.
        http = new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.All,
        })
        { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { query }));
        Body = body;
    }

    /// <summary>The request body, exactly (checked against what the app's client serializes).</summary>
    public ReadOnlyMemory<byte> Body { get; }

    public async Task<byte[]> RoundTripAsync()
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "v1/graphql") { Content = new ByteArrayContent(body) };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.SendAsync(message, HttpCompletionOption.ResponseContentRead);
        var answer = await response.Content.ReadAsByteArrayAsync();
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"HTTP {(int)response.StatusCode}: {Encoding.UTF8.GetString(answer)}");
        return answer;
    }

    public void Dispose() => http.Dispose();
}

/// <summary>
/// The dashboard's CPU work per search without HTTP: validate and parse the pasted vector and build the GraphQL
/// text (<see cref="GraphQLSearchQuery.Build"/>), serialize the request body as the client does; then, on an answer
/// captured once from the emulator, what the client and the search do with it (parse the bytes into a
/// <see cref="GraphQLResponse"/>, check for GraphQL errors, <see cref="GraphQLVectorSearch.ReadHits"/>).
/// </summary>
public sealed class CpuSide(SearchRequest request, WeaviateClass cls, ClassSearchInfo info, byte[] cannedBytes)
{
    /// <summary>Vector text → validated GraphQL text → request body bytes.</summary>
    public byte[] BuildRequest() => Body(GraphQLSearchQuery.Build(request, cls, info));

    /// <summary>The request body as <see cref="WeaviateClient"/> sends it.</summary>
    public static byte[] Body(string query) => Encoding.UTF8.GetBytes(WeaviateJson.Serialize(new GraphQLQuery(query)));

    /// <summary>Response bytes → GraphQLResponse → ranked hits.</summary>
    public IReadOnlyList<SearchHit> ParseResponse()
    {
        var response = GraphQLResponse.Parse(cannedBytes);
        response.EnsureNoErrors();
        return GraphQLVectorSearch.ReadHits(response, cls.Name!);
    }

    public int Run() => BuildRequest().Length + ParseResponse().Count;

    public string Query => GraphQLSearchQuery.Build(request, cls, info);

    public float[] ParseVector() => VectorParser.Parse(request.VectorText, info);

    public GraphQLResponse Deserialize() => GraphQLResponse.Parse(cannedBytes);

    public IReadOnlyList<SearchHit> ReadHits(GraphQLResponse response) => GraphQLVectorSearch.ReadHits(response, cls.Name!);
}
