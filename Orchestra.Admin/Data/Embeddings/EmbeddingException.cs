namespace Orchestra.Admin.Data.Embeddings;

public enum EmbeddingErrorKind
{
    /// <summary>The class has no provider (<c>none</c>), or this build leaves the local model out.</summary>
    Unavailable,
    /// <summary>The provider's vectors and the class's vectors differ in length: nothing was searched.</summary>
    DimensionMismatch,
    /// <summary>400: the endpoint refused the text as sent (too long, empty…).</summary>
    Rejected,
    /// <summary>401 / 403: the key was refused.</summary>
    Unauthorized,
    /// <summary>404: the endpoint does not serve the model.</summary>
    ModelNotFound,
    /// <summary>429 after the retries, or with a wait longer than allowed.</summary>
    RateLimited,
    /// <summary>No connection.</summary>
    Unreachable,
    /// <summary>No answer within the timeout.</summary>
    Timeout,
    /// <summary>5xx after the retries, an answer that is not the contract's, or the local model failing.</summary>
    Failed,
}

/// <summary>Every failure to embed a text. The message is one sentence for an operator, with the endpoint's own words
/// where it sent any; never the API key.</summary>
public sealed class EmbeddingException(EmbeddingErrorKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public EmbeddingErrorKind Kind { get; } = kind;

    public static EmbeddingException Dimensions(string className, int classDimensions, EmbeddingProfile profile, int providerDimensions) =>
        new(EmbeddingErrorKind.DimensionMismatch,
            $"class {className}'s vectors have {classDimensions} dimensions, but {profile.Describe()} makes vectors of {providerDimensions}: "
            + "map the class to the model its vectors were made with (OrchestraAdmin:Embeddings:Classes)");
}
