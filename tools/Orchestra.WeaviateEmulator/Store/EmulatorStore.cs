using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestra.WeaviateEmulator;

/// <summary>Shard of a class as the emulator reports it.</summary>
public sealed record ShardInfo(string ClassName, string Name, string Node, string Status, long ObjectCount);

/// <summary>
/// The emulator's in-memory database: classes, their shards (spread over the configured nodes) and
/// objects. Thread-safe: one reader/writer lock guards everything; stored objects are immutable.
/// Pass the same store to a new <see cref="WeaviateEmulator.StartAsync"/> to keep data across a restart.
/// </summary>
public sealed class EmulatorStore
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.SupportsRecursion);
    private readonly Dictionary<string, ClassState> _classes = new(StringComparer.Ordinal);
    private long _raftIndex = 1;

    public EmulatorStore(int nodes = 1)
    {
        if (nodes is < 1 or > 64)
            throw new ArgumentOutOfRangeException(nameof(nodes), nodes, "between 1 and 64 nodes");
        NodeNames = Enumerable.Range(1, nodes).Select(i => $"node{i}").ToArray();
    }

    /// <summary>Node names, "node1" … "nodeN" (Weaviate's default CLUSTER_HOSTNAME is "node1").</summary>
    public IReadOnlyList<string> NodeNames { get; }

    /// <summary>Raft applied index: grows with each schema change (reported by /v1/cluster/statistics).</summary>
    public long RaftIndex { get { using var _ = Read(); return _raftIndex; } }

    // ---------------------------------------------------------------- classes

    /// <summary>Creates a class from a Weaviate class definition (the body of POST /v1/schema).</summary>
    /// <exception cref="EmulatorStoreException">422 when invalid, unsupported or already present.</exception>
    public void CreateClass(JsonObject definition) => CreateClassState(definition);

    public void CreateClass(string definitionJson) =>
        CreateClassState(JsonNode.Parse(definitionJson) as JsonObject ?? throw new ArgumentException("not a JSON object", nameof(definitionJson)));

    internal ClassState CreateClassState(JsonObject definition)
    {
        var state = ClassDefinitions.Build(definition, NodeNames);
        _lock.EnterWriteLock();
        try
        {
            if (_classes.ContainsKey(state.Name))
                throw new EmulatorStoreException(422, $"class name \"{state.Name}\" already exists");
            _classes.Add(state.Name, state);
            _raftIndex++;
            return state;
        }
        finally { _lock.ExitWriteLock(); }
    }

    /// <summary>Deletes a class and its objects; false when there was no such class.</summary>
    public bool DeleteClass(string className)
    {
        _lock.EnterWriteLock();
        try
        {
            var removed = _classes.Remove(className);
            if (removed)
                _raftIndex++;
            return removed;
        }
        finally { _lock.ExitWriteLock(); }
    }

    public IReadOnlyList<string> ClassNames()
    {
        using var _ = Read();
        return _classes.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();
    }

    public bool HasClass(string className)
    {
        using var _ = Read();
        return _classes.ContainsKey(className);
    }

    /// <summary>The class definition as GET /v1/schema/{className} serves it, or null.</summary>
    public JsonObject? GetClassDefinition(string className)
    {
        using var _ = Read();
        return _classes.TryGetValue(className, out var c) ? (JsonObject)c.Definition.DeepClone() : null;
    }

    /// <summary>Removes every class.</summary>
    public void Clear()
    {
        _lock.EnterWriteLock();
        try
        {
            _classes.Clear();
            _raftIndex++;
        }
        finally { _lock.ExitWriteLock(); }
    }

    // ---------------------------------------------------------------- objects

    /// <summary>
    /// Adds or replaces an object (batch semantics: an existing id is overwritten).
    /// <paramref name="properties"/> is a JsonObject, a dictionary or any object System.Text.Json can serialize.
    /// </summary>
    public Guid AddObject(string className, object? properties, float[]? vector = null, Guid? id = null, DateTimeOffset? createdAt = null)
    {
        var props = properties switch
        {
            null => null,
            JsonObject o => o,
            _ => JsonSerializer.SerializeToNode(properties) as JsonObject ?? throw new ArgumentException("properties must serialize to a JSON object", nameof(properties)),
        };
        _lock.EnterWriteLock();
        try
        {
            var cls = _classes.TryGetValue(className, out var c) ? c
                : throw new EmulatorStoreException(422, $"class '{className}' not present in schema");
            return Put(cls, id ?? Guid.NewGuid(), props, vector, createdAt?.ToUnixTimeMilliseconds(), failIfExists: false).Id;
        }
        finally { _lock.ExitWriteLock(); }
    }

    public bool DeleteObject(string className, Guid id)
    {
        _lock.EnterWriteLock();
        try
        {
            if (!_classes.TryGetValue(className, out var cls) || !cls.Objects.Remove(id, out var old))
                return false;
            cls.Shards[old.Shard].ObjectCount--;
            cls.Invalidate();
            return true;
        }
        finally { _lock.ExitWriteLock(); }
    }

    public int CountObjects(string className)
    {
        using var _ = Read();
        return _classes.TryGetValue(className, out var c) ? c.Objects.Count : 0;
    }

    public int CountObjects()
    {
        using var _ = Read();
        return _classes.Values.Sum(c => c.Objects.Count);
    }

    /// <summary>Creates the demo <c>Memory</c> class (unless present) and adds <paramref name="count"/> demo objects.</summary>
    public void LoadDemoData(int count)
    {
        var objects = DemoData.Generate(count).ToList(); // a wrong count or stale vectors fail before the class is made
        if (!HasClass(DemoData.ClassName))
            CreateClass(DemoData.ClassDefinition());
        _lock.EnterWriteLock();
        try
        {
            var cls = _classes[DemoData.ClassName];
            foreach (var o in objects)
                Put(cls, o.Id, o.Properties, o.Vector, o.CreatedAt.ToUnixTimeMilliseconds(), failIfExists: false);
        }
        finally { _lock.ExitWriteLock(); }
    }

    // ---------------------------------------------------------------- shards

    public IReadOnlyList<ShardInfo> Shards(string className)
    {
        using var _ = Read();
        if (!_classes.TryGetValue(className, out var cls))
            throw new EmulatorStoreException(404, $"class \"{className}\" not found");
        return cls.Shards.Select(s => new ShardInfo(cls.Name, s.Name, s.Node, s.Status, s.ObjectCount)).ToArray();
    }

    /// <summary>Sets one shard's status (READY, READONLY or INDEXING).</summary>
    public void SetShardStatus(string className, string shardName, string status)
    {
        if (!ShardStatuses.All.Contains(status))
            throw new EmulatorStoreException(422, $"invalid status: {status}");
        _lock.EnterWriteLock();
        try
        {
            var cls = _classes.TryGetValue(className, out var c) ? c
                : throw new EmulatorStoreException(404, $"class \"{className}\" not found");
            var shard = cls.Shards.FirstOrDefault(s => s.Name == shardName)
                ?? throw new EmulatorStoreException(404, $"shard \"{shardName}\" of class \"{className}\" not found");
            shard.Status = status;
        }
        finally { _lock.ExitWriteLock(); }
    }

    /// <summary>Sets the status of every shard of a class.</summary>
    public void SetShardStatuses(string className, string status)
    {
        foreach (var shard in Shards(className))
            SetShardStatus(className, shard.Name, status);
    }

    /// <summary>Every shard that is not READY.</summary>
    public IReadOnlyList<ShardInfo> ShardsNotReady()
    {
        using var _ = Read();
        return _classes.Values.SelectMany(c => c.Shards.Where(s => s.Status != ShardStatuses.Ready)
                .Select(s => new ShardInfo(c.Name, s.Name, s.Node, s.Status, s.ObjectCount)))
            .OrderBy(s => s.ClassName, StringComparer.Ordinal).ThenBy(s => s.Name, StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>Puts every shard of every class back to READY.</summary>
    public void ResetShardStatuses()
    {
        _lock.EnterWriteLock();
        try
        {
            foreach (var shard in _classes.Values.SelectMany(c => c.Shards))
                shard.Status = ShardStatuses.Ready;
        }
        finally { _lock.ExitWriteLock(); }
    }

    // ---------------------------------------------------------------- internal access for the handlers

    internal ReadScope Read()
    {
        _lock.EnterReadLock();
        return new ReadScope(_lock);
    }

    internal readonly struct ReadScope(ReaderWriterLockSlim l) : IDisposable
    {
        public void Dispose() => l.ExitReadLock();
    }

    /// <summary>Under <see cref="Read"/>.</summary>
    internal bool TryGetClass(string name, out ClassState cls) => _classes.TryGetValue(name, out cls!);

    /// <summary>Under <see cref="Read"/>, sorted by name.</summary>
    internal IEnumerable<ClassState> AllClasses => _classes.Values.OrderBy(c => c.Name, StringComparer.Ordinal);

    internal long RaftIndexUnlocked => _raftIndex;

    /// <summary>Writes one object through the REST path (POST /v1/objects, batch).</summary>
    internal StoredObject PutFromApi(string className, Guid id, JsonObject? properties, float[]? vector, bool failIfExists)
    {
        _lock.EnterWriteLock();
        try
        {
            var cls = _classes.TryGetValue(className, out var c) ? c
                : throw new EmulatorStoreException(422, $"class '{className}' not present in schema");
            return Put(cls, id, properties, vector, null, failIfExists);
        }
        finally { _lock.ExitWriteLock(); }
    }

    /// <summary>Under the write lock.</summary>
    private StoredObject Put(ClassState cls, Guid id, JsonObject? properties, float[]? vector, long? createdMs, bool failIfExists)
    {
        var values = new Dictionary<string, object>(StringComparer.Ordinal);
        var terms = new Dictionary<string, TermStats>(StringComparer.Ordinal);
        if (properties is not null)
        {
            foreach (var (key, node) in properties)
            {
                var prop = cls.Property(key) ?? throw new EmulatorStoreException(422,
                    $"invalid object: no such prop with name '{key}' found in class '{cls.Name}' in the schema. Check your schema files for which properties in this class are available");
                if (node is null)
                    continue;
                var value = PropertyValues.Parse(prop, cls.Name, node);
                values[key] = value;
                if (prop.IsText)
                {
                    var tokens = new List<string>();
                    foreach (var text in value is string[] many ? many : [(string)value])
                        tokens.AddRange(Tokenizer.Tokenize(prop.Tokenization, text));
                    var frequencies = new Dictionary<string, int>(StringComparer.Ordinal);
                    foreach (var token in tokens)
                        frequencies[token] = frequencies.GetValueOrDefault(token) + 1;
                    terms[key] = new TermStats { Frequencies = frequencies, Length = tokens.Count };
                }
            }
        }

        if (vector is { Length: 0 })
            vector = null;
        if (vector is not null && cls.Dimensions is { } dims && dims != vector.Length)
            throw new EmulatorStoreException(500,
                $"put object: import into index {cls.Name.ToLowerInvariant()}: insert to vector index: new node has a vector with length {vector.Length}. Existing nodes have vectors with length {dims}");

        var shardIndex = ShardOf(id, cls.Shards.Length);
        var shard = cls.Shards[shardIndex];
        if (shard.Status == ShardStatuses.ReadOnly)
            throw new EmulatorStoreException(500,
                $"put object: import into index {cls.Name.ToLowerInvariant()}: shard {shard.Name}: store is read-only");

        cls.Objects.TryGetValue(id, out var existing);
        if (existing is not null && failIfExists)
            throw new EmulatorStoreException(422, $"id '{id:D}' already exists");

        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        double normSquared = 0;
        if (vector is not null)
        {
            vector = (float[])vector.Clone();
            normSquared = VectorMath.Dot(vector, vector);
        }
        var stored = new StoredObject
        {
            Id = id,
            IdString = id.ToString("D"),
            ClassName = cls.Name,
            DocId = cls.NextDocId++,
            Shard = shardIndex,
            Values = values,
            Terms = terms,
            Vector = vector,
            NormSquared = normSquared,
            CreationTimeUnix = existing?.CreationTimeUnix ?? createdMs ?? now,
            LastUpdateTimeUnix = createdMs ?? now,
        };
        if (existing is not null)
            cls.Shards[existing.Shard].ObjectCount--;
        cls.Objects[id] = stored;
        shard.ObjectCount++;
        if (vector is not null)
            cls.Dimensions ??= vector.Length;
        cls.Invalidate();
        return stored;
    }

    private static int ShardOf(Guid id, int shards)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in id.ToByteArray(bigEndian: true))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }
        return (int)(hash % (ulong)shards);
    }
}
