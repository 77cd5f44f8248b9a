using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Orchestra.Admin.Data.Weaviate;

namespace Orchestra.Admin.Features.VectorSearch;

/// <summary>A where condition checked against the schema: the property, the operator and the values typed by the property's
/// data type (string for text and uuid, long, double, bool, DateTimeOffset); several only for ContainsAny.</summary>
/// <param name="Type">The property's element type ("text", "int", "number", "boolean", "date", "uuid").</param>
public sealed record CheckedCondition(string Property, string Type, FilterOperator Operator, IReadOnlyList<object> Values);

/// <summary>
/// An ad hoc search checked against the class's schema, before any protocol writes it: what GraphQL and gRPC send is
/// built from this only, so both refuse the same input with the same message.
/// </summary>
/// <param name="Vector">nearVector's vector, or hybrid's optional one.</param>
/// <param name="Text">nearText's concept, or bm25's and hybrid's query.</param>
public sealed record CheckedSearch(
    string ClassName,
    IReadOnlyList<string> Properties,
    SearchMode Mode,
    float[]? Vector,
    Guid? ObjectId,
    string? Text,
    double Alpha,
    HybridFusion Fusion,
    double? Distance,
    double? Certainty,
    int Limit,
    IReadOnlyList<CheckedCondition> Conditions,
    bool Cosine);

/// <summary>
/// Checks every input of an ad hoc search against the class's schema (pure: no I/O). A problem is a
/// <see cref="SearchInputException"/> naming the form field. Also the schema rules the form uses to offer options
/// (which properties can be returned or filtered, with which operators).
/// </summary>
public static partial class SearchChecks
{
    public const int MaxLimit = 1000;
    public const int MaxQueryTextLength = 10_000;
    public const int MaxFilterValueLength = 10_000;

    /// <summary>The scalar data types a property can have without sub-fields (their <c>[]</c> arrays too).</summary>
    private static readonly HashSet<string> Primitive = new(StringComparer.Ordinal) { "text", "string", "int", "number", "boolean", "date", "uuid", "blob" };

    /// <summary>The data types a where filter can compare (blob, geo, phone, object and references cannot be filtered here).</summary>
    private static readonly HashSet<string> Filterable = new(StringComparer.Ordinal) { "text", "string", "int", "number", "boolean", "date", "uuid" };

    /// <summary>
    /// <paramref name="request"/> checked against the class <paramref name="cls"/> (null when the class is not in the
    /// schema). Throws <see cref="SearchInputException"/> when the input does not fit the class.
    /// </summary>
    public static CheckedSearch Check(SearchRequest request, WeaviateClass? cls, ClassSearchInfo info)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(info);

        // Class: its shape first (a name that is not one never gets near a query), then that it exists.
        if (WeaviateNames.ClassNameProblem(request.ClassName) is { } classProblem)
            throw new SearchInputException("class", Sentence(classProblem));
        if (cls is null || !string.Equals(cls.Name, request.ClassName, StringComparison.Ordinal))
            throw new SearchInputException("class", $"There is no class '{request.ClassName}' in Weaviate's schema.");

        var properties = ReturnedProperties(request, cls);
        float[]? vector = null;
        Guid? objectId = null;
        string? text = null;
        switch (request.Mode)
        {
            case SearchMode.NearVector:
                vector = VectorParser.Parse(request.VectorText, info);
                break;
            case SearchMode.NearObject:
                objectId = ObjectId(request.ObjectId);
                break;
            case SearchMode.NearText:
                if (info.NearTextUnavailableReason is { } reason)
                    throw new SearchInputException("mode", $"nearText is not available: {reason}.");
                text = QueryText(request.QueryText, "nearText");
                break;
            case SearchMode.Bm25:
                text = QueryText(request.QueryText, "bm25");
                NoThreshold(request, "bm25");
                break;
            case SearchMode.Hybrid:
                text = QueryText(request.QueryText, "hybrid");
                NoThreshold(request, "hybrid");
                if (!double.IsFinite(request.Alpha) || request.Alpha is < 0 or > 1)
                    throw new SearchInputException("alpha", $"Alpha must be between 0 (keyword only) and 1 (vector only); it is {Show(request.Alpha)}.");
                if (!string.IsNullOrWhiteSpace(request.VectorText))
                    vector = VectorParser.Parse(request.VectorText, info);
                else if (request.Alpha > 0 && info.NearTextUnavailableReason is { } hybridReason)
                    throw new SearchInputException("vector",
                        $"Hybrid search with alpha above 0 needs a vector here: {hybridReason}, so Weaviate cannot vectorize the query text. Paste a vector, or set alpha to 0 (keyword only).");
                if (!Enum.IsDefined(request.Fusion))
                    throw new SearchInputException("fusion", $"Unknown fusion type {request.Fusion}.");
                break;
            default:
                // Search by text reaches a protocol as the nearVector search its text became (TextQueries).
                throw new SearchInputException("mode", $"Unknown search mode {request.Mode}.");
        }
        var (distance, certainty) = request.Mode is SearchMode.NearVector or SearchMode.NearObject or SearchMode.NearText
            ? Threshold(request, info) : (null, null);

        if (request.Limit is < 1 or > MaxLimit)
            throw new SearchInputException("limit", $"The limit must be between 1 and {MaxLimit.ToString("N0", CultureInfo.InvariantCulture)} (it is {request.Limit.ToString(CultureInfo.InvariantCulture)}).");
        var conditions = request.Filters.Select((row, i) => Condition(row, i, cls)).ToList();

        return new CheckedSearch(cls.Name!, properties, request.Mode, vector, objectId, text, request.Alpha, request.Fusion,
            distance, certainty, request.Limit, conditions, IsCosine(info));
    }

    /// <summary>
    /// The properties returned by default: the class's text properties (text and string, not their arrays), or
    /// every primitive one when it has none.
    /// </summary>
    public static IReadOnlyList<string> DefaultProperties(WeaviateClass cls)
    {
        var text = cls.Properties.Where(p => p.Name != null && p.DataType is ["text" or "string"]).Select(p => p.Name!).ToList();
        return text.Count > 0 ? text : cls.Properties.Where(p => p.Name != null && IsReturnable(p)).Select(p => p.Name!).ToList();
    }

    /// <summary>Whether a property can be selected without sub-fields (primitive types and their arrays).</summary>
    public static bool IsReturnable(Property property) => property.DataType.Count == 1 && Primitive.Contains(BaseType(property));

    /// <summary>Whether a where filter can be built on the property (a filterable type, indexed for filtering).</summary>
    public static bool IsFilterable(Property property) =>
        property.DataType.Count == 1 && Filterable.Contains(BaseType(property)) && property.IndexInverted != false
        && (property.IndexFilterable != false || property.IndexRangeFilters == true);

    /// <summary>The operators the form may offer for a property (empty when it cannot be filtered).</summary>
    public static IReadOnlyList<FilterOperator> OperatorsFor(Property property)
    {
        if (!IsFilterable(property)) return [];
        var type = BaseType(property);
        var isArray = IsArray(property);
        var operators = new List<FilterOperator>();
        if (property.IndexFilterable != false) operators.AddRange([FilterOperator.Equal, FilterOperator.NotEqual]);
        if (type is "int" or "number" or "date" && (property.IndexFilterable != false || property.IndexRangeFilters == true))
            operators.AddRange([FilterOperator.GreaterThan, FilterOperator.GreaterThanEqual, FilterOperator.LessThan, FilterOperator.LessThanEqual]);
        if (property.IndexFilterable != false)
        {
            if (type is "text" or "string") operators.Add(FilterOperator.Like);
            if (isArray || type is "text" or "string") operators.Add(FilterOperator.ContainsAny);
        }
        return operators;
    }

    /// <summary>"text" for ["text"] and ["text[]"]: the element type; a reference's class name otherwise.</summary>
    public static string BaseType(Property property) =>
        property.DataType.Count == 1 ? property.DataType[0].EndsWith("[]", StringComparison.Ordinal) ? property.DataType[0][..^2] : property.DataType[0] : "";

    public static bool IsArray(Property property) => property.DataType.Count == 1 && property.DataType[0].EndsWith("[]", StringComparison.Ordinal);

    // ------------------------------------------------------------------ selection

    private static List<string> ReturnedProperties(SearchRequest request, WeaviateClass cls)
    {
        var names = request.Properties.Count > 0 ? request.Properties : DefaultProperties(cls);
        var result = new List<string>(names.Count);
        foreach (var name in names)
        {
            var property = RequireProperty(cls, name, "properties");
            if (!IsReturnable(property))
                throw new SearchInputException("properties",
                    $"Property '{property.Name}' is of type {string.Join(", ", property.DataType)}, which needs sub-fields: it cannot be returned here.");
            if (!result.Contains(property.Name!)) result.Add(property.Name!);
        }
        return result;
    }

    private static bool IsCosine(ClassSearchInfo info) => string.Equals(info.Distance, "cosine", StringComparison.Ordinal);

    // ------------------------------------------------------------------ the search's own arguments

    /// <summary>The distance or the certainty of the near searches (at most one of them).</summary>
    private static (double? Distance, double? Certainty) Threshold(SearchRequest request, ClassSearchInfo info)
    {
        switch (request.ThresholdKind)
        {
            case ThresholdKind.None:
                return (null, null);
            case ThresholdKind.Distance:
                if (request.Threshold is not { } distance)
                    throw new SearchInputException("threshold", "Give a maximum distance, or choose no threshold.");
                if (!double.IsFinite(distance))
                    throw new SearchInputException("threshold", $"The distance must be a finite number; it is {Show(distance)}.");
                return (distance, null);
            case ThresholdKind.Certainty:
                if (!IsCosine(info))
                    throw new SearchInputException("threshold", info.Distance is { } metric
                        ? $"Certainty exists only for cosine distance; class {info.ClassName} uses {metric} — give a distance instead."
                        : $"Certainty exists only for cosine distance, and class {info.ClassName}'s distance metric is unknown — give a distance instead.");
                if (request.Threshold is not { } certainty)
                    throw new SearchInputException("threshold", "Give a minimum certainty between 0 and 1, or choose no threshold.");
                if (!double.IsFinite(certainty) || certainty is < 0 or > 1)
                    throw new SearchInputException("threshold", $"Certainty must be between 0 and 1; it is {Show(certainty)}.");
                return (null, certainty);
            default:
                throw new SearchInputException("threshold", $"Unknown threshold kind {request.ThresholdKind}.");
        }
    }

    private static void NoThreshold(SearchRequest request, string mode)
    {
        if (request.ThresholdKind != ThresholdKind.None)
            throw new SearchInputException("threshold",
                $"A {(request.ThresholdKind == ThresholdKind.Certainty ? "certainty" : "distance")} threshold applies to nearVector, nearObject and nearText only, not to {mode}: choose no threshold.");
    }

    private static Guid ObjectId(string? text)
    {
        var trimmed = text?.Trim() ?? "";
        if (trimmed.Length == 0)
            throw new SearchInputException("objectId", "Give the id of the object to search from (a UUID such as 2f1c6b1e-8d7a-4a8e-9a53-0c1f3e5b7d21).");
        if (!Guid.TryParseExact(trimmed, "D", out var id) && !Guid.TryParseExact(trimmed, "N", out id))
            throw new SearchInputException("objectId", $"'{ShowText(trimmed)}' is not an object id: expected a UUID such as 2f1c6b1e-8d7a-4a8e-9a53-0c1f3e5b7d21.");
        return id;
    }

    private static string QueryText(string? text, string mode)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw new SearchInputException("query", $"{mode} needs query text.");
        if (text.Length > MaxQueryTextLength)
            throw new SearchInputException("query", $"The query text is {text.Length.ToString("N0", CultureInfo.InvariantCulture)} characters long; at most {MaxQueryTextLength.ToString("N0", CultureInfo.InvariantCulture)} are accepted.");
        return text;
    }

    // ------------------------------------------------------------------ where

    /// <summary>One condition, its value (or values, for ContainsAny) typed by the property's data type.</summary>
    private static CheckedCondition Condition(FilterRow row, int index, WeaviateClass cls)
    {
        var field = $"filter[{index.ToString(CultureInfo.InvariantCulture)}]";
        var label = $"Filter row {(index + 1).ToString(CultureInfo.InvariantCulture)}";
        if (row is null) throw new SearchInputException(field, $"{label} is empty.");

        Property property;
        try
        {
            property = WeaviateNames.RequireProperty(cls, row.Property);
        }
        catch (ArgumentException e)
        {
            throw new SearchInputException(field, $"{label}: {Sentence(e.Message, capital: false)}");
        }
        var name = property.Name!;
        var type = BaseType(property);
        if (!IsFilterable(property))
            throw new SearchInputException(field, property.DataType.Count == 1 && Filterable.Contains(type)
                ? $"{label}: property '{name}' is not indexed for filtering (indexFilterable: false)."
                : $"{label}: property '{name}' is of type {string.Join(", ", property.DataType)}, which cannot be filtered here.");
        var allowed = OperatorsFor(property);
        if (!Enum.IsDefined(row.Operator) || !allowed.Contains(row.Operator))
            throw new SearchInputException(field,
                $"{label}: {row.Operator} does not apply to property '{name}' ({string.Join(", ", property.DataType)}); use {string.Join(", ", allowed)}.");

        var raw = row.Value ?? "";
        if (raw.Length > MaxFilterValueLength)
            throw new SearchInputException(field, $"{label}: the value is {raw.Length.ToString("N0", CultureInfo.InvariantCulture)} characters long; at most {MaxFilterValueLength.ToString("N0", CultureInfo.InvariantCulture)} are accepted.");

        var values = row.Operator == FilterOperator.ContainsAny
            ? SplitList(raw, field, label).Select(item => Value(type, item, field, label)).ToList()
            : [Value(type, raw, field, label)];
        return new CheckedCondition(name, type is "string" ? "text" : type, row.Operator, values);
    }

    /// <summary>The value typed by the property's data type: string (text, uuid as its "D" form), long, double, bool, DateTimeOffset.</summary>
    private static object Value(string type, string raw, string field, string label)
    {
        var text = type is "text" or "string" ? raw : raw.Trim();
        switch (type)
        {
            case "text":
            case "string":
                if (text.Length == 0) throw new SearchInputException(field, $"{label}: give a text value.");
                return text;
            case "uuid":
                if (!Guid.TryParseExact(text, "D", out var id) && !Guid.TryParseExact(text, "N", out id))
                    throw new SearchInputException(field, $"{label}: '{ShowText(text)}' is not a UUID (e.g. 2f1c6b1e-8d7a-4a8e-9a53-0c1f3e5b7d21).");
                return id.ToString("D");
            case "int":
                if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
                    throw new SearchInputException(field, $"{label}: '{ShowText(text)}' is not a whole number (e.g. 42 or -7).");
                return integer;
            case "number":
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number)
                    || IsNamedSpecial(text))
                    throw new SearchInputException(field, $"{label}: '{ShowText(text)}' is not a number (e.g. 0.5 or -2e-3; a dot is the decimal separator{(text.Contains(',') ? ", not a comma" : "")}).");
                return number;
            case "boolean":
                if (string.Equals(text, "true", StringComparison.OrdinalIgnoreCase)) return true;
                if (string.Equals(text, "false", StringComparison.OrdinalIgnoreCase)) return false;
                throw new SearchInputException(field, $"{label}: '{ShowText(text)}' is not a boolean: use true or false.");
            case "date":
                if (ParseRfc3339(text) is not { } date)
                    throw new SearchInputException(field, $"{label}: '{ShowText(text)}' is not an RFC 3339 date-time: use e.g. 2025-01-31T12:00:00Z or 2025-01-31T13:00:00+01:00.");
                return date;
            default:
                throw new SearchInputException(field, $"{label}: values of type {type} cannot be filtered here.");
        }
    }

    private static bool IsNamedSpecial(string text) =>
        text.TrimStart('+', '-') is var t && (t.Equals("nan", StringComparison.OrdinalIgnoreCase) || t.Equals("infinity", StringComparison.OrdinalIgnoreCase) || t == "∞");

    /// <summary>
    /// ContainsAny's values: a JSON array of strings / numbers (<c>["a, b", "c"]</c>) or comma-separated items
    /// (<c>a, b, c</c>), each trimmed.
    /// </summary>
    private static List<string> SplitList(string raw, string field, string label)
    {
        var trimmed = raw.Trim();
        List<string> items;
        if (trimmed.StartsWith('['))
        {
            try
            {
                using var json = JsonDocument.Parse(trimmed);
                if (json.RootElement.ValueKind != JsonValueKind.Array) throw new JsonException();
                items = json.RootElement.EnumerateArray().Select(e => e.ValueKind switch
                {
                    JsonValueKind.String => e.GetString()!,
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => e.GetRawText(),
                    _ => throw new JsonException(),
                }).ToList();
            }
            catch (JsonException)
            {
                throw new SearchInputException(field, $"{label}: the values are not a JSON array of strings or numbers; write [\"a\", \"b\"] or a, b.");
            }
        }
        else
            items = trimmed.Split(',').Select(s => s.Trim()).Where(s => s.Length > 0).ToList();
        if (items.Count == 0)
            throw new SearchInputException(field, $"{label}: give at least one value (several separated by commas).");
        return items;
    }

    [GeneratedRegex(@"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})\z", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex Rfc3339Regex();

    /// <summary>An RFC 3339 date-time with a time zone (Z or ±hh:mm); fractions beyond 100 ns are cut.</summary>
    public static DateTimeOffset? ParseRfc3339(string text)
    {
        var m = Rfc3339Regex().Match(text);
        if (!m.Success) return null;
        var fraction = m.Groups[7].Value;
        if (fraction.Length > 8) fraction = fraction[..8]; // '.' + 7 digits
        var zone = m.Groups[8].Value is "Z" or "z" ? "+00:00" : m.Groups[8].Value;
        var normal = $"{m.Groups[1].Value}-{m.Groups[2].Value}-{m.Groups[3].Value}T{m.Groups[4].Value}:{m.Groups[5].Value}:{m.Groups[6].Value}{fraction}{zone}";
        return DateTimeOffset.TryParse(normal, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;
    }

    /// <summary>2025-01-31T12:00:00Z (UTC) or 2025-01-31T13:00:00.5+01:00: RFC 3339, fraction only when there is one.</summary>
    public static string FormatRfc3339(DateTimeOffset date) => date.Offset == TimeSpan.Zero
        ? date.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture)
        : date.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture);

    // ------------------------------------------------------------------ helpers

    private static Property RequireProperty(WeaviateClass cls, string? name, string field)
    {
        try
        {
            return WeaviateNames.RequireProperty(cls, name);
        }
        catch (ArgumentException e)
        {
            throw new SearchInputException(field, Sentence(e.Message));
        }
    }

    /// <summary>An ArgumentException's message without " (Parameter 'x')", as a sentence.</summary>
    private static string Sentence(string message, bool capital = true)
    {
        var cut = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        if (cut >= 0) message = message[..cut];
        if (capital && message.Length > 0) message = char.ToUpperInvariant(message[0]) + message[1..];
        return message.EndsWith('.') ? message : message + ".";
    }

    private static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Operator text as it may be echoed: control characters as \uXXXX, at most 60 characters.</summary>
    private static string ShowText(string text)
    {
        var cut = text.Length > 60 ? text[..60] + "…" : text;
        var shown = new StringBuilder(cut.Length);
        foreach (var c in cut) shown.Append(char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString());
        return shown.ToString();
    }
}
