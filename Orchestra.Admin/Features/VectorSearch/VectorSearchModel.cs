using System.Text.Json.Nodes;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.Features.VectorSearch;

/// <summary>The search modes; <see cref="Text"/> is the dashboard's own: the text embedded by the class's provider, searched as nearVector.</summary>
public enum SearchMode { NearVector, NearObject, NearText, Bm25, Hybrid, Text }

/// <summary>How the result threshold is given: a distance (any metric) or a certainty (cosine only).</summary>
public enum ThresholdKind { None, Distance, Certainty }

public enum HybridFusion { RankedFusion, RelativeScoreFusion }

/// <summary>Where-filter operators offered on the form (Weaviate's names).</summary>
public enum FilterOperator { Equal, NotEqual, GreaterThan, GreaterThanEqual, LessThan, LessThanEqual, Like, ContainsAny }

/// <summary>One row of the where filter: property, operator and the value as typed (typed by the property's data type when built).</summary>
public sealed record FilterRow(string Property, FilterOperator Operator, string Value);

/// <summary>
/// An ad hoc search as the operator typed it. Kept as text where the operator typed text (the vector), so the
/// form keeps exactly what was typed and a recent search reruns as it was.
/// </summary>
public sealed record SearchRequest
{
    public string ClassName { get; init; } = "";
    /// <summary>The properties to return; empty = the class's text properties.</summary>
    public IReadOnlyList<string> Properties { get; init; } = [];
    public SearchMode Mode { get; init; } = SearchMode.NearVector;
    /// <summary>nearVector (and hybrid's optional vector): a JSON array or comma/space-separated numbers.</summary>
    public string VectorText { get; init; } = "";
    /// <summary>nearObject: the id of the object to search from.</summary>
    public string ObjectId { get; init; } = "";
    /// <summary>Text, nearText, bm25 and hybrid: the query text (kept as typed: a recent search by text keeps the text, not its vector).</summary>
    public string QueryText { get; init; } = "";
    /// <summary>hybrid: 0 = keyword only, 1 = vector only.</summary>
    public double Alpha { get; init; } = 0.75;
    public HybridFusion Fusion { get; init; } = HybridFusion.RelativeScoreFusion;
    public ThresholdKind ThresholdKind { get; init; } = ThresholdKind.None;
    public double? Threshold { get; init; }
    public int Limit { get; init; } = 10;
    public IReadOnlyList<FilterRow> Filters { get; init; } = [];
}

/// <summary>One ranked result. Distance and certainty for near* searches (certainty only with cosine); score for bm25 / hybrid.</summary>
public sealed record SearchHit(int Rank, Guid Id, double? Distance, double? Certainty, double? Score, JsonObject Properties);

/// <param name="Query">The exact request sent, shown with a copy button: the GraphQL text, or the gRPC SearchRequest in protobuf's JSON form.</param>
/// <param name="Elapsed">The time Weaviate took to answer, round trip.</param>
public sealed record SearchResult(string Query, TimeSpan Elapsed, IReadOnlyList<SearchHit> Hits)
{
    /// <summary>Which protocol answered: "gRPC" or "GraphQL".</summary>
    public string Protocol { get; init; } = "GraphQL";
    /// <summary>Why the automatic choice fell back to GraphQL, when it did.</summary>
    public string? FallbackReason { get; init; }
    /// <summary>The query as shown (vectors folded); null: <see cref="Query"/> itself.</summary>
    public string? ShownQuery { get; init; }
}

/// <summary>
/// A problem with the operator's input, found before anything was sent: which field, and what is wrong
/// (with the position for a vector, e.g. "value 3 ('abc') is not a number").
/// </summary>
/// <remarks>The form's fields: "class", "properties", "vector", "objectId", "query", "alpha", "threshold", "limit", "filter[2]"…</remarks>
public sealed class SearchInputException(string field, string message) : FieldInputException(field, message);

/// <summary>What the form needs to know about a class to offer the right options and check the input.</summary>
/// <param name="Distance">The metric of the class's vector index ("cosine", "dot", "l2-squared", …); certainty only with cosine.</param>
/// <param name="VectorDimensions">From a stored object's vector; null when the class has no object (or no vector) yet.</param>
/// <param name="NearTextUnavailableReason">Null when nearText can be used (the class has a text vectorizer module); otherwise why not.</param>
public sealed record ClassSearchInfo(
    string ClassName,
    string? Distance,
    int? VectorDimensions,
    IReadOnlyList<Orchestra.Admin.Data.Weaviate.Property> Properties,
    string? NearTextUnavailableReason);

/// <summary>
/// The ad hoc search behind the page. Weaviate has deprecated its GraphQL API (still served by self-hosted
/// servers into 2027): a REST or gRPC implementation can replace the GraphQL one without touching the page.
/// </summary>
public interface IVectorSearch
{
    /// <summary>The classes of the schema, by name.</summary>
    Task<IReadOnlyList<string>> ClassNamesAsync(CancellationToken ct = default);

    Task<ClassSearchInfo> DescribeClassAsync(string className, CancellationToken ct = default);

    /// <summary>Validates the request against the class's schema (throws <see cref="SearchInputException"/>, sending
    /// nothing), runs it, and returns the ranked hits. Weaviate's errors (GraphQL errors with HTTP 200 included)
    /// arrive as <c>WeaviateException</c>.</summary>
    Task<SearchResult> SearchAsync(SearchRequest request, CancellationToken ct = default);

    /// <summary>What the query would be, without sending it (throws <see cref="SearchInputException"/> like the search).</summary>
    Task<string> PreviewAsync(SearchRequest request, CancellationToken ct = default);
}
