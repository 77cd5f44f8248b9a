using System.Collections.Concurrent;
using Orchestra.Admin.Data.Weaviate;

namespace Orchestra.Admin.Features.VectorSearch;

/// <summary>
/// What a search needs to know about the schema's classes, whichever protocol sends it (the schema comes over REST):
/// the class, its vector dimension (from a stored object) and whether nearText works. Kept for <see cref="CacheFor"/>
/// per class name, so typing and searching do not ask Weaviate each time.
/// </summary>
public sealed class SearchClasses(IServiceProvider services)
{
    /// <summary>How long what was learnt about a class is reused.</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(1);

    /// <summary>Vectorizer modules that turn text into a vector (so nearText works): text2vec-*, multi2vec-* …</summary>
    private static readonly string[] TextVectorizerPrefixes = ["text2vec-", "multi2vec-", "text2multivec-", "multi2multivec-"];

    private readonly ConcurrentDictionary<string, (DateTimeOffset At, WeaviateClass Class, ClassSearchInfo Info)> classes = new(StringComparer.Ordinal);

    private IWeaviateClient Client => services.GetService<IWeaviateClient>()
        ?? throw new InvalidOperationException("Weaviate is not configured: set WEAVIATE_URL.");

    private TimeProvider Clock => services.GetService<TimeProvider>() ?? TimeProvider.System;

    /// <summary>The classes of the schema, by name.</summary>
    public async Task<IReadOnlyList<string>> NamesAsync(CancellationToken ct = default)
    {
        var schema = await Client.GetSchemaAsync(ct);
        return schema.Classes.Select(c => c.Name).OfType<string>().Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Why nearText cannot be used on the class, or null when it can: the class's vectorizer must turn text into
    /// vectors (text2vec-*, multi2vec-* …) and be a module the server lists in /v1/meta.
    /// </summary>
    public static string? NearTextUnavailableReason(WeaviateClass cls, IEnumerable<string>? serverModules)
    {
        var vectorizer = cls.Vectorizer?.Trim();
        if (string.IsNullOrEmpty(vectorizer) || vectorizer == "none")
            return cls.VectorConfig is { Count: > 0 }
                ? $"class {cls.Name} has named vectors only (nearText on named vectors is not supported here)"
                : $"class {cls.Name} has no vectorizer (vectors are supplied by the stack)";
        if (!TextVectorizerPrefixes.Any(p => vectorizer.StartsWith(p, StringComparison.Ordinal)))
            return $"class {cls.Name}'s vectorizer {vectorizer} does not turn text into vectors";
        var modules = serverModules?.ToList() ?? [];
        if (!modules.Contains(vectorizer, StringComparer.Ordinal))
            return $"class {cls.Name}'s vectorizer {vectorizer} is not enabled on this Weaviate server (its modules: {(modules.Count == 0 ? "none" : string.Join(", ", modules.Order(StringComparer.Ordinal)))})";
        return null;
    }

    public async Task<(WeaviateClass Class, ClassSearchInfo Info)> GetAsync(string? className, CancellationToken ct = default)
    {
        if (WeaviateNames.ClassNameProblem(className) is { } problem)
            throw new SearchInputException("class", char.ToUpperInvariant(problem[0]) + problem[1..] + ".");
        var now = Clock.GetUtcNow();
        if (classes.TryGetValue(className!, out var cached) && now - cached.At < CacheFor)
            return (cached.Class, cached.Info);

        var client = Client;
        var schema = await client.GetSchemaAsync(ct);
        WeaviateClass cls;
        try
        {
            cls = WeaviateNames.RequireClass(schema, className);
        }
        catch (ArgumentException e)
        {
            var message = e.Message;
            var cut = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
            if (cut >= 0) message = message[..cut];
            throw new SearchInputException("class", char.ToUpperInvariant(message[0]) + message[1..] + ".");
        }

        // Only a text vectorizer makes /v1/meta worth asking: is its module on this server?
        var vectorizer = cls.Vectorizer?.Trim() ?? "";
        var modules = TextVectorizerPrefixes.Any(p => vectorizer.StartsWith(p, StringComparison.Ordinal))
            ? (await client.GetMetaAsync(ct)).Modules?.Select(m => m.Key).ToList()
            : null;
        var nearText = NearTextUnavailableReason(cls, modules);

        var info = new ClassSearchInfo(cls.Name!, cls.Distance, await DimensionsAsync(client, cls.Name!, ct), cls.Properties, nearText);
        classes[className!] = (now, cls, info);
        return (cls, info);
    }

    /// <summary>The length of one stored object's vector; null when the class is empty, the object has no vector, or it cannot be listed (e.g. multi-tenant).</summary>
    private static async Task<int?> DimensionsAsync(IWeaviateClient client, string className, CancellationToken ct)
    {
        try
        {
            var page = await client.ListObjectsAsync(className, 1, after: null, includeVector: true, ct);
            return page.Objects.FirstOrDefault()?.Vector is { Length: > 0 } vector ? vector.Length : null;
        }
        catch (WeaviateException e) when (e.Kind is WeaviateErrorKind.Rejected or WeaviateErrorKind.NotFound or WeaviateErrorKind.ServerError)
        {
            return null; // the search still works; only the dimension is not checked before sending
        }
    }
}
