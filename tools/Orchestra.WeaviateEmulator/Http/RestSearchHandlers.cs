using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Orchestra.WeaviateEmulator;

/// <summary>
/// The REST search API of the OpenAPI schema (<c>POST /v1/search/{collection}/bm25 | hybrid | near-object | near-text</c>),
/// run by the same <see cref="ObjectSearch"/> as GraphQL and gRPC. Answers <c>{results: [{id, properties, metadata?}], tookMs}</c>;
/// errors are ErrorResponse: 400 bad values, 404 unknown collection, 422 what cannot run (reserved parameters,
/// certainty on a non-cosine class, anything that needs a vectorizer module).
/// </summary>
internal static class RestSearchHandlers
{
    private const long DefaultLimit = 10; // QUERY_DEFAULTS_LIMIT, as gRPC

    private static readonly string[] ReservedParameters = ["autoLimit", "singlePrompt", "groupedTask", "groupBy", "numberOfGroups", "objectsPerGroup", "rerank"];

    private static readonly IReadOnlySet<string> MetadataFields = new HashSet<string>(StringComparer.Ordinal)
    {
        "distance", "certainty", "score", "explainScore", "creationTime", "lastUpdateTime",
    };

    /// <summary>A request the search cannot run, with its status.</summary>
    private sealed class RestSearchException(int status, string message) : Exception(message)
    {
        public int Status { get; } = status;
    }

    public static async Task Search(HttpContext http, EmulatorContext ctx, string collection, string kind)
    {
        var body = await Responses.ReadBody(http);
        if (body is null)
            return;
        var started = Stopwatch.GetTimestamp();
        JsonObject answer;
        try
        {
            if (body is not JsonObject request)
                throw new RestSearchException(422, "body in body must be of type object");
            var results = Run(ctx, ClassDefinitions.NormalizeClassName(collection), kind, request);
            answer = new JsonObject
            {
                ["results"] = results,
                ["tookMs"] = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds,
            };
        }
        catch (RestSearchException e)
        {
            await Responses.Error(http, e.Status, e.Message);
            return;
        }
        await Responses.Json(http, 200, answer);
    }

    /// <summary>Validates the request and runs it under the store's read lock (no await in here).</summary>
    private static JsonArray Run(EmulatorContext ctx, string className, string kind, JsonObject request)
    {
        foreach (var name in ReservedParameters)
            if (request[name] is not null)
                throw new RestSearchException(422, $"{name} is not supported by the Weaviate emulator");
        if (String(request, "tenant") is { Length: > 0 })
            throw new RestSearchException(422, $"class {className} has multi-tenancy disabled, but request was with tenant");
        if (String(request, "targetVector") is { Length: > 0 } target)
            throw new RestSearchException(422, $"class {className} does not have named vector {target} configured. Available named vectors map[]");
        var metadata = Strings(request, "returnMetadata") ?? [];
        foreach (var field in metadata)
            if (!MetadataFields.Contains(field))
                throw new RestSearchException(422, $"returnMetadata in body should be one of [{string.Join(" ", MetadataFields)}], not \"{field}\"");

        using var readLock = ctx.Store.Read();
        if (!ctx.Store.TryGetClass(className, out var cls))
            throw new RestSearchException(404, $"could not find class {className} in schema");
        var returnProperties = Strings(request, "returnProperties");
        foreach (var name in returnProperties ?? [])
            if (cls.Property(name) is null)
                throw new RestSearchException(400, $"no such property '{name}' in collection {cls.Name}");

        var query = new ObjectQuery
        {
            Class = cls,
            Limit = Long(request, "limit"),
            Offset = Long(request, "offset") ?? 0,
            CertaintyRequired = metadata.Contains("certainty"),
        };
        if (query.Limit < 0 || query.Offset < 0)
            throw new RestSearchException(400, "limit and offset must not be negative");
        if (request["where"] is { } where)
        {
            try
            {
                query.Where = GraphQLExecutor.ReadWhere(new ArgReader("where", GqlValues.FromJson(where), 0), GqlValues.FromJson(where), null);
            }
            catch (GqlValidationException e)
            {
                throw new RestSearchException(422, e.Message);
            }
        }
        switch (kind)
        {
            case "bm25":
                query.Bm25 = (RequiredQuery(request), Strings(request, "queryProperties"));
                break;
            case "hybrid":
                var text = RequiredQuery(request);
                var alpha = Double(request, "alpha") ?? 0.75;
                if (alpha is < 0 or > 1)
                    throw new RestSearchException(400, $"alpha should be between 0.0 and 1.0, got {alpha}");
                // The query is vectorized by the collection's module: without one only the keyword part (alpha 0) can run.
                if (alpha > 0)
                    throw new RestSearchException(422, SearchEngine.NoVectorizerMessage(cls, "hybrid"));
                var fusion = String(request, "fusionType") switch
                {
                    null or "relativeScore" => "relativeScoreFusion",
                    "ranked" => "rankedFusion",
                    var other => throw new RestSearchException(422, $"fusionType in body should be one of [ranked relativeScore], not \"{other}\""),
                };
                query.Hybrid = (text, alpha, null, fusion, Strings(request, "queryProperties"));
                break;
            case "near-object":
                var id = String(request, "id") ?? throw new RestSearchException(422, "id in body is required");
                if (!Guid.TryParse(id, out _))
                    throw new RestSearchException(422, $"id in body must be of type uuid: \"{id}\"");
                query.NearObject = new NearArgs { ObjectId = id, Distance = Double(request, "distance"), Certainty = Double(request, "certainty") ?? 0 };
                break;
            default: // near-text
                if (request["query"] is not JsonArray)
                    throw new RestSearchException(422, "query in body is required");
                throw new RestSearchException(422, SearchEngine.NoVectorizerMessage(cls, "nearText"));
        }

        List<Hit> hits;
        try
        {
            hits = ObjectSearch.Run(ctx.Store, query, DefaultLimit);
        }
        catch (Exception e) when (e is SearchException or FilterException)
        {
            throw new RestSearchException(e.Message.StartsWith("can't compute and return certainty", StringComparison.Ordinal) ? 422 : 400, e.Message);
        }
        return new JsonArray(hits.Select(hit => (JsonNode?)Result(cls, hit, returnProperties, metadata)).ToArray());
    }

    private static JsonObject Result(ClassState cls, Hit hit, List<string>? returnProperties, List<string> metadata)
    {
        var properties = PropertyValues.PropertiesJson(hit.Object);
        if (returnProperties is not null)
            foreach (var name in properties.Select(p => p.Key).Where(k => !returnProperties.Contains(k)).ToList())
                properties.Remove(name);
        var result = new JsonObject { ["id"] = hit.Object.IdString, ["properties"] = properties };
        if (metadata.Count > 0)
        {
            var m = new JsonObject();
            foreach (var field in metadata)
                m[field] = field switch
                {
                    "distance" => hit.Distance is { } d ? JsonValue.Create(d) : null,
                    "certainty" => hit.Distance is { } d && cls.Distance == "cosine" ? JsonValue.Create(VectorMath.CertaintyFromDistance(d)) : null,
                    "score" => hit.Score is { } s ? JsonValue.Create(s) : null,
                    "explainScore" => hit.ExplainScore,
                    "creationTime" => hit.Object.CreationTimeUnix,
                    _ => hit.Object.LastUpdateTimeUnix,
                };
            result["metadata"] = m;
        }
        return result;
    }

    private static string RequiredQuery(JsonObject request) =>
        String(request, "query") ?? throw new RestSearchException(422, "query in body is required");

    private static string? String(JsonObject o, string name) => o[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => throw new RestSearchException(422, $"{name} in body must be of type string"),
    };

    private static long? Long(JsonObject o, string name) => o[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var l) => l,
        _ => throw new RestSearchException(422, $"{name} in body must be of type int64"),
    };

    private static double? Double(JsonObject o, string name) => o[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<double>(),
        _ => throw new RestSearchException(422, $"{name} in body must be of type number"),
    };

    private static List<string>? Strings(JsonObject o, string name) => o[name] switch
    {
        null => null,
        JsonArray a when a.All(x => x is JsonValue v && v.GetValueKind() == JsonValueKind.String) => a.Select(x => x!.GetValue<string>()).ToList(),
        _ => throw new RestSearchException(422, $"{name} in body must be of type array of strings"),
    };
}
