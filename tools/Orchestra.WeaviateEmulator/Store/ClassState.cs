using System.Text.Json.Nodes;

namespace Orchestra.WeaviateEmulator;

internal sealed class ShardState
{
    public required string Name { get; init; }
    public required string Node { get; init; }
    public string Status { get; set; } = ShardStatuses.Ready;
    public long ObjectCount { get; set; }
}

public static class ShardStatuses
{
    public const string Ready = "READY";
    public const string ReadOnly = "READONLY";
    public const string Indexing = "INDEXING";
    public static readonly IReadOnlyList<string> All = [Ready, ReadOnly, Indexing];
}

/// <summary>One class (collection): its definition as served by /v1/schema, its shards and objects.
/// All access goes through <see cref="EmulatorStore"/>'s lock.</summary>
internal sealed class ClassState
{
    public required string Name { get; init; }
    public required JsonObject Definition { get; init; }
    public required string Distance { get; init; }
    public required string Vectorizer { get; init; }
    public required IReadOnlyList<PropertyDef> Properties { get; init; }
    public required ShardState[] Shards { get; init; }
    public required double Bm25K1 { get; init; }
    public required double Bm25B { get; init; }
    public required IReadOnlySet<string> Stopwords { get; init; }

    public Dictionary<Guid, StoredObject> Objects { get; } = new();
    public int? Dimensions { get; set; }
    public long NextDocId { get; set; }

    private StoredObject[]? _byId;
    private StoredObject[]? _byDocId;

    public PropertyDef? Property(string name) => Properties.FirstOrDefault(p => p.Name == name);

    /// <summary>Objects in ascending UUID byte order (the order of Weaviate's objects bucket and its cursor).</summary>
    public StoredObject[] ById => _byId ??= Objects.Values.OrderBy(o => o.IdString, StringComparer.Ordinal).ToArray();

    /// <summary>Objects in insertion order (Weaviate's doc ids).</summary>
    public StoredObject[] ByDocId => _byDocId ??= Objects.Values.OrderBy(o => o.DocId).ToArray();

    public void Invalidate()
    {
        _byId = null;
        _byDocId = null;
    }
}
