using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestra.WeaviateEmulator;

/// <summary>One demo object as it is loaded: the memory's properties and its stored vector.</summary>
public sealed record DemoObject(Guid Id, string Topic, JsonObject Properties, float[] Vector, DateTimeOffset CreatedAt);

/// <summary>One demo memory's text and labels (no vector): what <see cref="DemoData.Generate"/> loads, object <see cref="Index"/>.</summary>
public sealed record DemoMemory(int Index, Guid Id, string Topic, string Kind, string User, string Content, DateTimeOffset CreatedAt);

/// <summary>A question a person might type, and the demo memory that answers it (within the first 110 objects).</summary>
public sealed record SampleQuestion(string Question, Guid MemoryId, string Content);

/// <summary>
/// The demo collection: class <c>Memory</c> (<c>content</c> text, <c>metadata</c> text holding JSON, <c>timestamp</c> date;
/// vectorizer none; cosine; hnsw) holding an assistant's memories of several users — preferences, facts, conversation
/// summaries, instructions and errors the assistant hit — about ten <see cref="Topics"/>. The texts come from
/// <see cref="MemoryCatalogue"/> with a fixed PRNG, the same on every machine; the vectors were made once by the MiniLM
/// model (<see cref="EmbeddingModel"/>) and ship in <c>Demo/memory-vectors.f16</c>, so loading the demo never loads the model.
/// </summary>
public static class DemoData
{
    public const string ClassName = "Memory";
    public const int Dimensions = 384;

    /// <summary>How many memories there are (and vectors in the shipped file): the most a demo can load.</summary>
    public const int Capacity = 2500;

    /// <summary>The model whose vectors ship with the demo (the one <c>/v1/embeddings</c> serves).</summary>
    public const string EmbeddingModel = MiniLmEmbedder.ModelName;

    public const string VectorsFileName = "memory-vectors.f16";

    /// <summary>The command that remakes the vectors file after the texts change.</summary>
    public const string WriteVectorsCommand =
        "dotnet run --project tools/Orchestra.WeaviateEmulator -- --write-demo-vectors tools/Orchestra.WeaviateEmulator/Demo/" + VectorsFileName;

    /// <summary>First object's timestamp; object i is <see cref="Spacing"/>·i later.</summary>
    public static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly TimeSpan Spacing = TimeSpan.FromMinutes(37);

    private const ulong Seed = 20250101;
    private static readonly string[] Sources = ["chat", "email", "notes", "import", "agent"];

    /// <summary>The ten topics, in a fixed order.</summary>
    public static IReadOnlyList<string> Topics { get; } = MemoryCatalogue.Topics.Select(t => t.Name).ToArray();

    /// <summary>The kinds of memory: preference, fact, summary, instruction, error.</summary>
    public static IReadOnlyList<string> Kinds { get; } = MemoryCatalogue.Kinds;

    /// <summary>Words of a topic; every memory of the topic contains at least one (e.g. to build bm25 queries that hit it).</summary>
    public static IReadOnlyList<string> TopicKeywords(string topic) => FindTopic(topic).Keywords;

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

    private static readonly Lazy<DemoMemory[]> LazyMemories = new(BuildMemories);
    private static readonly Lazy<float[][]> LazyVectors = new(() => LoadShippedVectors());

    /// <summary>All <see cref="Capacity"/> memories, texts only (reading them never reads the vectors file).</summary>
    public static IReadOnlyList<DemoMemory> Memories => LazyMemories.Value;

    /// <summary>Questions whose answer is one memory: with the MiniLM model, that memory ranks first for its question.</summary>
    public static IReadOnlyList<SampleQuestion> SampleQuestions => LazySampleQuestions.Value;

    private static readonly Lazy<SampleQuestion[]> LazySampleQuestions = new(() => MemoryCatalogue.Anchors
        .Select(a => Memories.Single(m => m.Content == a.Content))
        .Zip(MemoryCatalogue.Anchors, (m, a) => new SampleQuestion(a.Question, m.Id, m.Content))
        .ToArray());

    /// <summary>The unit-length mean of a topic's stored vectors: a query vector whose nearest neighbours are that topic's memories.</summary>
    public static float[] TopicVector(string topic)
    {
        FindTopic(topic);
        var vectors = LazyVectors.Value;
        var sum = new double[Dimensions];
        foreach (var memory in Memories.Where(m => m.Topic == topic))
            for (var d = 0; d < Dimensions; d++)
                sum[d] += vectors[memory.Index][d];
        return Normalised(sum);
    }

    /// <summary>The first <paramref name="count"/> memories with their stored vectors.</summary>
    /// <exception cref="ArgumentOutOfRangeException">More than <see cref="Capacity"/>.</exception>
    /// <exception cref="InvalidOperationException">The shipped vectors were made for other texts.</exception>
    public static IEnumerable<DemoObject> Generate(int count)
    {
        if (count is < 0 or > Capacity)
            throw new ArgumentOutOfRangeException(nameof(count), count,
                $"the demo has {Capacity} memories (the vectors in {VectorsFileName}); {count} cannot be loaded");
        var vectors = LazyVectors.Value; // fails here, before the first object, when the texts changed
        return Memories.Take(count).Select(m => ToObject(m, (float[])vectors[m.Index].Clone()));
    }

    /// <summary>SHA-256 of the memories' texts, in order: what the vectors file must have been made from.</summary>
    public static byte[] TextHash()
    {
        var text = string.Concat(Memories.Select(m => m.Content + "\n"));
        return SHA256.HashData(Encoding.UTF8.GetBytes(text));
    }

    internal static float[][] LoadShippedVectors()
    {
        using var stream = typeof(DemoData).Assembly.GetManifestResourceStream(VectorsFileName)
            ?? throw new InvalidOperationException($"{VectorsFileName} is not in the emulator's assembly: run {WriteVectorsCommand}");
        return LoadVectors(stream);
    }

    /// <summary>Reads a vectors file and checks it against the texts and the model.</summary>
    internal static float[][] LoadVectors(Stream stream)
    {
        var file = DemoVectorsFile.Read(stream);
        if (!file.TextHash.AsSpan().SequenceEqual(TextHash()))
            throw new InvalidOperationException(
                $"demo texts changed since {VectorsFileName} was made (its vectors belong to other texts): run {WriteVectorsCommand}");
        if (file.Model != EmbeddingModel || file.Dimensions != Dimensions || file.Vectors.Length != Capacity)
            throw new InvalidOperationException(
                $"{VectorsFileName} holds {file.Vectors.Length} vectors of {file.Dimensions} dimensions by {file.Model}; " +
                $"the demo needs {Capacity} of {Dimensions} by {EmbeddingModel}: run {WriteVectorsCommand}");
        return file.Vectors;
    }

    private static DemoObject ToObject(DemoMemory memory, float[] vector)
    {
        var topic = FindTopic(memory.Topic);
        var random = new SplitMix64(Seed ^ ((ulong)memory.Index * 0xD1B54A32D192ED03UL));
        var tag = topic.Keywords.FirstOrDefault(k => memory.Content.Contains(k, StringComparison.OrdinalIgnoreCase)) ?? topic.Name;
        var metadata = new JsonObject
        {
            ["topic"] = memory.Topic,
            ["kind"] = memory.Kind,
            ["user"] = memory.User.ToLowerInvariant(),
            ["source"] = Sources[random.Next(Sources.Length)],
            ["importance"] = 1 + random.Next(5),
            ["tags"] = new JsonArray(memory.Topic, tag.ToLowerInvariant()),
            ["seq"] = memory.Index,
        };
        var properties = new JsonObject
        {
            ["content"] = memory.Content,
            ["metadata"] = metadata.ToJsonString(new JsonSerializerOptions { WriteIndented = false }),
            ["timestamp"] = memory.CreatedAt.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        };
        return new DemoObject(memory.Id, memory.Topic, properties, vector, memory.CreatedAt);
    }

    /// <summary>
    /// Object i's topic is a fixed shuffle of the ten within its block of ten (every prefix of whole blocks is balanced);
    /// anchor k takes its topic's place in block k; the others draw kind, template, user and slot values, drawing again
    /// when the text was already made.
    /// </summary>
    private static DemoMemory[] BuildMemories()
    {
        var random = new SplitMix64(unchecked(Seed * 0x9E3779B97F4A7C15UL + 1));
        var topics = MemoryCatalogue.Topics;
        var seen = new HashSet<string>(MemoryCatalogue.Anchors.Select(a => a.Content), StringComparer.Ordinal);
        var memories = new DemoMemory[Capacity];
        var order = Enumerable.Range(0, topics.Length).ToArray();
        for (var block = 0; block * topics.Length < Capacity; block++)
        {
            for (var i = order.Length - 1; i > 0; i--)
            {
                var j = random.Next(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
            var anchor = block < MemoryCatalogue.Anchors.Length ? MemoryCatalogue.Anchors[block] : null;
            for (var slot = 0; slot < topics.Length && block * topics.Length + slot < Capacity; slot++)
            {
                var index = block * topics.Length + slot;
                var topic = topics[order[slot]];
                var id = NextId(random);
                var createdAt = Start + Spacing * index;
                if (anchor is not null && anchor.Topic == topic.Name)
                {
                    memories[index] = new DemoMemory(index, id, topic.Name, anchor.Kind, anchor.User, anchor.Content, createdAt);
                    continue;
                }
                for (var attempt = 0; ; attempt++)
                {
                    if (attempt == 1000)
                        throw new InvalidOperationException($"the catalogue has too few distinct {topic.Name} memories for {Capacity} objects");
                    var kind = MemoryCatalogue.Kinds[random.Next(MemoryCatalogue.Kinds.Length)];
                    var templates = topic.Templates[kind];
                    var template = templates[random.Next(templates.Length)];
                    var user = topic.Users[random.Next(topic.Users.Length)];
                    var content = Fill(template, topic, user, random);
                    if (seen.Add(content))
                    {
                        memories[index] = new DemoMemory(index, id, topic.Name, kind, user, content, createdAt);
                        break;
                    }
                }
            }
        }
        return memories;
    }

    private static string Fill(string template, MemoryCatalogue.Topic topic, string user, SplitMix64 random)
    {
        var text = new StringBuilder();
        var used = new Dictionary<string, string>();
        var at = 0;
        while (at < template.Length)
        {
            var open = template.IndexOf('{', at);
            if (open < 0)
            {
                text.Append(template, at, template.Length - at);
                break;
            }
            var close = template.IndexOf('}', open);
            text.Append(template, at, open - at);
            var name = template[(open + 1)..close];
            text.Append(SlotValue(name, topic, user, used, random));
            at = close + 1;
        }
        var result = text.ToString();
        return char.ToUpperInvariant(result[0]) + result[1..];
    }

    private static string SlotValue(string name, MemoryCatalogue.Topic topic, string user, Dictionary<string, string> used, SplitMix64 random)
    {
        if (name == "user")
            return user;
        var second = name.EndsWith('2');
        var list = second ? name[..^1] : name;
        string[] values = list switch
        {
            "day" => MemoryCatalogue.Days,
            "month" => MemoryCatalogue.Months,
            "n" => MemoryCatalogue.Numbers,
            _ => topic.Slots.TryGetValue(list, out var v) ? v : throw new InvalidOperationException($"{topic.Name}: no slot '{list}'"),
        };
        var value = values[random.Next(values.Length)];
        if (second && used.TryGetValue(list, out var first) && first == value)
            value = values[(Array.IndexOf(values, value) + 1) % values.Length];
        if (!second)
            used[list] = value;
        return value;
    }

    private static Guid NextId(SplitMix64 random)
    {
        var idBytes = new byte[16];
        for (var b = 0; b < 16; b += 8)
            BitConverter.TryWriteBytes(idBytes.AsSpan(b), random.NextULong());
        idBytes[6] = (byte)((idBytes[6] & 0x0F) | 0x40); // version 4
        idBytes[8] = (byte)((idBytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(idBytes, bigEndian: true);
    }

    private static MemoryCatalogue.Topic FindTopic(string topic) =>
        MemoryCatalogue.Topics.FirstOrDefault(t => t.Name == topic) ?? throw new ArgumentException($"unknown topic '{topic}'", nameof(topic));

    internal static float[] Normalised(IReadOnlyList<double> values)
    {
        var norm = Math.Sqrt(values.Sum(x => x * x));
        return values.Select(x => (float)(x / norm)).ToArray();
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
    }
}
