using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestra.Admin.Features.Sessions;

/// <summary>
/// Masks the values of sensitive keys in a session's data: a key whose name contains one of the configured parts
/// (case-insensitive: token, password, secret, key, auth, cookie, card by default), at any depth, inside arrays too.
/// The whole value is masked, whatever its type (an <c>auth</c> object hides everything in it).
/// </summary>
public sealed class SensitiveDataMasker(IReadOnlyList<string> keyParts)
{
    public const string Mask = "••••••";

    // Readable text (ü, •) rather than \u escapes: the page shows this JSON as it is.
    private static readonly JsonSerializerOptions Output = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public bool IsSensitive(string key)
    {
        foreach (var part in keyParts)
            if (part.Length > 0 && key.Contains(part, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>The JSON with sensitive values replaced by <see cref="Mask"/>, and the JSONPath-like paths of what was masked.</summary>
    public (string Json, IReadOnlyList<string> MaskedPaths) Apply(string json)
    {
        var root = JsonNode.Parse(json);
        var paths = new List<string>();
        Walk(root, "$", paths);
        return (root?.ToJsonString(Output) ?? "null", paths);
    }

    private void Walk(JsonNode? node, string path, List<string> paths)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var name in obj.Select(p => p.Key).ToList())
                {
                    var childPath = path + PathSegment(name);
                    if (IsSensitive(name) && obj[name] is not null)
                    {
                        obj[name] = Mask;
                        paths.Add(childPath);
                    }
                    else
                    {
                        Walk(obj[name], childPath, paths);
                    }
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++) Walk(array[i], $"{path}[{i}]", paths);
                break;
        }
    }

    private static string PathSegment(string name) =>
        name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') && name.Length > 0 ? "." + name : $"[{JsonSerializer.Serialize(name)}]";
}
