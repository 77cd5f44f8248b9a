using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestra.Admin.Data.Weaviate;

namespace Orchestra.Admin.Features.VectorSearch;

/// <summary>
/// <see cref="IVectorSearch"/> over Weaviate's GraphQL <c>Get</c> (through <see cref="IWeaviateClient"/>, which is
/// registered only when WEAVIATE_URL is set). What it learns about a class (schema, vector dimension, nearText) is
/// kept for <see cref="CacheFor"/> per class name, so typing and searching do not ask Weaviate each time.
/// </summary>
public sealed class GraphQLVectorSearch(IServiceProvider services) : IVectorSearch
{
    /// <summary>How long what was learnt about a class is reused.</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(1);

    /// <summary>Vectorizer modules that turn text into a vector (so nearText works): text2vec-*, multi2vec-* …</summary>
    private static readonly string[] TextVectorizerPrefixes = ["text2vec-", "multi2vec-", "text2multivec-", "multi2multivec-"];

    private readonly ConcurrentDictionary<string, (DateTimeOffset At, WeaviateClass Class, ClassSearchInfo Info)> classes = new(StringComparer.Ordinal);

    private IWeaviateClient Client => services.GetService<IWeaviateClient>()
        ?? throw new InvalidOperationException("Weaviate is not configured: set WEAVIATE_URL.");

    private TimeProvider Clock => services.GetService<TimeProvider>() ?? TimeProvider.System;

    public async Task<IReadOnlyList<string>> ClassNamesAsync(CancellationToken ct = default)
    {
        var schema = await Client.GetSchemaAsync(ct);
        return schema.Classes.Select(c => c.Name).OfType<string>().Order(StringComparer.Ordinal).ToList();
    }

    public async Task<ClassSearchInfo> DescribeClassAsync(string className, CancellationToken ct = default) =>
        (await ClassAsync(className, ct)).Info;

    public async Task<SearchResult> SearchAsync(SearchRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var client = Client;
        var (cls, info) = await ClassAsync(request.ClassName, ct);
        var query = GraphQLSearchQuery.Build(request, cls, info);

        var started = Stopwatch.GetTimestamp();
        var response = await client.GraphQLAsync(query, ct);
        var elapsed = Stopwatch.GetElapsedTime(started);

        response.EnsureNoErrors();
        return new SearchResult(query, elapsed, ReadHits(response, cls.Name!));
    }

    public async Task<string> PreviewAsync(SearchRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (cls, info) = await ClassAsync(request.ClassName, ct);
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

    /// <summary>
    /// Why nearText cannot be used on the class, or null when it can: the class's vectorizer must turn text into
    /// vectors (text2vec-*, multi2vec-* …) and be a module the server lists in /v1/meta.
    /// </summary>
    public static string? NearTextUnavailableReason(WeaviateClass cls, IEnumerable<string>? serverModules)
    {
        var vectorizer = cls.Vectorizer?.Trim();
        if (string.IsNullOrEmpty(vectorizer) || vectorizer == "none")
            return cls.VectorConfig is { Count: > 0 }
                ? $"class {cls.Name} has named vectors only (nearText on named vectors is not supported here)"
                : $"class {cls.Name} has no vectorizer (vectors are supplied by the stack)";
        if (!TextVectorizerPrefixes.Any(p => vectorizer.StartsWith(p, StringComparison.Ordinal)))
            return $"class {cls.Name}'s vectorizer {vectorizer} does not turn text into vectors";
        var modules = serverModules?.ToList() ?? [];
        if (!modules.Contains(vectorizer, StringComparer.Ordinal))
            return $"class {cls.Name}'s vectorizer {vectorizer} is not enabled on this Weaviate server (its modules: {(modules.Count == 0 ? "none" : string.Join(", ", modules.Order(StringComparer.Ordinal)))})";
        return null;
    }

    private async Task<(WeaviateClass Class, ClassSearchInfo Info)> ClassAsync(string? className, CancellationToken ct)
    {
        if (WeaviateNames.ClassNameProblem(className) is { } problem)
            throw new SearchInputException("class", char.ToUpperInvariant(problem[0]) + problem[1..] + ".");
        var now = Clock.GetUtcNow();
        if (classes.TryGetValue(className!, out var cached) && now - cached.At < CacheFor)
            return (cached.Class, cached.Info);

        var client = Client;
        var schema = await client.GetSchemaAsync(ct);
        WeaviateClass cls;
        try
        {
            cls = WeaviateNames.RequireClass(schema, className);
        }
        catch (ArgumentException e)
        {
            var message = e.Message;
            var cut = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
            if (cut >= 0) message = message[..cut];
            throw new SearchInputException("class", char.ToUpperInvariant(message[0]) + message[1..] + ".");
        }

        // Only a text vectorizer makes /v1/meta worth asking: is its module on this server?
        var vectorizer = cls.Vectorizer?.Trim() ?? "";
        var modules = TextVectorizerPrefixes.Any(p => vectorizer.StartsWith(p, StringComparison.Ordinal))
            ? (await client.GetMetaAsync(ct)).Modules?.Select(m => m.Key).ToList()
            : null;
        var nearText = NearTextUnavailableReason(cls, modules);

        var info = new ClassSearchInfo(cls.Name!, cls.Distance, await DimensionsAsync(client, cls.Name!, ct), cls.Properties, nearText);
        classes[className!] = (now, cls, info);
        return (cls, info);
    }

    /// <summary>The length of one stored object's vector; null when the class is empty, the object has no vector, or it cannot be listed (e.g. multi-tenant).</summary>
    private static async Task<int?> DimensionsAsync(IWeaviateClient client, string className, CancellationToken ct)
    {
        try
        {
            var page = await client.ListObjectsAsync(className, 1, after: null, includeVector: true, ct);
            return page.Objects.FirstOrDefault()?.Vector is { Length: > 0 } vector ? vector.Length : null;
        }
        catch (WeaviateException e) when (e.Kind is WeaviateErrorKind.Rejected or WeaviateErrorKind.NotFound or WeaviateErrorKind.ServerError)
        {
            return null; // the search still works; only the dimension is not checked before sending
        }
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
