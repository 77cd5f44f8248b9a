using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestra.WeaviateEmulator;

/// <summary>
/// Converts property values between JSON and the typed form the store keeps:
/// text → string, int → long, number → double, boolean → bool, date → DateTimeOffset, uuid → Guid,
/// and arrays of those for the "[]" types. Messages follow Weaviate's validator.
/// </summary>
internal static class PropertyValues
{
    public static object Parse(PropertyDef prop, string className, JsonNode value)
    {
        if (!prop.IsArray)
            return ParseScalar(prop, className, value);
        if (value is not JsonArray array)
            throw Invalid($"invalid {prop.DataType} property '{prop.Name}' on class '{className}': not an array, but {GoType(value)}");
        var items = array.Select(item => item is null
            ? throw Invalid($"invalid {prop.DataType} property '{prop.Name}' on class '{className}': null element")
            : ParseScalar(prop, className, item)).ToList();
        return prop.BaseType switch
        {
            "text" => items.Cast<string>().ToArray(),
            "int" => items.Cast<long>().ToArray(),
            "number" => items.Cast<double>().ToArray(),
            "boolean" => items.Cast<bool>().ToArray(),
            "date" => items.Cast<DateTimeOffset>().ToArray(),
            "uuid" => items.Cast<Guid>().ToArray(),
            _ => throw new InvalidOperationException(prop.BaseType),
        };
    }

    private static object ParseScalar(PropertyDef prop, string className, JsonNode value)
    {
        var kind = value.GetValueKind();
        switch (prop.BaseType)
        {
            case "text":
                if (kind != JsonValueKind.String)
                    throw Invalid($"invalid text property '{prop.Name}' on class '{className}': not a string, but {GoType(value)}");
                return value.GetValue<string>();
            case "int":
                if (kind == JsonValueKind.Number && value.AsValue().TryGetValue<long>(out var l))
                    return l;
                if (kind == JsonValueKind.Number && value.AsValue().TryGetValue<double>(out var d) && d == Math.Floor(d) && Math.Abs(d) < 9.2e18)
                    return (long)d;
                throw Invalid($"invalid integer property '{prop.Name}' on class '{className}': requires an integer, the given value is '{Raw(value)}'");
            case "number":
                if (kind == JsonValueKind.Number)
                    return value.GetValue<double>();
                throw Invalid($"invalid number property '{prop.Name}' on class '{className}': requires a float, the given value is '{Raw(value)}'");
            case "boolean":
                if (kind is JsonValueKind.True or JsonValueKind.False)
                    return value.GetValue<bool>();
                throw Invalid($"invalid boolean property '{prop.Name}' on class '{className}': not a boolean, but {GoType(value)}");
            case "date":
                if (kind == JsonValueKind.String && TryParseDate(value.GetValue<string>(), out var date))
                    return date;
                throw Invalid($"invalid date property '{prop.Name}' on class '{className}': requires a string with a RFC3339 formatted date, but the given value is '{Raw(value)}'");
            case "uuid":
                if (kind == JsonValueKind.String && Guid.TryParse(value.GetValue<string>(), out var g))
                    return g;
                throw Invalid($"invalid uuid property '{prop.Name}' on class '{className}': requires a string with a valid uuid, the given value is '{Raw(value)}'");
            default:
                throw new InvalidOperationException(prop.BaseType);
        }
    }

    /// <summary>RFC 3339 (what Go's time.RFC3339Nano accepts): a date, a time and an offset or Z.</summary>
    public static bool TryParseDate(string text, out DateTimeOffset date)
    {
        date = default;
        if (text.Length < 20 || text[10] is not ('T' or 't'))
            return false;
        var last = text[^1];
        var hasZone = last is 'Z' or 'z' || (text.Length >= 6 && text[^6] is '+' or '-' && text[^3] == ':');
        return hasZone && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
    }

    public static string FormatDate(DateTimeOffset date)
    {
        // Go's RFC3339Nano: trailing zeros of the fraction dropped, "Z" for UTC.
        var text = date.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
        return date.Offset == TimeSpan.Zero
            ? text + "Z"
            : text + date.ToString("zzz", CultureInfo.InvariantCulture);
    }

    public static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        string s => JsonValue.Create(s),
        long l => JsonValue.Create(l),
        double d => JsonValue.Create(d),
        bool b => JsonValue.Create(b),
        DateTimeOffset dt => JsonValue.Create(FormatDate(dt)),
        Guid g => JsonValue.Create(g.ToString("D")),
        string[] a => new JsonArray(a.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray()),
        long[] a => new JsonArray(a.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray()),
        double[] a => new JsonArray(a.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray()),
        bool[] a => new JsonArray(a.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray()),
        DateTimeOffset[] a => new JsonArray(a.Select(x => (JsonNode?)JsonValue.Create(FormatDate(x))).ToArray()),
        Guid[] a => new JsonArray(a.Select(x => (JsonNode?)JsonValue.Create(x.ToString("D"))).ToArray()),
        _ => throw new InvalidOperationException(value.GetType().Name),
    };

    /// <summary>The properties object of an object response: keys sorted, as Go's encoding/json writes a map.</summary>
    public static JsonObject PropertiesJson(StoredObject obj)
    {
        var result = new JsonObject();
        foreach (var key in obj.Values.Keys.OrderBy(k => k, StringComparer.Ordinal))
            result[key] = ToJson(obj.Values[key]);
        return result;
    }

    private static EmulatorStoreException Invalid(string message) => new(422, "invalid object: " + message);

    private static string Raw(JsonNode value) =>
        value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();

    private static string GoType(JsonNode value) => value.GetValueKind() switch
    {
        JsonValueKind.String => "string",
        JsonValueKind.Number => "json.Number",
        JsonValueKind.True or JsonValueKind.False => "bool",
        JsonValueKind.Object => "map[string]interface {}",
        JsonValueKind.Array => "[]interface {}",
        _ => "<nil>",
    };
}
