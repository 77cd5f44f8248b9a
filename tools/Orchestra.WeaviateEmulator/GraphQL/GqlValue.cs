using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using GraphQLParser.AST;

namespace Orchestra.WeaviateEmulator;

/// <summary>An argument value after variables are substituted (GraphQL literal or JSON variable).</summary>
internal abstract record GqlValue
{
    public abstract string Print();
}

internal sealed record GqlObject(IReadOnlyList<KeyValuePair<string, GqlValue>> Fields) : GqlValue
{
    public GqlValue? this[string name] => Fields.FirstOrDefault(f => f.Key == name).Value;
    public override string Print() => "{" + string.Join(", ", Fields.Select(f => $"{f.Key}: {f.Value.Print()}")) + "}";
}

internal sealed record GqlList(IReadOnlyList<GqlValue> Items) : GqlValue
{
    public override string Print() => "[" + string.Join(", ", Items.Select(i => i.Print())) + "]";
}

/// <summary>A number; <see cref="IsInt"/> when written without fraction or exponent. Parsed invariant-culture.</summary>
internal sealed record GqlNumber(string Raw, bool IsInt) : GqlValue
{
    public double AsDouble => double.Parse(Raw, NumberStyles.Float, CultureInfo.InvariantCulture);
    public override string Print() => Raw;
}

internal sealed record GqlString(string Value, bool FromVariable) : GqlValue
{
    public override string Print() => JsonSerializer.Serialize(Value);
}

internal sealed record GqlBool(bool Value) : GqlValue
{
    public override string Print() => Value ? "true" : "false";
}

internal sealed record GqlEnum(string Name) : GqlValue
{
    public override string Print() => Name;
}

internal sealed record GqlNull : GqlValue
{
    public static readonly GqlNull Instance = new();
    public override string Print() => "null";
}

/// <summary>A query that fails validation (HTTP 200, errors, no data).</summary>
internal sealed class GqlValidationException(string message, int position) : Exception(message)
{
    public int Position { get; } = position;
}

internal static class GqlValues
{
    public static GqlValue FromAst(GraphQLValue value, IReadOnlyDictionary<string, GqlValue> variables) => value switch
    {
        GraphQLObjectValue o => new GqlObject((o.Fields ?? []).Select(f =>
            new KeyValuePair<string, GqlValue>(f.Name.StringValue, FromAst(f.Value, variables))).ToList()),
        GraphQLListValue l => new GqlList((l.Values ?? []).Select(v => FromAst(v, variables)).ToList()),
        GraphQLIntValue i => new GqlNumber(i.Value.ToString(), true),
        GraphQLFloatValue f => new GqlNumber(f.Value.ToString(), false),
        GraphQLStringValue s => new GqlString(s.Value.ToString(), false),
        GraphQLBooleanValue b => new GqlBool(b.BoolValue),
        GraphQLEnumValue e => new GqlEnum(e.Name.StringValue),
        GraphQLNullValue => GqlNull.Instance,
        GraphQLVariable v => variables.TryGetValue(v.Name.StringValue, out var bound)
            ? bound
            : throw new GqlValidationException($"Variable \"${v.Name.StringValue}\" is not defined.", v.Location.Start),
        _ => throw new GqlValidationException($"unsupported value {value.Kind}", value.Location.Start),
    };

    public static GqlValue FromJson(JsonNode? node) => node switch
    {
        null => GqlNull.Instance,
        JsonObject o => new GqlObject(o.Select(p => new KeyValuePair<string, GqlValue>(p.Key, FromJson(p.Value))).ToList()),
        JsonArray a => new GqlList(a.Select(FromJson).ToList()),
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => new GqlString(v.GetValue<string>(), true),
            JsonValueKind.True => new GqlBool(true),
            JsonValueKind.False => new GqlBool(false),
            JsonValueKind.Number => Number(v.ToJsonString()),
            _ => GqlNull.Instance,
        },
        _ => throw new ArgumentOutOfRangeException(nameof(node)),
    };

    private static GqlNumber Number(string raw) =>
        new(raw, !raw.Contains('.') && !raw.Contains('e') && !raw.Contains('E'));
}
