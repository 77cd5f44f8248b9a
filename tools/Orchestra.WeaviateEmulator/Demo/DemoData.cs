using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestra.WeaviateEmulator;

/// <summary>One generated demo object.</summary>
public sealed record DemoObject(Guid Id, string Topic, JsonObject Properties, float[] Vector, DateTimeOffset CreatedAt);

/// <summary>
/// The deterministic demo collection: class <c>Memory</c> (<c>content</c> text, <c>metadata</c> text holding
/// JSON, <c>timestamp</c> date; vectorizer none; cosine; hnsw) with 384-dimensional vectors.
/// Each object belongs to one of <see cref="Topics"/>: its content is built from that topic's words
/// (so bm25 finds it by them) and its vector lies near that topic's centroid (so nearest neighbours
/// share the topic). Same seed, same count → same ids, texts, vectors and timestamps, on every machine
/// (own PRNG and no transcendental functions in the generator).
/// </summary>
public static class DemoData
{
    public const string ClassName = "Memory";
    public const int Dimensions = 384;
    public const int DefaultSeed = 20250101;

    /// <summary>First object's timestamp; object i is <see cref="Spacing"/>·i later.</summary>
    public static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly TimeSpan Spacing = TimeSpan.FromMinutes(37);

    private sealed record Topic(string Name, string[] Nouns, string[] Verbs, string[] Adjectives);

    private static readonly Topic[] TopicWords =
    [
        new("astronomy", ["telescope", "galaxy", "nebula", "comet", "orbit", "planet", "supernova", "asteroid", "observatory", "eclipse"],
            ["observed", "tracked", "photographed", "charted", "measured"], ["distant", "faint", "bright", "spiral", "orbital"]),
        new("cooking", ["recipe", "oven", "sourdough", "garlic", "saucepan", "risotto", "spices", "dough", "broth", "skillet"],
            ["simmered", "baked", "seasoned", "kneaded", "roasted"], ["crispy", "savory", "fragrant", "tender", "homemade"]),
        new("gardening", ["tomatoes", "compost", "seedlings", "greenhouse", "mulch", "roses", "soil", "pruning", "irrigation", "orchard"],
            ["planted", "watered", "harvested", "pruned", "fertilized"], ["organic", "perennial", "shady", "fertile", "blooming"]),
        new("finance", ["invoice", "budget", "dividend", "portfolio", "mortgage", "inflation", "ledger", "equity", "audit", "revenue"],
            ["audited", "forecast", "reconciled", "invested", "refinanced"], ["quarterly", "fiscal", "volatile", "liquid", "annual"]),
        new("software", ["compiler", "database", "deployment", "kubernetes", "refactoring", "latency", "microservice", "repository", "regression", "endpoint"],
            ["deployed", "debugged", "refactored", "benchmarked", "rolled"], ["asynchronous", "distributed", "legacy", "scalable", "flaky"]),
        new("music", ["guitar", "symphony", "melody", "chord", "orchestra", "rhythm", "piano", "album", "concert", "harmony"],
            ["rehearsed", "composed", "recorded", "performed", "improvised"], ["acoustic", "melodic", "upbeat", "classical", "soulful"]),
        new("medicine", ["vaccine", "diagnosis", "patient", "antibiotic", "symptoms", "clinic", "surgery", "dosage", "allergy", "therapy"],
            ["prescribed", "diagnosed", "treated", "monitored", "vaccinated"], ["chronic", "acute", "clinical", "mild", "preventive"]),
        new("travel", ["passport", "itinerary", "airport", "luggage", "hostel", "railway", "ferry", "visa", "souvenir", "backpack"],
            ["booked", "explored", "visited", "packed", "hiked"], ["scenic", "remote", "coastal", "crowded", "overnight"]),
        new("sports", ["marathon", "goalkeeper", "tournament", "stadium", "referee", "sprint", "cycling", "championship", "coach", "penalty"],
            ["trained", "scored", "raced", "defended", "qualified"], ["athletic", "competitive", "undefeated", "grueling", "olympic"]),
        new("climate", ["glacier", "emissions", "drought", "rainfall", "wildfire", "carbon", "monsoon", "heatwave", "permafrost", "reforestation"],
            ["recorded", "melted", "warmed", "mitigated", "flooded"], ["arctic", "renewable", "extreme", "seasonal", "sustainable"]),
    ];

    private static readonly string[] Templates =
    [
        "The {adj} {noun} was {verb} near the {noun2}.",
        "We {verb} the {noun} and noted the {adj} {noun2}.",
        "Remember that the {noun} needs the {adj} {noun2} next time.",
        "Notes on the {adj} {noun}: {verb} twice, then the {noun2} was checked.",
        "Both the {adj} {noun} and the {noun2} were {verb} this week.",
        "User asked about the {noun}; we {verb} the {adj} {noun2} in response.",
    ];

    private static readonly string[] Sources = ["chat", "email", "notes", "import", "agent"];

    /// <summary>The ten topics, in a fixed order.</summary>
    public static IReadOnlyList<string> Topics { get; } = TopicWords.Select(t => t.Name).ToArray();

    /// <summary>A topic's words (nouns, verbs, adjectives), e.g. to build bm25 queries that hit it.</summary>
    public static IReadOnlyList<string> TopicKeywords(string topic) =>
        TopicWords.Single(t => t.Name == topic) is var t ? [.. t.Nouns, .. t.Verbs, .. t.Adjectives] : [];

    /// <summary>The class definition (the body of POST /v1/schema).</summary>
    public static JsonObject ClassDefinition() => new()
    {
        ["class"] = ClassName,
        ["description"] = "Agent memories (Orchestra Weaviate emulator demo data)",
        ["vectorizer"] = "none",
        ["vectorIndexType"] = "hnsw",
        ["vectorIndexConfig"] = new JsonObject { ["distance"] = "cosine" },
        ["properties"] = new JsonArray(
            new JsonObject { ["name"] = "content", ["dataType"] = new JsonArray("text") },
            new JsonObject { ["name"] = "metadata", ["dataType"] = new JsonArray("text") },
            new JsonObject { ["name"] = "timestamp", ["dataType"] = new JsonArray("date") }),
    };

    /// <summary>The unit-length centroid of a topic: a query vector whose nearest neighbours are that topic's memories.</summary>
    public static float[] TopicVector(string topic, int seed = DefaultSeed)
    {
        var index = Array.FindIndex(TopicWords, t => t.Name == topic);
        if (index < 0)
            throw new ArgumentException($"unknown topic '{topic}'", nameof(topic));
        return (float[])Centroids(seed)[index].Clone();
    }

    public static IEnumerable<DemoObject> Generate(int count, int seed = DefaultSeed)
    {
        var centroids = Centroids(seed);
        var random = new SplitMix64((ulong)seed * 0x9E3779B97F4A7C15UL + 1);
        for (var i = 0; i < count; i++)
        {
            var topicIndex = (int)random.Next(TopicWords.Length);
            var topic = TopicWords[topicIndex];

            var sentences = 2 + (int)random.Next(2);
            var content = string.Join(" ", Enumerable.Range(0, sentences).Select(_ => Sentence(topic, random)));

            var tags = new JsonArray(topic.Name, topic.Nouns[random.Next(topic.Nouns.Length)]);
            var metadata = new JsonObject
            {
                ["topic"] = topic.Name,
                ["source"] = Sources[random.Next(Sources.Length)],
                ["importance"] = 1 + (int)random.Next(5),
                ["tags"] = tags,
                ["seq"] = i,
            };

            var vector = new float[Dimensions];
            var centroid = centroids[topicIndex];
            double norm = 0;
            for (var d = 0; d < Dimensions; d++)
            {
                var value = centroid[d] + 0.55 * random.NextGaussian() / Math.Sqrt(Dimensions);
                vector[d] = (float)value;
                norm += value * value;
            }
            norm = Math.Sqrt(norm);
            for (var d = 0; d < Dimensions; d++)
                vector[d] = (float)(vector[d] / norm);

            var idBytes = new byte[16];
            for (var b = 0; b < 16; b += 8)
                BitConverter.TryWriteBytes(idBytes.AsSpan(b), random.NextULong());
            idBytes[6] = (byte)((idBytes[6] & 0x0F) | 0x40); // version 4
            idBytes[8] = (byte)((idBytes[8] & 0x3F) | 0x80); // RFC 4122 variant
            var id = new Guid(idBytes, bigEndian: true);

            var createdAt = Start + Spacing * i;
            var properties = new JsonObject
            {
                ["content"] = content,
                ["metadata"] = metadata.ToJsonString(new JsonSerializerOptions { WriteIndented = false }),
                ["timestamp"] = createdAt.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            };
            yield return new DemoObject(id, topic.Name, properties, vector, createdAt);
        }
    }

    private static string Sentence(Topic topic, SplitMix64 random)
    {
        var template = Templates[random.Next(Templates.Length)];
        var noun = topic.Nouns[random.Next(topic.Nouns.Length)];
        var noun2 = topic.Nouns[random.Next(topic.Nouns.Length)];
        if (noun2 == noun)
            noun2 = topic.Nouns[(Array.IndexOf(topic.Nouns, noun) + 1) % topic.Nouns.Length];
        var text = template
            .Replace("{adj}", topic.Adjectives[random.Next(topic.Adjectives.Length)])
            .Replace("{noun2}", noun2)
            .Replace("{noun}", noun)
            .Replace("{verb}", topic.Verbs[random.Next(topic.Verbs.Length)]);
        return char.ToUpperInvariant(text[0]) + text[1..];
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, float[][]> CentroidCache = new();

    private static float[][] Centroids(int seed) => CentroidCache.GetOrAdd(seed, ComputeCentroids);

    private static float[][] ComputeCentroids(int seed)
    {
        var random = new SplitMix64((ulong)seed ^ 0xC0FFEE1234567UL);
        return TopicWords.Select(_ =>
        {
            var v = new double[Dimensions];
            for (var d = 0; d < Dimensions; d++)
                v[d] = random.NextGaussian();
            var norm = Math.Sqrt(v.Sum(x => x * x));
            return v.Select(x => (float)(x / norm)).ToArray();
        }).ToArray();
    }

    /// <summary>SplitMix64: tiny, fast, and the same on every platform and .NET version.</summary>
    private sealed class SplitMix64(ulong state)
    {
        public ulong NextULong()
        {
            var z = state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        public int Next(int maxExclusive) => (int)(NextULong() % (ulong)maxExclusive);

        public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

        /// <summary>Approximately standard normal (Irwin–Hall: sum of 12 uniforms − 6): only + and −, so bit-identical everywhere.</summary>
        public double NextGaussian()
        {
            double sum = 0;
            for (var i = 0; i < 12; i++)
                sum += NextDouble();
            return sum - 6;
        }
    }
}
