using System.Text.Json.Nodes;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Orchestra.Admin.Components.Controls;

public static class JsonText
{
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        // Shown as text (Blazor escapes it), so non-ASCII stays readable instead of \u escapes.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Indented JSON for display; text that is not JSON is returned as it is.</summary>
    public static string Pretty(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return JsonSerializer.Serialize(doc.RootElement, Indented);
        }
        catch (JsonException)
        {
            return json;
        }
    }

    /// <summary>A JSON value on one line: a string as it is, anything else as compact JSON ("null" for null).</summary>
    public static string OneLine(JsonNode? value) => value switch
    {
        null => "null",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => value.ToJsonString(),
    };

    /// <summary>The same value in full: JSON pretty-printed, also JSON held in a string (as the stack's metadata is).</summary>
    public static string Full(JsonNode? value) => OneLine(value) is var text && LooksLikeJson(text) ? Pretty(text) : text;

    private static bool LooksLikeJson(string s) => s.TrimStart() is { Length: > 0 } t && (t[0] == '{' || t[0] == '[');
}
