using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Orchestra.Admin.Benchmarks.Shared;
using Orchestra.Admin.Data.Embeddings;
using Orchestra.Admin.Features.VectorSearch;
using Orchestra.Admin.Hosting;
using static Orchestra.Admin.Benchmarks.Shared.BenchProgram;
using DemoData = Orchestra.WeaviateEmulator.DemoData;
using EmulatorOptions = Orchestra.WeaviateEmulator.EmulatorOptions;
using MsOptions = Microsoft.Extensions.Options.Options;
using RunningEmulator = Orchestra.WeaviateEmulator.RunningEmulator;

namespace Orchestra.Admin.VectorSearchBenchmarks;

/// <summary>
/// <c>--text</c> (issue 16): search by text end to end as /vectors runs it — the class's provider embeds the question
/// (<see cref="TextQueries.EmbedAsync"/>), then <see cref="IVectorSearch.SearchAsync"/> sends the nearVector search it became —
/// with the <c>local</c> provider and with the <c>openai</c> provider pointed at the emulator's <c>/v1/embeddings</c>, against
/// the same nearVector search with the question's vector computed beforehand. On the emulator's demo <c>Memory</c> class,
/// the sample questions in rotation, in paired rounds: the embedding's share of the end-to-end time, with its spread.
/// </summary>
internal static class TextSearchBench
{
    public const int DemoObjects = 2000;
    public const int Limit = 10;
    public const int DefaultRounds = 300;
    public const int WarmupRounds = 20;
    private const string ApiKey = "bench-key";
    private const string RoundsVariable = "BENCH_TEXT_ROUNDS";

    private static readonly string[] Sides = ["nearVector, vector computed beforehand", "search by text, local provider", "search by text, openai provider"];

    public static async Task<int> RunAsync(BenchProgram bench)
    {
        var rounds = int.TryParse(Environment.GetEnvironmentVariable(RoundsVariable), out var r) && r >= 10 ? r : DefaultRounds;
        var started = Stopwatch.GetTimestamp();
        Log($"Starting the emulator with the demo Memory class ({DemoObjects:N0} objects)…");
        await using var emulator = await RunningEmulator.StartAsync(new EmulatorOptions { DemoObjects = DemoObjects, ApiKey = ApiKey });
        var emulatorTime = Stopwatch.GetElapsedTime(started);

        await using var app = new AppSide(emulator.Url, ApiKey);
        // As on the page: the operator picks the class first (its schema and vector dimension, cached per class).
        var info = await app.Search.DescribeClassAsync(DemoData.ClassName);
        if (info.VectorDimensions != DemoData.Dimensions)
            throw new InvalidOperationException($"the demo class's vectors should have {DemoData.Dimensions} dimensions, the app found {info.VectorDimensions}");

        using var localProviders = Providers(new EmbeddingsOptions { Provider = EmbeddingProviderNames.Local });
        // The emulator's endpoint runs the same MiniLM model in this process: this side measures the OpenAI SDK's HTTP
        // path plus the model, not a remote service.
        using var openaiProviders = Providers(new EmbeddingsOptions
        {
            Provider = EmbeddingProviderNames.OpenAI, Url = new Uri(emulator.Url, "v1"), Model = EmbeddingSettings.LocalModel, ApiKey = ApiKey,
        });
        var local = new TextQueries(localProviders);
        var openai = new TextQueries(openaiProviders);

        var questions = DemoData.SampleQuestions;
        var byText = questions.Select(q => new SearchRequest
        {
            ClassName = DemoData.ClassName,
            Mode = SearchMode.Text,
            QueryText = q.Question,
            Properties = ["content", "metadata"], // the page's default: the class's text properties
            Limit = Limit,
        }).ToList();

        // The first embedding of each provider loads its model (the local one in the app's generator, the emulator's
        // behind its endpoint): timed here, never in the rounds.
        var loading = Stopwatch.GetTimestamp();
        await local.EmbedAsync(byText[0], info);
        Log($"Local model loaded and first text embedded in {Stopwatch.GetElapsedTime(loading).TotalSeconds:0.0} s.");
        loading = Stopwatch.GetTimestamp();
        await openai.EmbedAsync(byText[0], info);
        Log($"Emulator's /v1/embeddings: its model loaded and first text embedded in {Stopwatch.GetElapsedTime(loading).TotalSeconds:0.0} s.");

        // The vector computed beforehand: each question embedded once by the local provider, kept as its nearVector search.
        var byVector = new List<SearchRequest>();
        foreach (var request in byText) byVector.Add((await local.EmbedAsync(request, info)).NearVector);

        // The three calls must do the same search, or their times cannot be compared: the same hits in the same order.
        var answeredFirst = 0;
        for (var i = 0; i < questions.Count; i++)
        {
            var expected = Ids((await app.SearchAsync(byVector[i])).Hits);
            if (expected.Count != Limit)
                throw new InvalidOperationException($"question {i + 1} (\"{questions[i].Question}\"): nearVector found {expected.Count} hits, expected {Limit}");
            foreach (var (name, text) in new[] { ("local", local), ("openai", openai) })
            {
                var found = Ids((await app.SearchAsync((await text.EmbedAsync(byText[i], info)).NearVector)).Hits);
                if (!found.SequenceEqual(expected))
                    throw new InvalidOperationException(
                        $"question {i + 1} (\"{questions[i].Question}\"): search by text with the {name} provider found other hits than nearVector with the vector computed beforehand "
                        + $"(nearVector: {string.Join(", ", expected)}; {name}: {string.Join(", ", found)}): the times would not compare the same search");
            }
            if (expected[0] == questions[i].MemoryId) answeredFirst++;
        }
        Log($"Checked: for each of the {questions.Count} sample questions the three calls return the same {Limit} hits in the same order; the memory that answers it ranks first for {answeredFirst} of {questions.Count}.");

        // Beside the end-to-end times, per search by text: the embedding's own time, the search's after it, and the
        // embedding's own time over that call's total (a cross-check of the paired share, free of the other calls' noise).
        var parts = new[] { new TextParts(), new TextParts() };
        // Each call counts its own invocations: PairedCheck runs every call once per round (warm-up rounds included), so
        // invocation n of each call is round n, and the three search for the same question in a round.
        Func<Task> Rotating(Func<int, Task> search)
        {
            var n = 0;
            return () => search(n++ % questions.Count);
        }
        Func<Task> ByText(TextQueries text, TextParts measured) => Rotating(async i =>
        {
            var call = Stopwatch.GetTimestamp();
            var e = await text.EmbedAsync(byText[i], info);
            var search = Stopwatch.GetTimestamp();
            await app.SearchAsync(e.NearVector);
            var total = Stopwatch.GetElapsedTime(call).TotalMilliseconds;
            measured.Add(e.Embedding.Elapsed.TotalMilliseconds, Stopwatch.GetElapsedTime(search).TotalMilliseconds, total);
        });

        Log($"Timing {rounds} paired rounds after {WarmupRounds} warm-up rounds ({RoundsVariable}); the order of the three calls is reversed every round…");
        var check = await PairedCheck.RunAsync(rounds, WarmupRounds,
            Rotating(i => app.SearchAsync(byVector[i])), ByText(local, parts[0]), ByText(openai, parts[1]));

        Console.WriteLine();
        Log($"Dataset: the emulator's demo class {DemoData.ClassName}, {DemoObjects:N0} memories with MiniLM vectors ({DemoData.Dimensions} dimensions, cosine, brute force); "
            + $"nearVector, limit {Limit}, properties content + metadata; the {questions.Count} sample questions in rotation.");
        Log("The openai provider is pointed at the emulator's POST /v1/embeddings, which runs the same MiniLM model in this process: "
            + "its line measures the OpenAI SDK's HTTP path plus the model, not any real remote embedding service.");
        Log($"{Sides[0]}: median {check.MedianMs(0):0.00} ms.");
        var lines = new List<string>();
        for (var side = 1; side <= 2; side++)
        {
            // The embedding's share of a round: (text − nearVector) / text = 1 − nearVector / text, per round.
            var shares = check.Ratios(0, side).Select(ratio => 1 - ratio).Order().ToList();
            var measured = parts[side - 1];
            var ownShares = measured.OwnShares.Skip(WarmupRounds).Order().ToList();
            var provider = side == 1 ? "local (in process)" : "openai (emulator's /v1/embeddings, same model)";
            Log($"{Sides[side]}: median {check.MedianMs(side):0.00} ms end to end against nearVector {check.MedianMs(0):0.00} ms; "
                + $"of which, medians: the embedding's own measured time (TextEmbeddings.Elapsed) {PairedCheck.Median(measured.EmbeddingMs.Skip(WarmupRounds)):0.00} ms, "
                + $"the nearVector search after it {PairedCheck.Median(measured.SearchMs.Skip(WarmupRounds)):0.00} ms. Cross-check, the embedding's own time over its call's total: "
                + $"median {PairedCheck.Median(ownShares) * 100:0.0} % (p10–p90 {PairedCheck.Percentile(ownShares, 0.1) * 100:0.0}–{PairedCheck.Percentile(ownShares, 0.9) * 100:0.0} %).");
            lines.Add($"{provider}: text {check.MedianMs(side):0.00} ms, nearVector {check.MedianMs(0):0.00} ms, embedding's share {PairedCheck.Median(shares) * 100:0.0} % "
                + $"(p10–p90 {PairedCheck.Percentile(shares, 0.1) * 100:0.0}–{PairedCheck.Percentile(shares, 0.9) * 100:0.0} %, min–max {shares[0] * 100:0.0}–{shares[^1] * 100:0.0} %)");
        }
        Log($"Search by text, openai against local: {check.Compare(1, "local", 2, "openai")}.");
        bench.LogEnd(emulatorTime);
        Console.WriteLine($"search by text, demo Memory ({DemoObjects:N0} objects, limit {Limit}), embedding's share = median over {check.Rounds} paired rounds of (text − nearVector) / text:");
        foreach (var line in lines) Console.WriteLine($"  {line}");
        return 0;
    }

    /// <summary>The providers as the app builds them: settings checked as at start-up, the production defaults otherwise.</summary>
    private static EmbeddingProviders Providers(EmbeddingsOptions options)
    {
        EmbeddingSettings.Load(new ConfigurationBuilder().Build(), options);
        return new EmbeddingProviders(MsOptions.Create(new OrchestraAdminOptions { Embeddings = options }));
    }

    private static List<Guid> Ids(IReadOnlyList<SearchHit> hits) => hits.Select(h => h.Id).ToList();

    /// <summary>One provider's searches by text, call by call (warm-up rounds included): the embedding, the search after it, its share of the call.</summary>
    private sealed class TextParts
    {
        public List<double> EmbeddingMs { get; } = [];
        public List<double> SearchMs { get; } = [];
        public List<double> OwnShares { get; } = [];

        public void Add(double embeddingMs, double searchMs, double totalMs)
        {
            EmbeddingMs.Add(embeddingMs);
            SearchMs.Add(searchMs);
            OwnShares.Add(embeddingMs / totalMs);
        }
    }
}
