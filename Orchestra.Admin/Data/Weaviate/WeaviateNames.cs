using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Orchestra.Admin.Data.Weaviate;

/// <summary>
/// Class and property names before they go into a URL or a GraphQL query: first their shape (Weaviate's own
/// rules, which are GraphQL names), then, where the caller has the schema, that they exist in it. Problems are
/// sentences to show next to the input.
/// </summary>
public static partial class WeaviateNames
{
    // \z, not $: in .NET, $ also matches before a final "\n", which would let "Memory\n" through.
    /// <summary>Weaviate's class name rule: an upper-case letter, then letters, digits and _ (at most 255 characters).</summary>
    [GeneratedRegex("^[A-Z][_0-9A-Za-z]{0,254}\\z", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex ClassNameRegex();

    /// <summary>Weaviate's property name rule: a letter or _, then letters, digits and _ (at most 231 characters).</summary>
    [GeneratedRegex("^[_A-Za-z][_0-9A-Za-z]{0,230}\\z", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex PropertyNameRegex();

    /// <summary>A GraphQL name (Name in the GraphQL spec).</summary>
    [GeneratedRegex("^[_A-Za-z][_0-9A-Za-z]*\\z", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex GraphQLNameRegex();

    public static bool IsValidClassName(string? name) => name != null && ClassNameRegex().IsMatch(name);

    public static bool IsValidPropertyName(string? name) => name != null && PropertyNameRegex().IsMatch(name) && !name.StartsWith("__", StringComparison.Ordinal);

    public static bool IsValidGraphQLName(string? name) => name != null && GraphQLNameRegex().IsMatch(name) && !name.StartsWith("__", StringComparison.Ordinal);

    /// <summary>What is wrong with a class name, or null when its shape is valid.</summary>
    public static string? ClassNameProblem(string? name) =>
        string.IsNullOrEmpty(name) ? "a class name is required"
        : IsValidClassName(name) ? null
        : $"'{Show(name)}' is not a valid Weaviate class name: it starts with an upper-case letter (A-Z) and holds only letters, digits and _ (at most 255 characters)";

    /// <summary>What is wrong with a property name, or null when its shape is valid.</summary>
    public static string? PropertyNameProblem(string? name) =>
        string.IsNullOrEmpty(name) ? "a property name is required"
        : IsValidPropertyName(name) ? null
        : $"'{Show(name)}' is not a valid Weaviate property name: it starts with a letter or _ and holds only letters, digits and _ (at most 231 characters, not starting with __)";

    /// <summary>Returns the name when its shape is valid; throws <see cref="ArgumentException"/> with the problem otherwise.</summary>
    public static string ValidateClassName(string? name) =>
        ClassNameProblem(name) is { } problem ? throw new ArgumentException(problem, nameof(name)) : name!;

    /// <summary>Returns the name when its shape is valid; throws <see cref="ArgumentException"/> with the problem otherwise.</summary>
    public static string ValidatePropertyName(string? name) =>
        PropertyNameProblem(name) is { } problem ? throw new ArgumentException(problem, nameof(name)) : name!;

    /// <summary>Returns a GraphQL name unchanged when valid; throws <see cref="ArgumentException"/> otherwise.</summary>
    public static string ValidateGraphQLName(string? name) =>
        IsValidGraphQLName(name) ? name! : throw new ArgumentException($"'{Show(name ?? "")}' is not a valid GraphQL name", nameof(name));

    /// <summary>The class of that name in a fetched schema; throws <see cref="ArgumentException"/> when the name is invalid or not in it.</summary>
    public static WeaviateClass RequireClass(Schema schema, string? className)
    {
        ValidateClassName(className);
        if (schema.FindClass(className!) is { } found) return found;
        var known = schema.Classes.Select(c => c.Name).Where(n => n != null).Order(StringComparer.Ordinal).ToList();
        var hint = schema.Classes.FirstOrDefault(c => string.Equals(c.Name, className, StringComparison.OrdinalIgnoreCase)) is { Name: { } near }
            ? $" (did you mean '{near}'? class names are case-sensitive)"
            : known.Count == 0 ? " (the schema has no classes)" : $" (classes: {string.Join(", ", known.Take(20))}{(known.Count > 20 ? ", …" : "")})";
        throw new ArgumentException($"no class '{className}' in Weaviate's schema{hint}", nameof(className));
    }

    /// <summary>The property of that name in a class; throws <see cref="ArgumentException"/> when the name is invalid or not in it.</summary>
    public static Property RequireProperty(WeaviateClass cls, string? propertyName)
    {
        ValidatePropertyName(propertyName);
        if (cls.FindProperty(propertyName!) is { } found) return found;
        var known = cls.Properties.Select(p => p.Name).Where(n => n != null).Order(StringComparer.Ordinal).ToList();
        var hint = known.Count == 0 ? " (it has no properties)" : $" (properties: {string.Join(", ", known.Take(20))}{(known.Count > 20 ? ", …" : "")})";
        throw new ArgumentException($"class '{cls.Name}' has no property '{propertyName}'{hint}", nameof(propertyName));
    }

    /// <summary>A name as it may be echoed in a message: control characters shown as \uXXXX, long names cut.</summary>
    private static string Show(string name)
    {
        var shown = new StringBuilder();
        foreach (var c in name.Length > 80 ? name[..80] + "…" : name)
            shown.Append(char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString());
        return shown.ToString();
    }
}

/// <summary>
/// The building blocks for GraphQL query text: names (validated, never quoted or escaped into validity),
/// string literals (escaped) and numbers (invariant culture, never "0,5"). Queries are built only from these.
/// </summary>
public static class GraphQLText
{
    /// <summary>A GraphQL string literal, quotes included: <c>"</c>, <c>\</c>, line breaks and control characters escaped.</summary>
    public static string String(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var s = new StringBuilder(value.Length + 2).Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"': s.Append("\\\""); break;
                case '\\': s.Append("\\\\"); break;
                case '\n': s.Append("\\n"); break;
                case '\r': s.Append("\\r"); break;
                case '\t': s.Append("\\t"); break;
                case '\b': s.Append("\\b"); break;
                case '\f': s.Append("\\f"); break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                    {
                        // A character beyond the BMP goes in as it is (UTF-8 in the JSON body): a \u escape of a
                        // surrogate half is not a character to graphql-go.
                        s.Append(c).Append(value[++i]);
                    }
                    else if (char.IsSurrogate(c))
                        s.Append("\\uFFFD"); // a lone surrogate is no character at all
                    else if (char.IsControl(c) || c is '\u2028' or '\u2029' or '\uFEFF')
                        s.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    else
                        s.Append(c);
                    break;
            }
        }
        return s.Append('"').ToString();
    }

    /// <summary>A GraphQL Float/Int literal in the invariant culture (shortest text that reads back the same value).</summary>
    public static string Number(double value)
    {
        if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(value), value, "GraphQL has no literal for NaN or infinity");
        return value.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>A float32 as its shortest invariant text (0.7f is "0.7", not "0.699999988079071").</summary>
    public static string Number(float value)
    {
        if (!float.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(value), value, "GraphQL has no literal for NaN or infinity");
        return value.ToString("R", CultureInfo.InvariantCulture);
    }

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Boolean(bool value) => value ? "true" : "false";

    /// <summary>A GraphQL list of floats: <c>[0.7, 0.3]</c>.</summary>
    public static string Vector(IEnumerable<float> values) => "[" + string.Join(", ", values.Select(Number)) + "]";

    /// <summary>A class name for a query (Weaviate's class name rule; throws <see cref="ArgumentException"/>).</summary>
    public static string ClassName(string name) => WeaviateNames.ValidateClassName(name);

    /// <summary>A property name for a query (Weaviate's property name rule; throws <see cref="ArgumentException"/>).</summary>
    public static string PropertyName(string name) => WeaviateNames.ValidatePropertyName(name);

    /// <summary><c>{ Aggregate { A { meta { count } } B { meta { count } } } }</c> for these classes (names validated).</summary>
    public static string AggregateCount(IEnumerable<string> classNames)
    {
        var fields = classNames.Select(c => $"{ClassName(c)} {{ meta {{ count }} }}").ToList();
        if (fields.Count == 0) throw new ArgumentException("at least one class is required", nameof(classNames));
        return $"{{ Aggregate {{ {string.Join(" ", fields)} }} }}";
    }
}
