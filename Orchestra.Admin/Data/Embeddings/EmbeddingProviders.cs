using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Orchestra.Admin.Hosting;

namespace Orchestra.Admin.Data.Embeddings;

/// <summary>Vectors for texts, from one profile, and how long the provider took.</summary>
public sealed record TextEmbeddings(EmbeddingProfile Profile, IReadOnlyList<float[]> Vectors, TimeSpan Elapsed)
{
    public int Dimensions => Vectors.Count > 0 ? Vectors[0].Length : Profile.Dimensions ?? 0;
}

/// <summary>
/// The app's embedding providers: which profile a class uses, and the one generator per distinct profile
/// (<see cref="IEmbeddingGenerator{TInput,TEmbedding}"/>, the ecosystem's abstraction), made on first use.
/// </summary>
public sealed class EmbeddingProviders(IOptions<OrchestraAdminOptions> settings) : IDisposable
{
    private readonly EmbeddingsOptions options = settings.Value.Embeddings;
    private readonly ConcurrentDictionary<object, IEmbeddingGenerator<string, Embedding<float>>> generators = new();
    /// <summary>The dimension an openai profile without configured dimensions answered with: known before its next call.</summary>
    private readonly ConcurrentDictionary<object, int> learnedDimensions = new();

    /// <summary>Whether this build carries the local model (<c>-p:LocalEmbeddings=false</c> leaves it out).</summary>
    public static bool LocalModelIncluded =>
#if NO_LOCAL_MODEL
        false;
#else
        true;
#endif

    public EmbeddingProfile ProfileFor(string className) => EmbeddingSettings.Resolve(options, className);

    /// <summary>The dimension of the profile's vectors when known before a call (configured, the local model's, or answered before).</summary>
    public int? DimensionsOf(EmbeddingProfile profile) =>
        profile.Dimensions ?? (learnedDimensions.TryGetValue(profile.GeneratorKey, out var d) ? d : null);

    /// <summary>Why text cannot be embedded for a class whose vectors have <paramref name="classDimensions"/>; null when it can.</summary>
    public EmbeddingException? Refusal(string className, EmbeddingProfile profile, int? classDimensions)
    {
        if (profile.Provider == EmbeddingProviderNames.None)
            return new(EmbeddingErrorKind.Unavailable, $"no embedding provider is configured for class {className} (OrchestraAdmin:Embeddings:Provider is none)");
        if (profile.Provider == EmbeddingProviderNames.Local && !LocalModelIncluded)
            return new(EmbeddingErrorKind.Unavailable, "this build of the dashboard leaves the local model out: configure an openai provider (EMBEDDING_URL…)");
        if (classDimensions is { } expected && DimensionsOf(profile) is { } actual && actual != expected)
            return EmbeddingException.Dimensions(className, expected, profile, actual);
        return null;
    }

    /// <summary>Starts loading the local model when <paramref name="profile"/> uses it, so the first search does not wait for it.</summary>
    public void WarmUp(EmbeddingProfile profile)
    {
#if !NO_LOCAL_MODEL
        if (profile.Provider == EmbeddingProviderNames.Local && Generator(profile) is LocalSentenceEmbeddingGenerator local) local.StartLoading();
#endif
    }

    /// <summary>
    /// Embeds <paramref name="texts"/> for <paramref name="className"/>. A provider whose dimension is known to differ from
    /// <paramref name="classDimensions"/> is refused before anything is sent; one that answers with another length is refused
    /// before its vectors are used. Failures arrive as <see cref="EmbeddingException"/>.
    /// </summary>
    public async Task<TextEmbeddings> EmbedAsync(string className, EmbeddingProfile profile, int? classDimensions, IReadOnlyList<string> texts, CancellationToken ct = default)
    {
        if (Refusal(className, profile, classDimensions) is { } refusal) throw refusal;

        var generator = Generator(profile);
        var clock = Stopwatch.StartNew();
        GeneratedEmbeddings<Embedding<float>> answer;
        try
        {
            answer = await generator.GenerateAsync(texts, cancellationToken: ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            throw profile.Provider == EmbeddingProviderNames.OpenAI
                ? OpenAIEmbeddings.Describe(e, profile, options, ct)
                : new EmbeddingException(EmbeddingErrorKind.Failed, $"the local model failed: {e.Message}", e);
        }
        var elapsed = clock.Elapsed;

        if (answer.Count != texts.Count)
            throw new EmbeddingException(EmbeddingErrorKind.Failed, $"{profile.Describe()} answered {answer.Count} vectors for {texts.Count} texts");
        var vectors = answer.Select(a => a.Vector.ToArray()).ToList();
        if (vectors.Count > 0)
        {
            var length = vectors[0].Length;
            if (vectors.Any(v => v.Length != length))
                throw new EmbeddingException(EmbeddingErrorKind.Failed, $"{profile.Describe()} answered vectors of different lengths");
            if (profile.Dimensions == null) learnedDimensions[profile.GeneratorKey] = length;
            if (classDimensions is { } expected && length != expected)
                throw EmbeddingException.Dimensions(className, expected, profile, length);
        }
        return new TextEmbeddings(profile, vectors, elapsed);
    }

    private IEmbeddingGenerator<string, Embedding<float>> Generator(EmbeddingProfile profile) =>
        generators.GetOrAdd(profile.GeneratorKey, _ => profile.Provider switch
        {
#if !NO_LOCAL_MODEL
            EmbeddingProviderNames.Local => new LocalSentenceEmbeddingGenerator(options.LocalMaxConcurrency),
#endif
            EmbeddingProviderNames.OpenAI => OpenAIEmbeddings.Create(profile, options),
            _ => throw new EmbeddingException(EmbeddingErrorKind.Unavailable, $"no embedding provider for {profile.Describe()}"),
        });

    public void Dispose()
    {
        foreach (var generator in generators.Values) generator.Dispose();
    }
}
