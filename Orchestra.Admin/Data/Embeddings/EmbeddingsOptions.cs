namespace Orchestra.Admin.Data.Embeddings;

/// <summary>
/// Which model turns an operator's text into a vector (<c>OrchestraAdmin:Embeddings</c>). The defaults apply to every
/// class; <see cref="Classes"/> maps a class to its own provider, model and text property. The stack's own variables
/// (<c>EMBEDDING_URL</c>, <c>EMBEDDING_MODEL</c>, <c>EMBEDDING_API_KEY</c>, <c>EMBEDDING_DIMENSIONS</c>) fill the defaults.
/// </summary>
public sealed class EmbeddingsOptions
{
    /// <summary><c>local</c> (the embedded MiniLM model), <c>openai</c> (an OpenAI-compatible endpoint) or <c>none</c>.
    /// Unset: <c>openai</c> when <c>EMBEDDING_URL</c> is set, else <c>local</c>.</summary>
    public string? Provider { get; set; }
    /// <summary>openai: the API's base URL, e.g. https://api.openai.com/v1 (a URL ending in /embeddings is taken as its base).</summary>
    public Uri? Url { get; set; }
    public string? Model { get; set; }
    public string? ApiKey { get; set; }
    /// <summary>openai: the dimensions to ask for (models that can shorten their vectors), and the dimension known before the first call.</summary>
    public int? Dimensions { get; set; }
    /// <summary>The text property whose text the class's vectors were made from; unset: the class's first text property.</summary>
    public string? TextProperty { get; set; }

    /// <summary>openai: how long one attempt may take.</summary>
    public int TimeoutSeconds { get; set; } = 20;
    /// <summary>openai: retries of a 408, 429, 5xx or lost connection, with backoff.</summary>
    public int RetryCount { get; set; } = 2;
    /// <summary>openai: a 429 asking to wait longer than this is reported at once rather than waited for.</summary>
    public int MaxRetryAfterSeconds { get; set; } = 5;
    /// <summary>local: texts embedded at once across the app (the model runs on the CPU the dashboard shares).</summary>
    public int LocalMaxConcurrency { get; set; } = 1;

    /// <summary>Class name → its own settings; an unset field there takes the default above.</summary>
    public Dictionary<string, ClassEmbeddingOptions> Classes { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>One class's embedding settings; each unset field takes the default of <see cref="EmbeddingsOptions"/>.</summary>
public sealed class ClassEmbeddingOptions
{
    public string? Provider { get; set; }
    public Uri? Url { get; set; }
    public string? Model { get; set; }
    public string? ApiKey { get; set; }
    public int? Dimensions { get; set; }
    public string? TextProperty { get; set; }
}

public static class EmbeddingProviderNames
{
    public const string Local = "local";
    public const string OpenAI = "openai";
    public const string None = "none";
}

/// <summary>
/// A class's resolved embedding settings: the provider's name, the model, the dimension when known before any call,
/// where the endpoint is (openai) and with which key. Built and checked once at start-up by <see cref="EmbeddingSettings"/>.
/// </summary>
public sealed record EmbeddingProfile(string Provider, string Model, int? Dimensions, string? TextProperty, Uri? Url = null, string? ApiKey = null)
{
    /// <summary>"local all-MiniLM-L6-v2": how the page names what embedded a text.</summary>
    public string Describe() => $"{Provider} {Model}";

    /// <summary>The generator this profile needs: profiles equal in these share one.</summary>
    internal (string, string, int?, Uri?, string?) GeneratorKey => (Provider, Model, Dimensions, Url, ApiKey);

    public override string ToString() => $"{Describe()} ({Dimensions?.ToString() ?? "?"} dimensions)"; // never the key
}
