namespace Orchestra.WeaviateEmulator;

/// <summary>One property of a class, as the store and the search code need it.</summary>
internal sealed record PropertyDef(
    string Name,
    string DataType,          // as declared: "text", "text[]", "int", …
    string BaseType,          // without the "[]"
    bool IsArray,
    string? Tokenization,     // text properties only
    bool IndexSearchable,
    bool IndexFilterable)
{
    public bool IsText => BaseType == "text";
}
