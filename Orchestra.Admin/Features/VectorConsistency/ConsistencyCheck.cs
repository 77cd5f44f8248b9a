using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestra.Admin.Data.Embeddings;
using Orchestra.Admin.Data.Weaviate;

namespace Orchestra.Admin.Features.VectorConsistency;

/// <summary>
/// One consistency check, without its bookkeeping (<see cref="ConsistencyRuns"/> does that): sample the class over the
/// REST cursor, embed each sampled object's text with the class's provider, compare with its stored vector.
/// </summary>
public sealed class ConsistencyCheck(IWeaviateClient client, EmbeddingProviders embeddings)
{
    /// <summary>Objects per random window of the sample (one GET each).</summary>
    public const int WindowSize = 20;
    /// <summary>Objects per page when a class no larger than the sample is read whole.</summary>
    public const int PageSize = 100;
    /// <summary>Texts per call to the provider.</summary>
    public const int BatchSize = 32;
    /// <summary>Calls to the provider at once (the local model is bounded again by its own LocalMaxConcurrency).</summary>
    public const int MaxConcurrentBatches = 2;

    /// <summary>Fills <paramref name="tally"/> as it goes, so a cancelled or failed check still tells what it saw.</summary>
    public async Task RunAsync(ConsistencyRequest request, EmbeddingProfile profile, int? classDimensions, Random random,
        ConsistencyTally tally, CancellationToken ct)
    {
        var sample = await SampleAsync(request.ClassName, request.SampleSize, random, tally, ct);

        var toCompare = new List<(Guid Id, float[] Stored, string Text)>();
        foreach (var o in sample)
        {
            if (TextOf(o, request.TextProperty) is not { } text) tally.SkipWithoutText();
            else if (o.Vector is not { Length: > 0 } vector) tally.SkipWithoutVector();
            else toCompare.Add((o.Id!.Value, vector, text));
        }

        tally.StartEmbedding();
        await Parallel.ForEachAsync(toCompare.Chunk(BatchSize),
            new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentBatches, CancellationToken = ct },
            async (batch, token) =>
            {
                var embedded = await embeddings.EmbedAsync(request.ClassName, profile, classDimensions, batch.Select(b => b.Text).ToList(), token);
                for (var i = 0; i < batch.Length; i++) tally.Compare(batch[i].Id, batch[i].Stored, embedded.Vectors[i], batch[i].Text);
            });
        tally.EndEmbedding();
    }

    /// <summary>
    /// Up to <paramref name="size"/> objects with their vectors, never the whole class (unless it is no larger than the
    /// sample). Weaviate's cursor (<c>after</c>) may start at any UUID: the server seeks to the first id after it in byte
    /// order (adapters/repos/db/shard_read.go, cursorObjectList), so each window starts at a random UUID and takes the
    /// next <see cref="WindowSize"/> objects. Ids are random (v4) or hashes on the stack, so windows spread over the class
    /// rather than giving "the first N by id". Windows that overlap, or run into the end of the id space, are made up by
    /// further windows, and finally from the start.
    /// </summary>
    internal async Task<IReadOnlyList<WeaviateObject>> SampleAsync(string className, int size, Random random, ConsistencyTally tally, CancellationToken ct)
    {
        var taken = new List<WeaviateObject>(size);
        var seen = new HashSet<Guid>();
        void Take(IEnumerable<WeaviateObject> objects)
        {
            foreach (var o in objects)
                if (taken.Count < size && o.Id is { } id && seen.Add(id)) taken.Add(o);
            tally.Read(taken.Count);
        }

        var total = await client.CountObjectsAsync(className, ct);
        if (total > size)
        {
            var maxWindows = 4 * ((size + WindowSize - 1) / WindowSize) + 8;
            for (var window = 0; window < maxWindows && taken.Count < size; window++)
                Take((await client.ListObjectsAsync(className, Math.Min(WindowSize, size - taken.Count), RandomId(random), includeVector: true, ct)).Objects);
        }

        Guid? after = null;
        while (taken.Count < size)
        {
            var limit = Math.Min(PageSize, size - taken.Count);
            var page = await client.ListObjectsAsync(className, limit, after, includeVector: true, ct);
            Take(page.Objects);
            if ((after = page.NextAfter(limit)) == null) break;
        }
        return taken;
    }

    private static Guid RandomId(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes);
    }

    /// <summary>The property's text; null when it is missing, not text, or blank.</summary>
    internal static string? TextOf(WeaviateObject o, string property) =>
        o.Properties?[property] is JsonValue value && value.GetValueKind() == JsonValueKind.String
        && value.GetValue<string>() is { } text && !string.IsNullOrWhiteSpace(text) ? text : null;
}

/// <summary>What a check has seen so far, filled from several batches at once; read by its heartbeat.</summary>
public sealed class ConsistencyTally
{
    private readonly Lock gate = new();
    private readonly List<ObjectDistance> compared = [];
    private readonly Stopwatch clock = Stopwatch.StartNew();
    // The embedding phase's wall time: batches overlap (and wait for the model's slots), so their own times do not add up.
    private readonly Stopwatch embedding = new();
    private int sampled, withoutText, withoutVector;

    public int Sampled => Volatile.Read(ref sampled);

    public int Compared
    {
        get { lock (gate) return compared.Count; }
    }

    internal void Read(int count) => Volatile.Write(ref sampled, count);
    internal void SkipWithoutText() => Interlocked.Increment(ref withoutText);
    internal void SkipWithoutVector() => Interlocked.Increment(ref withoutVector);

    internal void StartEmbedding() => embedding.Start();
    internal void EndEmbedding() => embedding.Stop();

    /// <summary>A stored vector against its text's vector now; an all-zero stored vector has no direction and is skipped.</summary>
    internal void Compare(Guid id, float[] stored, float[] now, string text)
    {
        var cut = text.Length <= ConsistencyResult.TextKept ? text : text[..ConsistencyResult.TextKept] + "…";
        ObjectDistance entry;
        if (stored.Length != now.Length) entry = new ObjectDistance(id, null, stored.Length, cut);
        else if (ConsistencyStatistics.CosineDistance(stored, now) is { } distance) entry = new ObjectDistance(id, distance, stored.Length, cut);
        else
        {
            SkipWithoutVector();
            return;
        }
        lock (gate) compared.Add(entry);
    }

    public ConsistencyResult ToResult(double threshold)
    {
        List<ObjectDistance> all;
        lock (gate) all = [.. compared];
        var distances = all.Where(c => c.Distance != null).Select(c => c.Distance!.Value).Order().ToList();
        var otherLength = all.Count(c => c.Distance == null);
        // Worst first: a vector of another length, then the largest distances.
        var worst = all.OrderBy(c => c.Distance != null).ThenByDescending(c => c.Distance).ThenBy(c => c.Id)
            .Take(ConsistencyResult.WorstKept).ToList();
        return new ConsistencyResult(
            Sampled, all.Count, distances.Count(d => d > threshold) + otherLength, otherLength,
            Volatile.Read(ref withoutText), Volatile.Read(ref withoutVector),
            ConsistencyStatistics.Quantile(distances, 0.5), ConsistencyStatistics.Quantile(distances, 0.95),
            distances.Count > 0 ? distances[^1] : null,
            ConsistencyStatistics.Histogram(distances, threshold), worst,
            embedding.Elapsed.TotalSeconds, clock.Elapsed.TotalSeconds);
    }
}
