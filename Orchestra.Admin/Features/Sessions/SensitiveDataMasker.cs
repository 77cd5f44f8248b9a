using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestra.Admin.Features.Sessions;

/// <summary>
/// Masks what is sensitive in JSON, at any depth, inside arrays too:
/// <list type="bullet">
/// <item>the value of a key whose name contains one of the configured parts (case-insensitive; <see cref="SessionsOptions.DefaultMaskedKeyParts"/>
/// by default), whatever its type (an <c>auth</c> object hides everything in it);</item>
/// <item>in every string, whatever its key, what <see cref="SecretValues"/> finds (JWTs, Bearer and Basic credentials, long random
/// tokens, a URL's password, <c>name=value</c> with a sensitive name), the rest of the string kept;</item>
/// <item>JSON held in a string (<c>"{\"access_token\": …}"</c>): parsed and masked the same way, and kept as a string.</item>
/// </list>
/// </summary>
public sealed class SensitiveDataMasker(IReadOnlyList<string> keyParts)
{
    public const string Mask = "••••••";
    /// <summary>In a masked path, where a string's JSON begins: <c>$.prefs(json).access_token</c>.</summary>
    public const string InsideJson = "(json)";

    // Readable text (ü, •) rather than \u escapes: the page shows this JSON as it is.
    private static readonly JsonSerializerOptions Output = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public bool IsSensitive(string key)
    {
        foreach (var part in keyParts)
            if (part.Length > 0 && key.Contains(part, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>The JSON with sensitive values replaced by <see cref="Mask"/>, and the JSONPath-like paths of what was masked.</summary>
    public (string Json, IReadOnlyList<string> MaskedPaths) Apply(string json) => Apply(json, topLevelNamesAreData: true);

    /// <summary>
    /// A record (a table row, or an array of rows, or an action's parameters) masked: its own top-level names are the table's
    /// columns or the dashboard's parameter names (<c>key</c> of a cache row, <c>session_id</c>), not data, so they are not
    /// matched against the key parts; what they hold is masked as <see cref="Apply(string)"/> does.
    /// </summary>
    public string ApplyToRecord(string json) => Apply(json, topLevelNamesAreData: false).Json;

    /// <summary>Free text (an error message) with what <see cref="SecretValues"/> finds replaced by <see cref="Mask"/>.</summary>
    public string MaskText(string text)
    {
        var spans = SecretValues.Find(text, IsSensitive);
        return spans.Count == 0 ? text : SecretValues.Replace(text, spans, Mask);
    }

    private (string Json, IReadOnlyList<string> MaskedPaths) Apply(string json, bool topLevelNamesAreData)
    {
        var paths = new List<string>();
        var root = Masked(JsonNode.Parse(json), "$", paths, topLevelNamesAreData);
        return (root?.ToJsonString(Output) ?? "null", paths);
    }

    /// <summary>The node masked: objects and arrays in place; a string that changes is returned as a new value.</summary>
    private JsonNode? Masked(JsonNode? node, string path, List<string> paths, bool namesAreData)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var name in obj.Select(p => p.Key).ToList())
                {
                    var child = obj[name];
                    if (child is null) continue; // null hides nothing
                    var childPath = path + PathSegment(name);
                    if (namesAreData && IsSensitive(name))
                    {
                        obj[name] = Mask;
                        paths.Add(childPath);
                    }
                    else if (Masked(child, childPath, paths, namesAreData: true) is var masked && !ReferenceEquals(masked, child))
                    {
                        obj[name] = masked;
                    }
                }
                return obj;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                    if (array[i] is { } item && Masked(item, $"{path}[{i}]", paths, namesAreData) is var masked && !ReferenceEquals(masked, item))
                        array[i] = masked;
                return array;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                var text = value.GetValue<string>();
                var (isJson, maskedJson) = MaskedInsideJson(text, path, paths);
                if (isJson) return maskedJson is null ? node : JsonValue.Create(maskedJson);
                var maskedText = MaskText(text);
                if (ReferenceEquals(maskedText, text)) return node;
                paths.Add(path);
                return JsonValue.Create(maskedText);
            default:
                return node;
        }
    }

    /// <summary>A string that holds a JSON object or array: masked inside (null when nothing was), and its paths added.</summary>
    private (bool IsJson, string? Masked) MaskedInsideJson(string text, string path, List<string> paths)
    {
        var trimmed = text.AsSpan().Trim();
        if (trimmed.Length < 2 || !(trimmed[0] == '{' && trimmed[^1] == '}' || trimmed[0] == '[' && trimmed[^1] == ']')) return (false, null);
        JsonNode? inner;
        try
        {
            inner = JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return (false, null);
        }
        var innerPaths = new List<string>();
        inner = Masked(inner, "$", innerPaths, namesAreData: true);
        if (innerPaths.Count == 0) return (true, null);
        paths.AddRange(innerPaths.Select(p => path + InsideJson + p[1..]));
        return (true, inner!.ToJsonString(Output));
    }

    private static string PathSegment(string name) =>
        name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') && name.Length > 0 ? "." + name : $"[{JsonSerializer.Serialize(name)}]";
}
