using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Orchestra.WeaviateEmulator.Tests;

/// <summary>
/// Validates JSON against Weaviate's published OpenAPI (Swagger 2.0) schema, read at test time from
/// <c>../shared/weaviate/openapi-schema.json</c> (found by walking up from the test binaries to a
/// <c>shared/weaviate</c> folder, or under ORCHESTRA_SHARED_DIR). Never copied into the repository.
///
/// Swagger 2.0 definitions are JSON Schema draft-4-ish with extensions; to evaluate them with JsonSchema.Net
/// (draft 2020-12) the definitions are put under <c>$defs</c> of one document and refs rewritten, and:
/// <list type="bullet">
/// <item><c>x-nullable: true</c> (go-swagger: a pointer, may be null) adds "null" to the type — the spec's own statement.</item>
/// <item>the other <c>x-*</c> extensions and <c>example</c> are dropped (annotations only).</item>
/// <item>Swagger/go-openapi formats (int64, int, uint64, float, double, url, object…) are registered as real checks
///   (integral / number / absolute URL); uuid, date-time, email, uri use JsonSchema.Net's built-in checks; format
///   validation is required, so a non-UUID "id" fails.</item>
/// <item>Where the real server sends what Swagger 2.0 cannot say (it has no <c>nullable</c>), the schema is relaxed
///   in <see cref="Relax"/>, one place per documented behaviour, each citing ENDPOINTS.md. Nothing else is relaxed.</item>
/// </list>
/// </summary>
public sealed class OpenApiContract
{
    private const string BaseId = "https://weaviate.test/openapi.json";
    private static readonly Lazy<OpenApiContract> Shared = new(() => new OpenApiContract());
    private static int _checkCounter;

    private readonly JsonObject _spec;
    private readonly BuildOptions _buildOptions;
    private readonly ConcurrentDictionary<string, JsonSchema> _schemas = new();

    private static readonly EvaluationOptions Evaluation = new()
    {
        OutputFormat = OutputFormat.List,
        RequireFormatValidation = true,
    };

    public static OpenApiContract Instance => Shared.Value;

    public static string SchemaPath { get; } = FindSchema();

    private OpenApiContract()
    {
        RegisterFormats();
        _spec = JsonNode.Parse(File.ReadAllText(SchemaPath))!.AsObject();
        if (_spec["swagger"]?.GetValue<string>() != "2.0")
            throw new InvalidOperationException($"{SchemaPath} is not a Swagger 2.0 document");

        var defs = (JsonObject)Transform(_spec["definitions"]!.DeepClone())!;
        Relax(defs);
        var document = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = BaseId,
            ["$defs"] = defs,
        };
        _buildOptions = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        JsonSchema.FromText(document.ToJsonString(), _buildOptions);
    }

    private static string FindSchema()
    {
        // Same rule as Orchestra.Admin.Tests' WeaviateContract: $ORCHESTRA_SHARED_DIR, else ../shared beside the repository.
        if (Environment.GetEnvironmentVariable("ORCHESTRA_SHARED_DIR") is { Length: > 0 } shared)
            return Path.Combine(shared, "weaviate", "openapi-schema.json");
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "weaviate", "openapi-schema.json");
            if (File.Exists(candidate))
                return candidate;
        }
        throw new FileNotFoundException("Weaviate's OpenAPI schema was not found: set ORCHESTRA_SHARED_DIR or keep ../shared/weaviate/openapi-schema.json next to the repository");
    }

    private static void RegisterFormats()
    {
        static bool Integral(JsonElement e, long min) =>
            e.ValueKind != JsonValueKind.Number
            || (e.TryGetInt64(out var l) && l >= min)
            || (e.TryGetDecimal(out var d) && d == decimal.Truncate(d) && d >= min);
        foreach (var name in new[] { "int64", "int", "int32" })
            FormatRegistry.Global.Register(new PredicateFormat(name, e => Integral(e, long.MinValue)));
        FormatRegistry.Global.Register(new PredicateFormat("uint64", e => Integral(e, 0)));
        foreach (var name in new[] { "float", "float32", "float64", "double" })
            FormatRegistry.Global.Register(new PredicateFormat(name, e => e.ValueKind != JsonValueKind.Number || e.TryGetDouble(out _)));
        FormatRegistry.Global.Register(new PredicateFormat("url", e =>
            e.ValueKind != JsonValueKind.String || Uri.TryCreate(e.GetString(), UriKind.Absolute, out _)));
        // "format: object" / "format: string" in a few definitions carry no constraint.
        FormatRegistry.Global.Register(new PredicateFormat("object", _ => true));
        FormatRegistry.Global.Register(new PredicateFormat("string", _ => true));
    }

    /// <summary>Swagger → 2020-12: refs into $defs, x-nullable → "null" in type, other x-* and example dropped.</summary>
    private static JsonNode? Transform(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
            {
                var result = new JsonObject();
                foreach (var (key, value) in obj)
                {
                    if (key.StartsWith("x-", StringComparison.Ordinal) || key == "example")
                        continue;
                    if (key == "$ref" && value is JsonValue v && v.GetValue<string>().StartsWith("#/definitions/", StringComparison.Ordinal))
                        result[key] = BaseId + "#/$defs/" + v.GetValue<string>()["#/definitions/".Length..];
                    else
                        result[key] = Transform(value);
                }
                if (obj["x-nullable"] is JsonValue nullable && nullable.GetValue<bool>())
                    AllowNull(result);
                return result;
            }
            case JsonArray array:
                return new JsonArray(array.Select(Transform).ToArray());
            default:
                return node?.DeepClone();
        }
    }

    private static void AllowNull(JsonObject schema)
    {
        switch (schema["type"])
        {
            case JsonValue single:
                schema["type"] = new JsonArray(single.GetValue<string>(), "null");
                break;
            case JsonArray many when many.All(t => t!.GetValue<string>() != "null"):
                many.Add("null");
                break;
            case null when schema["$ref"] is not null:
                var reference = schema["$ref"]!.GetValue<string>();
                schema.Remove("$ref");
                schema["anyOf"] = new JsonArray(new JsonObject { ["$ref"] = reference }, new JsonObject { ["type"] = "null" });
                break;
        }
    }

    /// <summary>The documented differences between the spec and what the real server sends. Each one cites its source.</summary>
    private static void Relax(JsonObject defs)
    {
        JsonObject Property(string definition, string property) =>
            defs[definition]?["properties"]?[property] as JsonObject
            ?? throw new InvalidOperationException($"the spec no longer has {definition}.{property}: review this relaxation");

        // ENDPOINTS.md §4: NodeStatus.shards is ALWAYS present and null in minimal output and for unreachable nodes.
        AllowNull(Property("NodeStatus", "shards"));
        // ENDPOINTS.md §4: NodeShardStatus.asyncReplicationStatus is null on unloaded lazy shards.
        AllowNull(Property("NodeShardStatus", "asyncReplicationStatus"));
        // ENDPOINTS.md §8: GraphQLError.locations and .path are always present, null when absent.
        AllowNull(Property("GraphQLError", "locations"));
        AllowNull(Property("GraphQLError", "path"));
        // ENDPOINTS.md §7: ObjectsListResponse.deprecations is always present; null without ?class.
        AllowNull(Property("ObjectsListResponse", "deprecations"));
        // ENDPOINTS.md §6: Schema.classes — "accept null".
        AllowNull(Property("Schema", "classes"));
        // examples/schema.json (Go nil slices without omitempty): stopwords additions/removals are null.
        AllowNull(Property("StopwordConfig", "additions"));
        AllowNull(Property("StopwordConfig", "removals"));
        // ENDPOINTS.md §5: RaftStatistics.latestConfiguration is declared object but is raft's list of {id, address, suffrage}.
        Property("RaftStatistics", "latestConfiguration")["type"] = new JsonArray("object", "array");
        // ENDPOINTS.md §5: Statistics.leaderId / leaderAddress are declared object (Go interface{}), sent as strings.
        Property("Statistics", "leaderId")["type"] = new JsonArray("object", "string");
        Property("Statistics", "leaderAddress")["type"] = new JsonArray("object", "string");
        // go-swagger turns the bare "type: object" definition JsonObject into Go's interface{} (models.JSONObject): the
        // REST search API's property values (SearchResultObject.properties) are any JSON value, strings and numbers too.
        ((JsonObject)defs["JsonObject"]!).Remove("type");
    }

    // ------------------------------------------------------------------ lookups

    /// <summary>The spec's schema for a response (null when the spec describes the status without a body schema).</summary>
    /// <exception cref="Xunit.Sdk.XunitException">The spec does not list this path, method or status.</exception>
    public JsonNode? ResponseSchema(string path, string method, int status)
    {
        var operation = Operation(path, method);
        var response = operation["responses"]?[status.ToString()]
            ?? throw new Xunit.Sdk.XunitException($"the spec lists no {status} response for {method.ToUpperInvariant()} {path}");
        return response["schema"];
    }

    public JsonNode BodyParameterSchema(string path, string method)
    {
        var parameter = (Operation(path, method)["parameters"] as JsonArray ?? [])
            .FirstOrDefault(p => p?["in"]?.GetValue<string>() == "body")
            ?? throw new Xunit.Sdk.XunitException($"{method.ToUpperInvariant()} {path} has no body parameter in the spec");
        return parameter["schema"]!;
    }

    private JsonObject Operation(string path, string method) =>
        _spec["paths"]?[path]?[method.ToLowerInvariant()] as JsonObject
        ?? throw new Xunit.Sdk.XunitException($"the spec has no {method.ToUpperInvariant()} {path}");

    // ------------------------------------------------------------------ validation

    /// <summary>Errors of <paramref name="instance"/> against <c>#/definitions/{definition}</c>; empty when valid.</summary>
    public IReadOnlyList<string> ValidateDefinition(JsonNode? instance, string definition) =>
        Validate(instance, new JsonObject { ["$ref"] = $"#/definitions/{definition}" });

    /// <summary>Errors against an inline Swagger schema (a response or body schema taken from the paths).</summary>
    public IReadOnlyList<string> Validate(JsonNode? instance, JsonNode swaggerSchema)
    {
        var key = swaggerSchema.ToJsonString();
        var schema = _schemas.GetOrAdd(key, _ =>
        {
            var transformed = (JsonObject)Transform(swaggerSchema)!;
            transformed["$schema"] = "https://json-schema.org/draft/2020-12/schema";
            var id = new Uri($"https://weaviate.test/check/{Interlocked.Increment(ref _checkCounter)}.json");
            return JsonSchema.FromText(transformed.ToJsonString(), _buildOptions, id);
        });
        using var document = JsonDocument.Parse(instance?.ToJsonString() ?? "null");
        var results = schema.Evaluate(document.RootElement, Evaluation);
        if (results.IsValid)
            return [];
        var errors = new List<string>();
        foreach (var detail in (results.Details ?? []).Prepend(results))
            foreach (var (keyword, message) in detail.Errors ?? new Dictionary<string, string>())
                errors.Add($"{detail.InstanceLocation} ({detail.EvaluationPath}) {keyword}: {message}");
        return errors.Count > 0 ? errors : ["invalid (no detail)"];
    }

    // ------------------------------------------------------------------ assertions

    public void AssertDefinition(JsonNode? instance, string definition)
    {
        var errors = ValidateDefinition(instance, definition);
        Assert.True(errors.Count == 0, $"not a valid {definition}:\n{string.Join("\n", errors)}\n{instance?.ToJsonString()}");
    }

    /// <summary>Validates a request body the tests send against the operation's body parameter schema.</summary>
    public void AssertRequest(string path, string method, JsonNode body)
    {
        var errors = Validate(body, BodyParameterSchema(path, method));
        Assert.True(errors.Count == 0, $"request body of {method.ToUpperInvariant()} {path} does not match the spec:\n{string.Join("\n", errors)}");
    }

    /// <summary>
    /// Validates a response against the spec's schema for its path, method and status, and returns the parsed body.
    /// A status the spec does not list for the operation fails. A status listed without a schema must have an empty
    /// body — except 401, whose body is go-openapi's <c>{code, message}</c> (ENDPOINTS.md §0).
    /// </summary>
    public async Task<JsonNode?> AssertResponse(HttpResponseMessage response, string specPath, string method)
    {
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync();
        var schema = ResponseSchema(specPath, method, status);
        if (schema is null)
        {
            if (status == 401)
            {
                var body = JsonNode.Parse(text)!;
                Assert.Equal(401, body["code"]!.GetValue<int>());
                Assert.False(string.IsNullOrEmpty(body["message"]!.GetValue<string>()));
                return body;
            }
            Assert.True(text.Length == 0, $"{method.ToUpperInvariant()} {specPath} {status}: the spec documents no body, got: {text}");
            return null;
        }
        JsonNode? parsed;
        try
        {
            parsed = JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            throw new Xunit.Sdk.XunitException($"{method.ToUpperInvariant()} {specPath} {status}: not JSON ({e.Message}): {text}");
        }
        var errors = Validate(parsed, schema);
        Assert.True(errors.Count == 0,
            $"{method.ToUpperInvariant()} {specPath} {status} does not match the spec:\n{string.Join("\n", errors)}\n{Truncate(text)}");
        return parsed;
    }

    private static string Truncate(string text) => text.Length > 2000 ? text[..2000] + "…" : text;
}
