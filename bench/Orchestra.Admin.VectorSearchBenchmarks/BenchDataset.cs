using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Orchestra.Admin.Features.VectorSearch;
using EmulatorOptions = Orchestra.WeaviateEmulator.EmulatorOptions;
using RunningEmulator = Orchestra.WeaviateEmulator.RunningEmulator;

namespace Orchestra.Admin.VectorSearchBenchmarks;

/// <summary>
/// The Weaviate emulator, in this process, with one class of 1,536-dimensional vectors (the size of OpenAI's
/// text-embedding-3-small and ada-002 embeddings) shaped like the stack's <c>Memory</c>: <c>content</c> (a few
/// hundred characters of text) and <c>metadata</c> (JSON held in text). Everything comes from a fixed seed:
/// the same objects, vectors and query vector on every run.
/// </summary>
public sealed class BenchDataset : IAsyncDisposable
{
    public const string ClassName = "Bench1536";
    public const int Dimensions = 1536;
    public const int DefaultObjects = 4000;
    public const int Limit = 1000;
    public const string ApiKey = "bench-key";
    private const int Seed = 20250601;

    private BenchDataset(RunningEmulator emulator, int objects, TimeSpan buildTime, double contentChars, double metadataChars, string queryVectorText)
    {
        Emulator = emulator;
        Objects = objects;
        BuildTime = buildTime;
        AverageContentChars = contentChars;
        AverageMetadataChars = metadataChars;
        QueryVectorText = queryVectorText;
    }

    public RunningEmulator Emulator { get; }
    public Uri Url => Emulator.Url;
    public int Objects { get; }
    public TimeSpan BuildTime { get; }
    public double AverageContentChars { get; }
    public double AverageMetadataChars { get; }

    /// <summary>The query vector as an operator pastes it: a JSON array of 1,536 float32 values, shortest round-trip text.</summary>
    public string QueryVectorText { get; }

    /// <summary>The search measured: nearVector with the query vector, limit 1,000, the two properties (what an operator asks on /vectors).</summary>
    public SearchRequest Request => new()
    {
        ClassName = ClassName,
        Mode = SearchMode.NearVector,
        VectorText = QueryVectorText,
        Properties = ["content", "metadata"],
        Limit = Limit,
    };

    public string Figures => string.Create(CultureInfo.InvariantCulture,
        $"class {ClassName} (cosine, no vectorizer): {Objects:N0} objects of {Dimensions:N0} dimensions, content ≈ {AverageContentChars:0} characters, metadata ≈ {AverageMetadataChars:0} characters; query vector text {QueryVectorText.Length / 1024.0:0.0} KB");

    /// <summary>The emulator's gRPC endpoint (<paramref name="grpc"/> set), else null.</summary>
    public Uri? GrpcUrl => Emulator.GrpcUrl;

    /// <param name="grpc">Also serve gRPC, on a free port (the <c>--grpc</c> comparisons).</param>
    public static async Task<BenchDataset> CreateAsync(int objects = DefaultObjects, bool grpc = false)
    {
        var started = Stopwatch.GetTimestamp();
        var emulator = await RunningEmulator.StartAsync(new EmulatorOptions { ApiKey = ApiKey, GrpcPort = grpc ? 0 : null });
        emulator.Store.CreateClass($$"""
            {"class": "{{ClassName}}", "description": "1,536-dimensional memories (Orchestra Admin vector search benchmark)",
             "vectorizer": "none", "vectorIndexType": "hnsw", "vectorIndexConfig": {"distance": "cosine"},
             "properties": [{"name": "content", "dataType": ["text"]}, {"name": "metadata", "dataType": ["text"]}]}
            """);

        var random = new Random(Seed);
        long contentChars = 0, metadataChars = 0;
        var start = new DateTimeOffset(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < objects; i++)
        {
            var topic = Topics[random.Next(Topics.Length)];
            var content = Content(topic, random);
            var metadata = new JsonObject
            {
                ["user_id"] = $"user-{random.Next(1, 400):0000}",
                ["conversation_id"] = NextGuid(random).ToString("D"),
                ["source"] = Sources[random.Next(Sources.Length)],
                ["topic"] = topic.Name,
                ["importance"] = Math.Round(random.NextDouble(), 2),
                ["tags"] = new JsonArray(topic.Name, topic.Nouns[random.Next(topic.Nouns.Length)]),
                ["created_at"] = (start + TimeSpan.FromMinutes(11 * i)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                ["embedding_model"] = "text-embedding-3-small",
                ["seq"] = i,
            }.ToJsonString();
            contentChars += content.Length;
            metadataChars += metadata.Length;
            emulator.Store.AddObject(ClassName, new JsonObject { ["content"] = content, ["metadata"] = metadata },
                UnitVector(random), NextGuid(random), start + TimeSpan.FromMinutes(11 * i));
        }

        // The query vector: another random unit vector, not one of the stored ones (no hit at distance 0).
        var query = UnitVector(random);
        var text = "[" + string.Join(", ", query.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]";
        return new BenchDataset(emulator, objects, Stopwatch.GetElapsedTime(started), (double)contentChars / objects, (double)metadataChars / objects, text);
    }

    public ValueTask DisposeAsync() => Emulator.DisposeAsync();

    /// <summary>Normalised Gaussian components (Box–Muller): the direction is uniform on the sphere, as embeddings roughly are.</summary>
    private static float[] UnitVector(Random random)
    {
        var v = new double[Dimensions];
        for (var d = 0; d < Dimensions; d += 2)
        {
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            var r = Math.Sqrt(-2 * Math.Log(u1));
            v[d] = r * Math.Cos(2 * Math.PI * u2);
            if (d + 1 < Dimensions) v[d + 1] = r * Math.Sin(2 * Math.PI * u2);
        }
        var norm = Math.Sqrt(v.Sum(x => x * x));
        return v.Select(x => (float)(x / norm)).ToArray();
    }

    private static Guid NextGuid(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40); // version 4
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>4–7 sentences of an assistant's memory about one topic: 300–700 characters.</summary>
    private static string Content(Topic topic, Random random)
    {
        var text = new StringBuilder();
        var sentences = 4 + random.Next(4);
        for (var s = 0; s < sentences; s++)
        {
            var template = Templates[random.Next(Templates.Length)];
            var sentence = template
                .Replace("{name}", Names[random.Next(Names.Length)])
                .Replace("{noun2}", topic.Nouns[random.Next(topic.Nouns.Length)])
                .Replace("{noun}", topic.Nouns[random.Next(topic.Nouns.Length)])
                .Replace("{verb}", topic.Verbs[random.Next(topic.Verbs.Length)])
                .Replace("{n}", random.Next(2, 90).ToString(CultureInfo.InvariantCulture))
                .Replace("{day}", Days[random.Next(Days.Length)]);
            if (text.Length > 0) text.Append(' ');
            text.Append(char.ToUpperInvariant(sentence[0])).Append(sentence, 1, sentence.Length - 1);
        }
        return text.ToString();
    }

    private sealed record Topic(string Name, string[] Nouns, string[] Verbs);

    private static readonly Topic[] Topics =
    [
        new("billing", ["invoice", "refund", "subscription", "credit card", "VAT number", "annual plan", "payment reminder"], ["disputed", "renewed", "cancelled", "upgraded", "paid"]),
        new("deployment", ["staging cluster", "release branch", "Helm chart", "database migration", "feature flag", "rollback plan"], ["deployed", "rolled back", "promoted", "tested", "paused"]),
        new("travel", ["flight to Lisbon", "hotel booking", "train pass", "visa appointment", "conference trip", "rental car"], ["booked", "moved", "cancelled", "confirmed", "reimbursed"]),
        new("health", ["physiotherapy session", "allergy", "running plan", "sleep schedule", "prescription", "dentist appointment"], ["scheduled", "adjusted", "skipped", "renewed", "tracked"]),
        new("support", ["login problem", "password reset", "slow dashboard", "export to CSV", "missing email", "API rate limit"], ["reported", "reproduced", "escalated", "resolved", "closed"]),
        new("cooking", ["sourdough starter", "lasagne recipe", "meal plan", "spice rack", "vegetarian menu", "birthday cake"], ["prepared", "changed", "planned", "shared", "tried"]),
    ];

    private static readonly string[] Templates =
    [
        "{name} asked about the {noun} again and wanted to know whether it could be {verb} before {day}.",
        "The user mentioned that the {noun} was {verb} last week, but the {noun2} still needs attention.",
        "We agreed to follow up on the {noun} in {n} days; the user prefers short answers with links to the documentation.",
        "According to the previous conversation, the {noun2} depends on the {noun}, so both should be {verb} together.",
        "{name} said the {noun} is the most important item this month and that {n} people are waiting for it.",
        "Remember that the user works in the Europe/Berlin time zone and does not want messages about the {noun} after 18:00.",
        "The {noun} was {verb} on {day}; the confirmation number is {n}-{n}, kept in the user's notes.",
        "When the {noun2} comes up, suggest checking the {noun} first: last time that saved the user about {n} minutes.",
        "The user was unhappy that the {noun} had to be {verb} twice and asked for a summary of what changed.",
        "{name} shared a spreadsheet listing the {noun}, the {noun2} and their owners, and asked for a weekly reminder.",
    ];

    private static readonly string[] Names = ["Alice", "Bruno", "Chen", "Dagny", "Emeka", "Fatima", "Goran", "Hana", "Ines", "Jonas"];
    private static readonly string[] Days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "the end of the month", "the next sprint"];
    private static readonly string[] Sources = ["chat", "email", "notes", "import", "agent"];
}
