using Orchestra.Admin.Data.Embeddings;
using Orchestra.Admin.Data.Weaviate;

namespace Orchestra.Admin.Features.VectorSearch;

/// <summary>A search by text, as sent: the nearVector search the text became, and what embedded it.</summary>
/// <param name="VectorText">The vector as it appears in the query, to fold there and to copy.</param>
public sealed record EmbeddedText(SearchRequest NearVector, string VectorText, TextEmbeddings Embedding);

/// <summary>
/// Search by text: the class's embedding provider turns the operator's text into a vector, which is then searched as
/// nearVector (threshold, limit, filters and properties as typed). The stack's classes have no vectorizer module, so
/// Weaviate's own nearText cannot do this.
/// </summary>
public sealed class TextQueries(EmbeddingProviders embeddings)
{
    /// <summary>Longer texts are refused at the field, as in every text field (sentence models read only their first few hundred words anyway).</summary>
    public const int MaxTextChars = Components.Controls.InputLimits.TextChars;

    public EmbeddingProfile ProfileFor(string className) => embeddings.ProfileFor(className);

    /// <summary>Why the class cannot be searched by text (no provider, or one whose vectors differ in length); null when it can.</summary>
    public EmbeddingException? Refusal(ClassSearchInfo info) => embeddings.Refusal(info.ClassName, ProfileFor(info.ClassName), info.VectorDimensions);

    /// <summary>The property whose text the class's vectors were made from: the configured one, else the first text property.</summary>
    public string? TextPropertyOf(ClassSearchInfo info) =>
        ProfileFor(info.ClassName).TextProperty
        ?? info.Properties.FirstOrDefault(p => p.DataType.Count == 1 && p.DataType[0] is "text" or "string")?.Name;

    /// <summary>Loads the local model in the background when the class uses it, so the first search does not wait for it.</summary>
    public void WarmUp(string className) => embeddings.WarmUp(ProfileFor(className));

    /// <summary>
    /// Embeds the request's text and returns the nearVector search to send. The text's problems (empty, too long, refused by
    /// the endpoint) are <see cref="SearchInputException"/>s at the field; a provider that cannot serve the class is an
    /// <see cref="EmbeddingException"/>; either way nothing was searched.
    /// </summary>
    public async Task<EmbeddedText> EmbedAsync(SearchRequest request, ClassSearchInfo info, CancellationToken ct = default)
    {
        var text = request.QueryText.Trim();
        if (text.Length == 0) throw new SearchInputException("query", "Type the text to search for.");
        if (text.Length > MaxTextChars)
            throw new SearchInputException("query", $"The text is {text.Length:N0} characters long; at most {MaxTextChars:N0} are embedded.");
        TextEmbeddings embedded;
        try
        {
            embedded = await embeddings.EmbedAsync(info.ClassName, ProfileFor(info.ClassName), info.VectorDimensions, [text], ct);
        }
        catch (EmbeddingException e) when (e.Kind == EmbeddingErrorKind.Rejected)
        {
            throw new SearchInputException("query", char.ToUpperInvariant(e.Message[0]) + e.Message[1..] + ".");
        }
        var vectorText = GraphQLText.Vector(embedded.Vectors[0]);
        return new EmbeddedText(request with { Mode = SearchMode.NearVector, VectorText = vectorText, QueryText = "" }, vectorText, embedded);
    }

    /// <summary>The query as shown: the vector folded to "[384 numbers]" (the copy buttons give it in full).</summary>
    public static string Fold(string query, string vectorText, int dimensions) => query.Replace(vectorText, $"[{dimensions} numbers]", StringComparison.Ordinal);
}
