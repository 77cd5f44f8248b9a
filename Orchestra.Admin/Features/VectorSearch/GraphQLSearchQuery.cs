using System.Text;
using Orchestra.Admin.Data.Weaviate;

namespace Orchestra.Admin.Features.VectorSearch;

/// <summary>
/// Writes an ad hoc search as the GraphQL text of a <c>Get</c> (pure: no I/O), from the input <see cref="SearchChecks"/>
/// checked against the class's schema. Nothing unvalidated reaches the text: names go through
/// <see cref="GraphQLText.ClassName"/> / <see cref="GraphQLText.PropertyName"/> (and exist in the schema), strings through
/// <see cref="GraphQLText.String"/>, numbers through <see cref="GraphQLText.Number(double)"/>; enum literals (operators,
/// fusion types) come from C# enums.
/// <code>
/// { Get { Memory(nearVector: {vector: [0.1, 0.2], distance: 0.3}, limit: 10, where: {path: ["content"], operator: Like, valueText: "tele*"}) { content metadata _additional { id distance certainty } } } }
/// </code>
/// </summary>
public static class GraphQLSearchQuery
{
    /// <summary>The query for <paramref name="request"/>; throws <see cref="SearchInputException"/> when the input does not fit the class.</summary>
    public static string Build(SearchRequest request, WeaviateClass? cls, ClassSearchInfo info) => Write(SearchChecks.Check(request, cls, info));

    public static string Write(CheckedSearch search)
    {
        var arguments = new List<string>(3) { SearchArgument(search), $"limit: {GraphQLText.Number(search.Limit)}" };
        if (Where(search.Conditions) is { } where) arguments.Add($"where: {where}");

        var selection = new StringBuilder();
        foreach (var property in search.Properties) selection.Append(GraphQLText.PropertyName(property)).Append(' ');
        selection.Append("_additional { ").Append(string.Join(" ", AdditionalFields(search))).Append(" }");

        return $"{{ Get {{ {GraphQLText.ClassName(search.ClassName)}({string.Join(", ", arguments)}) {{ {selection} }} }} }}";
    }

    /// <summary>id and distance for the near searches (certainty too with cosine); id and score for bm25 and hybrid.</summary>
    private static IEnumerable<string> AdditionalFields(CheckedSearch search) => search.Mode switch
    {
        SearchMode.Bm25 or SearchMode.Hybrid => ["id", "score"],
        _ when search.Cosine => ["id", "distance", "certainty"],
        _ => ["id", "distance"],
    };

    private static string SearchArgument(CheckedSearch search) => search.Mode switch
    {
        SearchMode.NearVector => $"nearVector: {{vector: {GraphQLText.Vector(search.Vector!)}{Threshold(search)}}}",
        SearchMode.NearObject => $"nearObject: {{id: {GraphQLText.String(search.ObjectId!.Value.ToString("D"))}{Threshold(search)}}}",
        SearchMode.NearText => $"nearText: {{concepts: [{GraphQLText.String(search.Text!)}]{Threshold(search)}}}",
        SearchMode.Bm25 => $"bm25: {{query: {GraphQLText.String(search.Text!)}}}",
        SearchMode.Hybrid => Hybrid(search),
        _ => throw new ArgumentOutOfRangeException(nameof(search), search.Mode, "not a GraphQL search mode"),
    };

    private static string Hybrid(CheckedSearch search)
    {
        var s = new StringBuilder("hybrid: {query: ").Append(GraphQLText.String(search.Text!))
            .Append(", alpha: ").Append(GraphQLText.Number(search.Alpha))
            .Append(", fusionType: ").Append(search.Fusion == HybridFusion.RankedFusion ? "rankedFusion" : "relativeScoreFusion");
        if (search.Vector != null) s.Append(", vector: ").Append(GraphQLText.Vector(search.Vector));
        return s.Append('}').ToString();
    }

    /// <summary>", distance: x" / ", certainty: y" / "" for the near searches.</summary>
    private static string Threshold(CheckedSearch search) =>
        search.Distance is { } distance ? $", distance: {GraphQLText.Number(distance)}"
        : search.Certainty is { } certainty ? $", certainty: {GraphQLText.Number(certainty)}"
        : "";

    private static string? Where(IReadOnlyList<CheckedCondition> conditions)
    {
        if (conditions.Count == 0) return null;
        var operands = conditions.Select(Condition).ToList();
        return operands.Count == 1 ? operands[0] : $"{{operator: And, operands: [{string.Join(", ", operands)}]}}";
    }

    /// <summary>One condition: <c>{path: ["p"], operator: Op, valueX: v}</c>.</summary>
    private static string Condition(CheckedCondition condition)
    {
        var field = ValueField(condition.Type);
        var value = condition.Operator == FilterOperator.ContainsAny
            ? $"{field}Array: [{string.Join(", ", condition.Values.Select(Literal))}]"
            : $"{field}: {Literal(condition.Values[0])}";
        return $"{{path: [{GraphQLText.String(GraphQLText.PropertyName(condition.Property))}], operator: {condition.Operator}, {value}}}";
    }

    private static string ValueField(string type) => type switch
    {
        "int" => "valueInt",
        "number" => "valueNumber",
        "boolean" => "valueBoolean",
        "date" => "valueDate",
        _ => "valueText", // text, string (same type since Weaviate 1.19), uuid
    };

    private static string Literal(object value) => value switch
    {
        string text => GraphQLText.String(text),
        long integer => GraphQLText.Number(integer),
        double number => GraphQLText.Number(number),
        bool flag => GraphQLText.Boolean(flag),
        DateTimeOffset date => GraphQLText.String(SearchChecks.FormatRfc3339(date)),
        _ => throw new ArgumentException($"no GraphQL literal for {value.GetType().Name}", nameof(value)),
    };
}
