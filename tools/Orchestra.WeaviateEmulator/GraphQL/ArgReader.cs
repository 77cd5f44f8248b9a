using System.Globalization;

namespace Orchestra.WeaviateEmulator;

/// <summary>
/// Reads one GraphQL argument value against its input type, raising graphql-go style validation errors:
/// <c>Argument "limit" has invalid value "x".\nExpected type "Int", found "x".</c>
/// </summary>
internal sealed class ArgReader(string argName, GqlValue argValue, int position)
{
    public GqlValue Value => argValue;

    public GqlValidationException Fail(string detail, string? field = null) =>
        new($"Argument \"{argName}\" has invalid value {argValue.Print()}.\n" +
            (field is null ? "" : $"In field \"{field}\": ") + detail, position);

    private GqlValidationException Expected(string type, GqlValue found, string? field) =>
        Fail($"Expected type \"{type}\", found {found.Print()}.", field);

    public long Int(GqlValue v, string? field = null)
    {
        if (v is GqlNumber { IsInt: true } n && long.TryParse(n.Raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l))
            return l;
        throw Expected("Int", v, field);
    }

    public double Float(GqlValue v, string? field = null) =>
        v is GqlNumber n ? n.AsDouble : throw Expected("Float", v, field);

    public string String(GqlValue v, string? field = null) =>
        v is GqlString s ? s.Value : throw Expected("String", v, field);

    public bool Bool(GqlValue v, string? field = null) =>
        v is GqlBool b ? b.Value : throw Expected("Boolean", v, field);

    /// <summary>An enum literal (or, from a JSON variable, a string naming one).</summary>
    public string Enum(GqlValue v, string typeName, IReadOnlySet<string> allowed, string? field = null) => v switch
    {
        GqlEnum e when allowed.Contains(e.Name) => e.Name,
        GqlString { FromVariable: true } s when allowed.Contains(s.Value) => s.Value,
        _ => throw Expected(typeName, v, field),
    };

    /// <summary>A list; a single value is coerced to a one-element list, as GraphQL input coercion does.</summary>
    public List<T> List<T>(GqlValue v, Func<GqlValue, T> item) =>
        v is GqlList list ? list.Items.Select(item).ToList() : [item(v)];

    public GqlObject Object(GqlValue v, string typeName, IReadOnlySet<string> fields, string? field = null)
    {
        if (v is not GqlObject o)
            throw Expected(typeName, v, field);
        foreach (var (name, _) in o.Fields)
            if (!fields.Contains(name))
                throw Fail("Unknown field.", field is null ? name : $"{field}.{name}");
        return o;
    }
}
