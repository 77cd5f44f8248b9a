using System.Globalization;
using System.Text.RegularExpressions;

namespace Orchestra.WeaviateEmulator;

/// <summary>A parsed <c>where</c> argument: an operator with a path and one typed value, or operands.</summary>
internal sealed record WhereClause(
    string Operator,
    IReadOnlyList<string>? Path,
    string? ValueField,               // "valueText", "valueInt", … as written in the query
    IReadOnlyList<object>? Values,    // one element for a scalar value field, several for a list
    IReadOnlyList<WhereClause>? Operands);

/// <summary>A filter Weaviate refuses (unknown property, wrong value type, …): a resolver error.</summary>
internal sealed class FilterException(string message) : Exception(message);

/// <summary>
/// Compiles a <see cref="WhereClause"/> into a predicate over stored objects, with Weaviate's semantics:
/// text operators work on tokens (Equal on a word-tokenized property matches when every token of the
/// value is present), array properties match when any element matches, a missing value matches only
/// NotEqual (and IsNull).
/// </summary>
internal static class WhereFilter
{
    public static readonly IReadOnlySet<string> Operators = new HashSet<string>(StringComparer.Ordinal)
    {
        "And", "Or", "Not", "Equal", "NotEqual", "GreaterThan", "GreaterThanEqual", "LessThan", "LessThanEqual",
        "Like", "WithinGeoRange", "IsNull", "ContainsAny", "ContainsAll", "ContainsNone",
    };

    public static Func<StoredObject, bool> Compile(ClassState cls, WhereClause clause)
    {
        try
        {
            return CompileClause(cls, clause);
        }
        catch (FilterException e)
        {
            throw new FilterException("invalid 'where' filter: " + e.Message);
        }
    }

    private static Func<StoredObject, bool> CompileClause(ClassState cls, WhereClause clause)
    {
        switch (clause.Operator)
        {
            case "And":
            case "Or":
            {
                if (clause.Operands is not { Count: > 0 })
                    throw new FilterException($"operator {clause.Operator} requires operands");
                var parts = clause.Operands.Select(o => CompileClause(cls, o)).ToArray();
                return clause.Operator == "And"
                    ? o => parts.All(p => p(o))
                    : o => parts.Any(p => p(o));
            }
            case "Not":
            {
                if (clause.Operands is not { Count: 1 })
                    throw new FilterException("operator Not requires exactly one operand");
                var inner = CompileClause(cls, clause.Operands[0]);
                return o => !inner(o);
            }
            case "WithinGeoRange":
                throw new FilterException("WithinGeoRange is not supported by the Weaviate emulator (no geoCoordinates properties)");
        }

        if (clause.Path is not { Count: > 0 })
            throw new FilterException($"operator {clause.Operator} requires a path");
        if (clause.Path.Count > 1)
            throw new FilterException("filtering on cross-references is not supported by the Weaviate emulator");
        var name = clause.Path[0];

        if (clause.Operator == "IsNull")
        {
            if (clause.ValueField != "valueBoolean" || clause.Values is not { Count: 1 })
                throw new FilterException("operator IsNull requires valueBoolean");
            var wantNull = (bool)clause.Values[0];
            if (cls.Property(name) is null)
                throw NoSuchProperty(cls, name);
            return o => !o.Values.ContainsKey(name) == wantNull;
        }
        if (clause.ValueField is null || clause.Values is null)
            throw new FilterException($"operator {clause.Operator} requires a value (valueText, valueInt, valueNumber, valueBoolean or valueDate)");

        return name switch
        {
            "id" or "_id" => CompileId(clause),
            "_creationTimeUnix" => CompileTimestamp(clause, o => o.CreationTimeUnix),
            "_lastUpdateTimeUnix" => CompileTimestamp(clause, o => o.LastUpdateTimeUnix),
            _ => CompileProperty(cls, cls.Property(name) ?? throw NoSuchProperty(cls, name), clause),
        };
    }

    private static FilterException NoSuchProperty(ClassState cls, string name) =>
        new($"no such prop with name '{name}' found in class '{cls.Name}' in the schema. Check your schema files for which properties in this class are available");

    private static Func<StoredObject, bool> CompileProperty(ClassState cls, PropertyDef prop, WhereClause clause)
    {
        var expected = prop.BaseType switch
        {
            "text" or "uuid" => new[] { "valueText", "valueString", "valueTextArray", "valueStringArray" },
            "int" => ["valueInt", "valueIntArray"],
            "number" => ["valueNumber", "valueNumberArray"],
            "boolean" => ["valueBoolean", "valueBooleanArray"],
            "date" => ["valueDate", "valueDateArray"],
            _ => [],
        };
        if (!expected.Contains(clause.ValueField))
            throw new FilterException($"data type filter cannot use \"{clause.ValueField}\" on type \"{prop.DataType}\", use \"{expected[0]}\"");
        if (clause.Values!.Count != 1 && clause.Operator is not ("ContainsAny" or "ContainsAll" or "ContainsNone"))
            throw new FilterException($"operator {clause.Operator} takes a single value, not a list");

        var name = prop.Name;
        if (prop.IsText)
            return CompileText(prop, clause);

        var values = clause.Values.Select(v => Coerce(prop.BaseType, v)).ToArray();
        IEnumerable<IComparable> Elements(StoredObject o) => o.Values.TryGetValue(name, out var v)
            ? v is Array array ? array.Cast<IComparable>() : [(IComparable)v]
            : [];
        return Comparison(clause.Operator, Elements, values);
    }

    private static Func<StoredObject, bool> Comparison(string op, Func<StoredObject, IEnumerable<IComparable>> elements, IComparable[] values)
    {
        var value = values[0];
        return op switch
        {
            "Equal" => o => elements(o).Any(e => e.CompareTo(value) == 0),
            "NotEqual" => o => !elements(o).Any(e => e.CompareTo(value) == 0),
            "GreaterThan" => o => elements(o).Any(e => e.CompareTo(value) > 0),
            "GreaterThanEqual" => o => elements(o).Any(e => e.CompareTo(value) >= 0),
            "LessThan" => o => elements(o).Any(e => e.CompareTo(value) < 0),
            "LessThanEqual" => o => elements(o).Any(e => e.CompareTo(value) <= 0),
            "ContainsAny" => o => elements(o).Any(e => values.Any(v => e.CompareTo(v) == 0)),
            "ContainsAll" => o => values.All(v => elements(o).Any(e => e.CompareTo(v) == 0)),
            "ContainsNone" => o => !elements(o).Any(e => values.Any(v => e.CompareTo(v) == 0)),
            "Like" => throw new FilterException("operator Like is only supported on text properties"),
            _ => throw new FilterException($"operator {op} is not supported"),
        };
    }

    private static Func<StoredObject, bool> CompileText(PropertyDef prop, WhereClause clause)
    {
        var name = prop.Name;
        var texts = clause.Values!.Select(v => v as string ?? throw new FilterException($"expected a string for \"{clause.ValueField}\"")).ToArray();
        HashSet<string> DocTokens(StoredObject o) =>
            o.Terms.TryGetValue(name, out var t) ? t.Frequencies.Keys.ToHashSet(StringComparer.Ordinal) : [];
        string[] WholeValues(StoredObject o) => o.Values.TryGetValue(name, out var v) ? v as string[] ?? [(string)v] : [];
        List<string> Tokens(string text) => Tokenizer.Tokenize(prop.Tokenization, text);

        switch (clause.Operator)
        {
            case "Equal":
            case "NotEqual":
            {
                var wanted = Tokens(texts[0]);
                bool Matches(StoredObject o)
                {
                    if (wanted.Count == 0 || !o.Terms.TryGetValue(name, out var t))
                        return false;
                    return wanted.All(t.Frequencies.ContainsKey);
                }
                return clause.Operator == "Equal" ? Matches : o => !Matches(o);
            }
            case "ContainsAny":
            case "ContainsAll":
            case "ContainsNone":
            {
                var groups = texts.Select(Tokens).Where(g => g.Count > 0).ToArray();
                return clause.Operator switch
                {
                    "ContainsAny" => o => { var d = DocTokens(o); return groups.Any(g => g.All(d.Contains)); },
                    "ContainsAll" => o => { var d = DocTokens(o); return groups.All(g => g.All(d.Contains)); },
                    _ => o => { var d = DocTokens(o); return !groups.Any(g => g.All(d.Contains)); },
                };
            }
            case "Like":
            {
                var lower = prop.Tokenization is "word" or "lowercase" or "trigram";
                var pattern = lower ? texts[0].ToLowerInvariant() : texts[0];
                var regex = new Regex("^" + Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".") + "$",
                    RegexOptions.Singleline | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
                // A pattern without separators is matched against each token (what the inverted index holds);
                // a pattern that spans tokens is matched against the whole value.
                var perToken = prop.Tokenization != "field" && Tokens(pattern.Replace('*', 'x').Replace('?', 'x')).Count == 1;
                return perToken
                    ? o => o.Terms.TryGetValue(name, out var t) && t.Frequencies.Keys.Any(regex.IsMatch)
                    : o => WholeValues(o).Any(v => regex.IsMatch(lower ? v.ToLowerInvariant() : v));
            }
            default:
                return Comparison(clause.Operator, o => WholeValues(o), texts.Cast<IComparable>().ToArray());
        }
    }

    private static Func<StoredObject, bool> CompileId(WhereClause clause)
    {
        if (clause.ValueField is not ("valueText" or "valueString" or "valueTextArray"))
            throw new FilterException($"data type filter cannot use \"{clause.ValueField}\" on type \"uuid\", use \"valueText\"");
        var ids = clause.Values!.Select(v => v is string s && Guid.TryParse(s, out var g)
            ? (IComparable)g.ToString("D")
            : throw new FilterException($"invalid uuid '{v}'")).ToArray();
        return Comparison(clause.Operator, o => [o.IdString], ids);
    }

    private static Func<StoredObject, bool> CompileTimestamp(WhereClause clause, Func<StoredObject, long> read)
    {
        var values = clause.Values!.Select(v => (IComparable)(clause.ValueField switch
        {
            "valueText" or "valueString" when v is string s && long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) => ms,
            "valueInt" when v is long l => l,
            "valueDate" when v is DateTimeOffset d => d.ToUnixTimeMilliseconds(),
            _ => throw new FilterException($"data type filter cannot use \"{clause.ValueField}\" on a timestamp, use \"valueText\" (milliseconds) or \"valueDate\""),
        })).ToArray();
        return Comparison(clause.Operator, o => [read(o)], values);
    }

    private static IComparable Coerce(string baseType, object value) => (baseType, value) switch
    {
        ("int", long l) => l,
        ("number", double d) => d,
        ("number", long l) => (double)l,
        ("boolean", bool b) => b,
        ("date", DateTimeOffset d) => d,
        ("uuid", string s) when Guid.TryParse(s, out var g) => g,
        _ => throw new FilterException($"invalid value '{value}' for a {baseType} property"),
    };
}
