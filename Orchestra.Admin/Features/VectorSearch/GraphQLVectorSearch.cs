using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestra.Admin.Data.Weaviate;

namespace Orchestra.Admin.Features.VectorSearch;

/// <summary>
/// <see cref="IVectorSearch"/> over Weaviate's GraphQL <c>Get</c> (through <see cref="IWeaviateClient"/>, which is
/// registered only when WEAVIATE_URL is set). Weaviate has deprecated GraphQL: <see cref="ProtocolVectorSearch"/> picks
/// gRPC where the server serves it.
/// </summary>
public sealed class GraphQLVectorSearch(IServiceProvider services, SearchClasses? classes = null) : IVectorSearch
{
    public const string Protocol = "GraphQL";

    private readonly SearchClasses classes = classes ?? new SearchClasses(services);

    private IWeaviateClient Client => services.GetService<IWeaviateClient>()
        ?? throw new InvalidOperationException("Weaviate is not configured: set WEAVIATE_URL.");

    public Task<IReadOnlyList<string>> ClassNamesAsync(CancellationToken ct = default) => classes.NamesAsync(ct);

    public async Task<ClassSearchInfo> DescribeClassAsync(string className, CancellationToken ct = default) =>
        (await classes.GetAsync(className, ct)).Info;

    public async Task<SearchResult> SearchAsync(SearchRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var client = Client;
        var (cls, info) = await classes.GetAsync(request.ClassName, ct);
        var query = GraphQLSearchQuery.Build(request, cls, info);

        var started = Stopwatch.GetTimestamp();
        var response = await client.GraphQLAsync(query, ct);
        var elapsed = Stopwatch.GetElapsedTime(started);

        response.EnsureNoErrors();
        return new SearchResult(query, elapsed, ReadHits(response, cls.Name!)) { Protocol = Protocol };
    }

    public async Task<string> PreviewAsync(SearchRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (cls, info) = await classes.GetAsync(request.ClassName, ct);
        return GraphQLSearchQuery.Build(request, cls, info);
    }

    /// <summary>
    /// The rows of <c>data.Get.&lt;Class&gt;</c> as ranked hits: id, distance and certainty (numbers), score (a
    /// string in Weaviate's <c>_additional</c>, read in the invariant culture), and the row without
    /// <c>_additional</c> as the properties. Read from the parsed answer's elements: each value becomes a node
    /// only when the page reads it.
    /// </summary>
    public static IReadOnlyList<SearchHit> ReadHits(GraphQLResponse response, string className)
    {
        const string request = "POST /v1/graphql";
        if (response.Data is not { } data || !data.TryGetProperty("Get", out var get) || get.ValueKind != JsonValueKind.Object)
            throw WeaviateException.Malformed(request, "no data.Get in the answer");
        if (!get.TryGetProperty(className, out var rows) || rows.ValueKind == JsonValueKind.Null)
            throw WeaviateException.Malformed(request, $"no data.Get.{className} in the answer");
        if (rows.ValueKind != JsonValueKind.Array)
            throw WeaviateException.Malformed(request, $"data.Get.{className} is not a list");

        var hits = new List<SearchHit>(rows.GetArrayLength());
        foreach (var row in rows.EnumerateArray())
        {
            if (row.ValueKind != JsonValueKind.Object)
                throw WeaviateException.Malformed(request, $"an item of data.Get.{className} is not an object");
            JsonElement? additional = null;
            var properties = new JsonObject();
            foreach (var property in row.EnumerateObject())
            {
                if (property.NameEquals("_additional")) additional = property.Value;
                else properties[property.Name] = Node(property.Value);
            }
            var idText = Field(additional, "id") is { ValueKind: JsonValueKind.String } idValue ? idValue.GetString() : null;
            if (idText is null || !Guid.TryParse(idText, out var id))
                throw WeaviateException.Malformed(request, $"result {hits.Count + 1} has no _additional.id");
            hits.Add(new SearchHit(hits.Count + 1, id, Number(Field(additional, "distance")), Number(Field(additional, "certainty")),
                Number(Field(additional, "score")), properties));
        }
        return hits;
    }

    private static JsonElement? Field(JsonElement? obj, string name) =>
        obj is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty(name, out var value) ? value : null;

    /// <summary>A node over the element, built lazily (no copy): objects and arrays materialize when first read.</summary>
    private static JsonNode? Node(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => JsonObject.Create(value),
        JsonValueKind.Array => JsonArray.Create(value),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => JsonValue.Create(value),
    };

    /// <summary>A number, or a number sent as a string (Weaviate's score and explainScore are strings).</summary>
    private static double? Number(JsonElement? value) => value switch
    {
        { ValueKind: JsonValueKind.Number } n when n.TryGetDouble(out var d) => d,
        { ValueKind: JsonValueKind.String } s when double.TryParse(s.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };
}
