using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;

namespace Orchestra.Admin.Tests.Weaviate;

/// <summary>
/// Weaviate's published contract, read at test time from <c>../shared/weaviate</c> (beside the repository; never
/// copied into it): the OpenAPI (Swagger 2.0) schema and the example payloads.
/// </summary>
public static class WeaviateContract
{
    private static readonly Lazy<string> Folder = new(FindFolder);
    private static readonly Lazy<JsonObject> Spec = new(() => JsonNode.Parse(File.ReadAllText(Path.Combine(Folder.Value, "openapi-schema.json")))!.AsObject());

    public static string ExamplesFolder => Path.Combine(Folder.Value, "examples");

    public static string Example(string fileName) => File.ReadAllText(Path.Combine(ExamplesFolder, fileName));

    public static JsonObject OpenApi => Spec.Value;

    /// <summary>The shared folder: <c>$ORCHESTRA_SHARED_DIR/weaviate</c> when set (a clone outside the usual layout),
    /// else the first <c>shared/weaviate</c> found walking up from the test binaries.</summary>
    private static string FindFolder()
    {
        if (Environment.GetEnvironmentVariable("ORCHESTRA_SHARED_DIR") is { Length: > 0 } shared)
            return Path.Combine(shared, "weaviate");
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "weaviate");
            if (File.Exists(Path.Combine(candidate, "openapi-schema.json"))) return candidate;
        }
        throw new InvalidOperationException($"shared/weaviate/openapi-schema.json not found in any parent of {AppContext.BaseDirectory}: the contract lives beside the repository");
    }

    /// <summary>
    /// A JSON Schema for one Swagger 2.0 definition: the spec's whole <c>definitions</c> object wrapped into a
    /// draft-07 schema (<c>{"allOf":[{"$ref":"#/definitions/X"}], "definitions": …}</c>) so every
    /// <c>#/definitions/…</c> reference inside resolves as it is.
    /// Differences from Swagger 2.0, on purpose:
    /// <list type="bullet">
    /// <item><c>x-*</c> extensions (x-nullable, x-omitempty) and <c>discriminator</c> are unknown keywords and ignored;</item>
    /// <item><c>format</c> is an annotation only (Swagger's "int", "uuid", "url" are not checked);</item>
    /// <item>the spec's <c>"type": ["integer","null"]</c> (not Swagger 2.0, but JSON Schema) is taken as written;</item>
    /// <item>when <paramref name="closed"/>, the definition itself gets <c>additionalProperties: false</c> and, when it
    /// has no type, <c>type: object</c> (tightenings: the spec allows unknown keys and, for e.g. ShardStatus, any JSON
    /// value; but a body we send with a key the spec does not name, or that is not an object, is a bug).</item>
    /// </list>
    /// </summary>
    public static JsonSchema SchemaFor(string definition, bool closed = false)
    {
        var definitions = OpenApi["definitions"]!.DeepClone().AsObject();
        if (!definitions.ContainsKey(definition)) throw new ArgumentException($"no definition {definition} in the OpenAPI schema");
        if (closed)
        {
            definitions[definition]!["additionalProperties"] = false;
            definitions[definition]!["type"] ??= "object";
        }
        var wrapper = new JsonObject
        {
            ["$schema"] = "http://json-schema.org/draft-07/schema#",
            ["$id"] = $"https://weaviate.contract.test/{definition}{(closed ? "/closed" : "")}/{Guid.NewGuid():N}",
            ["allOf"] = new JsonArray(new JsonObject { ["$ref"] = $"#/definitions/{definition}" }),
            ["definitions"] = definitions,
        };
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        return JsonSchema.FromText(wrapper.ToJsonString(), options);
    }

    /// <summary>Validates JSON text against a definition; the error list is empty when valid.</summary>
    public static IReadOnlyList<string> Validate(string definition, string json, bool closed = false)
    {
        using var doc = JsonDocument.Parse(json);
        var result = SchemaFor(definition, closed).Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (result.IsValid) return [];
        var errors = (result.Details ?? []).Append(result)
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}"))
            .Distinct().ToList();
        return errors.Count > 0 ? errors : ["invalid"];
    }

    /// <summary>The operation a request hits: its path template (e.g. /schema/{className}/shards/{shardName}) and its spec object.</summary>
    public static (string Template, JsonObject Operation)? FindOperation(string method, string path)
    {
        var basePath = OpenApi["basePath"]!.GetValue<string>();
        if (!path.StartsWith(basePath, StringComparison.Ordinal)) return null;
        var relative = path[basePath.Length..];
        foreach (var (template, item) in OpenApi["paths"]!.AsObject())
        {
            var pattern = "^" + Regex.Replace(Regex.Escape(template), @"\\\{[^}]+}", "[^/]+") + "$";
            if (Regex.IsMatch(relative, pattern) && item![method.ToLowerInvariant()] is JsonObject op)
                return (template, op);
        }
        return null;
    }

    /// <summary>The parameters of an operation (path-level and <c>#/parameters/…</c> references resolved).</summary>
    public static IReadOnlyList<JsonObject> Parameters(string template, JsonObject operation)
    {
        var all = new List<JsonObject>();
        var pathLevel = OpenApi["paths"]![template]!["parameters"] as JsonArray ?? [];
        foreach (var p in pathLevel.Concat(operation["parameters"] as JsonArray ?? []))
        {
            var param = p!.AsObject();
            if (param["$ref"]?.GetValue<string>() is { } reference)
                param = OpenApi["parameters"]![reference.Split('/').Last()]!.AsObject();
            all.Add(param);
        }
        return all;
    }

    /// <summary>The definition name of an operation's body parameter, e.g. GraphQLQuery.</summary>
    public static string? BodyDefinition(string template, JsonObject operation) =>
        Parameters(template, operation).FirstOrDefault(p => p["in"]?.GetValue<string>() == "body")?["schema"]?["$ref"]?.GetValue<string>()?.Split('/').Last();
}
