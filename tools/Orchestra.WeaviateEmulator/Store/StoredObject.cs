namespace Orchestra.WeaviateEmulator;

/// <summary>Token statistics of one text property of one object (for bm25 and text filters).</summary>
internal sealed class TermStats
{
    public required Dictionary<string, int> Frequencies { get; init; }
    public required int Length { get; init; }
}

/// <summary>
/// An object as stored. Immutable once built: an update replaces the whole instance, so readers
/// never see a half-written object.
/// </summary>
internal sealed class StoredObject
{
    public required Guid Id { get; init; }
    public required string IdString { get; init; }          // canonical lowercase "D" form: ordinal order = UUID byte order
    public required string ClassName { get; init; }
    public required long DocId { get; init; }               // insertion order, tie-breaker in rankings
    public required int Shard { get; init; }
    public required IReadOnlyDictionary<string, object> Values { get; init; } // typed values, see PropertyValues
    public required IReadOnlyDictionary<string, TermStats> Terms { get; init; }
    public float[]? Vector { get; init; }
    public double NormSquared { get; init; }
    public required long CreationTimeUnix { get; init; }
    public required long LastUpdateTimeUnix { get; init; }
}
