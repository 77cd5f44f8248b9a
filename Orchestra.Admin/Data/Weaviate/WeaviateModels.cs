using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Orchestra.Admin.Data.Weaviate;

// The shapes of Weaviate's REST + GraphQL API, named as in its OpenAPI schema (definitions of the same name),
// read with System.Text.Json (WeaviateJson.Options): unknown keys are ignored, absent optional keys keep
// their defaults, and lists that a server may send as null read as empty. Enumerations stay strings (a
// newer server may send a value this code does not know) with helpers that map them. Numbers the schema
// types as "number" (counts) are 64-bit. See ../shared/weaviate/ENDPOINTS.md for where servers differ.

/// <summary>GET /v1/meta.</summary>
public sealed record Meta
{
    /// <summary>"scheme://host:port" the server listens on, often "http://[::]:8080".</summary>
    public string? Hostname { get; init; }
    public string? Version { get; init; }
    /// <summary>Module name → module-specific meta (<c>{}</c> when no module is enabled).</summary>
    public JsonObject? Modules { get; init; }
    public long? GrpcMaxMessageSize { get; init; }
}

/// <summary>GET /v1/nodes (sorted by node name).</summary>
public sealed record NodesStatusResponse
{
    public IReadOnlyList<NodeStatus> Nodes { get; init => field = value ?? []; } = [];
}

/// <summary>The values of <see cref="NodeStatus.Status"/> this code knows (the schema's enum).</summary>
public enum NodeHealth
{
    /// <summary>A value this code does not know (a newer server).</summary>
    Unknown,
    Healthy,
    /// <summary>Answered, but its cluster health score is above 0: the full object is still there.</summary>
    Unhealthy,
    /// <summary>Could not be reached: only name, status and <c>shards: null</c>.</summary>
    Unavailable,
    /// <summary>Did not answer in time: only name, status and <c>shards: null</c>.</summary>
    Timeout,
}

/// <summary>One node of GET /v1/nodes. Unreachable nodes arrive as bare <c>{name, status, shards: null}</c>.</summary>
public sealed record NodeStatus
{
    public string? Name { get; init; }
    /// <summary>HEALTHY | UNHEALTHY | UNAVAILABLE | TIMEOUT as sent (absent means the schema's default, HEALTHY).</summary>
    public string? Status { get; init; }
    public string? Version { get; init; }
    public string? GitHash { get; init; }
    /// <summary>Only with output=verbose, and never for UNAVAILABLE / TIMEOUT nodes.</summary>
    public NodeStats? Stats { get; init; }
    public BatchStats? BatchStats { get; init; }
    /// <summary>Null in minimal output and for unreachable nodes.</summary>
    public IReadOnlyList<NodeShardStatus>? Shards { get; init; }
    /// <summary>ReadWrite | WriteOnly | ReadOnly | ScaleOut (since v1.36; absent on older servers).</summary>
    public string? OperationalMode { get; init; }

    [JsonIgnore]
    public NodeHealth Health => WeaviateEnums.NodeHealthOf(Status);
    /// <summary>The node answered (HEALTHY or UNHEALTHY): version, stats and shards are meaningful.</summary>
    [JsonIgnore]
    public bool Answered => Health is NodeHealth.Healthy or NodeHealth.Unhealthy;
}

public sealed record NodeStats
{
    public long ShardCount { get; init; }
    public long ObjectCount { get; init; }
}

public sealed record BatchStats
{
    /// <summary>Absent when async indexing is on.</summary>
    public long? QueueLength { get; init; }
    public double RatePerSecond { get; init; }
}

/// <summary>A shard as GET /v1/nodes?output=verbose reports it.</summary>
public sealed record NodeShardStatus
{
    public string? Name { get; init; }
    [JsonPropertyName("class")]
    public string? ClassName { get; init; }
    /// <summary>From an asynchronous count: it settles a few seconds after writes.</summary>
    public long ObjectCount { get; init; }
    /// <summary>READY | INDEXING | READONLY | LOADING | LAZY_LOADING | SHUTDOWN (a free string in the schema).</summary>
    public string? VectorIndexingStatus { get; init; }
    public bool Compressed { get; init; }
    public long VectorQueueLength { get; init; }
    /// <summary>False for a lazily loaded shard not loaded yet; null when the server does not say (older servers).</summary>
    public bool? Loaded { get; init; }
    /// <summary>[] on loaded shards, null on unloaded lazy shards and on servers before v1.32.</summary>
    public IReadOnlyList<AsyncReplicationStatus>? AsyncReplicationStatus { get; init; }
    public long? NumberOfReplicas { get; init; }
    public long? ReplicationFactor { get; init; }

    /// <summary>A lazily loaded shard that is not loaded yet: its object count reads 0 until it loads.</summary>
    [JsonIgnore]
    public bool IsUnloaded => Loaded == false || VectorIndexingStatus == ShardStatuses.LazyLoading;
}

public sealed record AsyncReplicationStatus
{
    public ulong ObjectsPropagated { get; init; }
    public long StartDiffTimeUnixMillis { get; init; }
    public string? TargetNode { get; init; }
}

/// <summary>GET /v1/cluster/statistics.</summary>
public sealed record ClusterStatisticsResponse
{
    public IReadOnlyList<Statistics> Statistics { get; init => field = value ?? []; } = [];
    /// <summary>True only when every node is HEALTHY and all report the same raft.appliedIndex.</summary>
    public bool Synchronized { get; init; }
}

/// <summary>One node of GET /v1/cluster/statistics. The booleans are omitted when false.</summary>
public sealed record Statistics
{
    public string? Name { get; init; }
    public string? Status { get; init; }
    public bool Bootstrapped { get; init; }
    public bool DbLoaded { get; init; }
    public ulong? InitialLastAppliedIndex { get; init; }
    public double? LastAppliedIndex { get; init; }
    public bool IsVoter { get; init; }
    /// <summary>Typed object in the schema, a string on the wire.</summary>
    [JsonConverter(typeof(LenientStringConverter))]
    public string? LeaderId { get; init; }
    [JsonConverter(typeof(LenientStringConverter))]
    public string? LeaderAddress { get; init; }
    public bool Open { get; init; }
    public bool Ready { get; init; }
    public JsonElement? Candidates { get; init; }
    public RaftStatistics? Raft { get; init; }

    [JsonIgnore]
    public NodeHealth Health => WeaviateEnums.NodeHealthOf(Status);
}

/// <summary>Raft's own statistics: every value is a string on the wire (numbers read as their text too).</summary>
public sealed record RaftStatistics
{
    [JsonConverter(typeof(LenientStringConverter))] public string? AppliedIndex { get; init; }
    [JsonConverter(typeof(LenientStringConverter))] public string? CommitIndex { get; init; }
    [JsonConverter(typeof(LenientStringConverter))] public string? FsmPending { get; init; }
    [JsonConverter(typeof(LenientStringConverter))] public string? LastContact { get; init; }
    [JsonConverter(typeof(LenientStringConverter))] public string? LastLogIndex { get; init; }
    [JsonConverter(typeof(LenientStringConverter))] public string? LastLogTerm { get; init; }
    [JsonConverter(typeof(LenientStringConverter))] public string? LastSnapshotIndex { get; init; }
    [JsonConverter(typeof(LenientStringConverter))] public string? LastSnapshotTerm { get; init; }
    /// <summary>An array of <c>{id, address, suffrage}</c> (typed "object" in the schema).</summary>
    public JsonElement? LatestConfiguration { get; init; }
    [JsonConverter(typeof(LenientStringConverter))] public string? LatestConfigurationIndex { get; init; }
    [JsonConverter(typeof(LenientStringConverter))] public string? NumPeers { get; init; }
    [JsonConverter(typeof(LenientStringConverter))] public string? ProtocolVersion { get; init; }
    [JsonConverter(typeof(LenientStringConverter))] public string? ProtocolVersionMax { get; init; }
    [JsonConverter(typeof(LenientStringConverter))] public string? ProtocolVersionMin { get; init; }
    [JsonConverter(typeof(LenientStringConverter))] public string? SnapshotVersionMax { get; init; }
    [JsonConverter(typeof(LenientStringConverter))] public string? SnapshotVersionMin { get; init; }
    [JsonConverter(typeof(LenientStringConverter))] public string? State { get; init; }
    [JsonConverter(typeof(LenientStringConverter))] public string? Term { get; init; }
}

/// <summary>GET /v1/schema. Class order is not stable (the server keeps classes in a map).</summary>
public sealed record Schema
{
    /// <summary>[] when there is no class (a null from the server reads as [] too).</summary>
    public IReadOnlyList<WeaviateClass> Classes { get; init => field = value ?? []; } = [];
    public string? Maintainer { get; init; }
    public string? Name { get; init; }

    /// <summary>The class of that exact name (class names are case-sensitive), or null.</summary>
    public WeaviateClass? FindClass(string className) => Classes.FirstOrDefault(c => string.Equals(c.Name, className, StringComparison.Ordinal));
}

/// <summary>A collection: the schema's <c>Class</c> definition (renamed, <c>Class</c> says too little in C#).</summary>
public sealed record WeaviateClass
{
    [JsonPropertyName("class")]
    public string? Name { get; init; }
    public string? Description { get; init; }
    public IReadOnlyList<Property> Properties { get; init => field = value ?? []; } = [];
    public string? Vectorizer { get; init; }
    /// <summary>"hnsw" | "flat" | "dynamic" …</summary>
    public string? VectorIndexType { get; init; }
    /// <summary>Opaque; holds "distance" among others.</summary>
    public JsonObject? VectorIndexConfig { get; init; }
    /// <summary>Named vectors: name → its own vectorizer and index.</summary>
    public IReadOnlyDictionary<string, VectorConfig>? VectorConfig { get; init; }
    public JsonObject? ModuleConfig { get; init; }
    public JsonObject? ShardingConfig { get; init; }
    public JsonObject? InvertedIndexConfig { get; init; }
    public ReplicationConfig? ReplicationConfig { get; init; }
    public MultiTenancyConfig? MultiTenancyConfig { get; init; }
    public JsonObject? ObjectTtlConfig { get; init; }

    /// <summary>The distance metric of the class's own vector ("cosine", "dot", "l2-squared"…), or null for named vectors only.</summary>
    [JsonIgnore]
    public string? Distance => DistanceOf(VectorIndexConfig);

    /// <summary>The distance metric of every named vector.</summary>
    [JsonIgnore]
    public IReadOnlyDictionary<string, string?> NamedVectorDistances =>
        VectorConfig?.ToDictionary(v => v.Key, v => DistanceOf(v.Value.VectorIndexConfig)) ?? new Dictionary<string, string?>();

    /// <summary>The property of that exact name, or null.</summary>
    public Property? FindProperty(string propertyName) => Properties.FirstOrDefault(p => string.Equals(p.Name, propertyName, StringComparison.Ordinal));

    private static string? DistanceOf(JsonObject? config) =>
        config?["distance"] is JsonValue v && v.TryGetValue<string>(out var distance) ? distance : null;
}

public sealed record VectorConfig
{
    public JsonNode? Vectorizer { get; init; }
    public string? VectorIndexType { get; init; }
    public JsonObject? VectorIndexConfig { get; init; }
}

public sealed record ReplicationConfig
{
    public long? Factor { get; init; }
    /// <summary>Not in the schema since v1.38, but still sent by the server.</summary>
    public bool? AsyncEnabled { get; init; }
    public string? DeletionStrategy { get; init; }
}

public sealed record MultiTenancyConfig
{
    public bool Enabled { get; init; }
    public bool AutoTenantCreation { get; init; }
    public bool AutoTenantActivation { get; init; }
}

public sealed record Property
{
    public string? Name { get; init; }
    /// <summary>E.g. ["text"], ["date"], ["number[]"], or a class name for a reference.</summary>
    public IReadOnlyList<string> DataType { get; init => field = value ?? []; } = [];
    public string? Description { get; init; }
    public string? Tokenization { get; init; }
    public bool? IndexFilterable { get; init; }
    public bool? IndexSearchable { get; init; }
    public bool? IndexRangeFilters { get; init; }
    public bool? IndexInverted { get; init; }
    public JsonArray? NestedProperties { get; init; }
    public JsonObject? ModuleConfig { get; init; }
}

/// <summary>One item of GET /v1/schema/{className}/shards.</summary>
public sealed record ShardStatusGetResponse
{
    public string? Name { get; init; }
    /// <summary>READY | READONLY | INDEXING … (deprecated by the schema: not consistent across replicas; see <see cref="PerNodeStatus"/>).</summary>
    public string? Status { get; init; }
    [JsonPropertyName("per_node_status")]
    public IReadOnlyDictionary<string, string>? PerNodeStatus { get; init; }
    public long VectorQueueSize { get; init; }
}

/// <summary>Body and answer of PUT /v1/schema/{className}/shards/{shardName}.</summary>
public sealed record ShardStatus
{
    public string? Status { get; init; }
}

/// <summary>Shard status values (entities/storagestate): the ones an operator sets are READY and READONLY.</summary>
public static class ShardStatuses
{
    public const string Ready = "READY";
    public const string ReadOnly = "READONLY";
    public const string Indexing = "INDEXING";
    public const string Loading = "LOADING";
    public const string LazyLoading = "LAZY_LOADING";
    public const string Shutdown = "SHUTDOWN";
}

/// <summary>GET /v1/objects.</summary>
public sealed record ObjectsListResponse
{
    public IReadOnlyList<WeaviateObject> Objects { get; init => field = value ?? []; } = [];
    public IReadOnlyList<Deprecation>? Deprecations { get; init; }
    /// <summary>The number of objects <em>in this page</em> (not a collection total); absent when the page is empty.</summary>
    public long? TotalResults { get; init; }

    /// <summary>
    /// The <c>after</c> cursor for the next page, or null when this was the last page (fewer objects than
    /// <paramref name="limit"/>: the server's own rule for the end of a cursor listing).
    /// </summary>
    public Guid? NextAfter(int limit) => Objects.Count >= limit && limit > 0 && Objects[^1].Id is { } id ? id : null;
}

/// <summary>The schema's <c>Object</c> (renamed: <c>Object</c> is taken in C#).</summary>
public sealed record WeaviateObject
{
    [JsonPropertyName("class")]
    public string? ClassName { get; init; }
    public Guid? Id { get; init; }
    public JsonObject? Properties { get; init; }
    /// <summary>Only with include=vector.</summary>
    public float[]? Vector { get; init; }
    /// <summary>Named vectors: name → number[] (or number[][] for multi-vectors).</summary>
    public IReadOnlyDictionary<string, JsonElement>? Vectors { get; init; }
    public string? Tenant { get; init; }
    public JsonObject? VectorWeights { get; init; }
    /// <summary>Milliseconds since the epoch (UTC).</summary>
    public long? CreationTimeUnix { get; init; }
    public long? LastUpdateTimeUnix { get; init; }
    public JsonObject? Additional { get; init; }

    [JsonIgnore]
    public DateTimeOffset? CreatedAt => CreationTimeUnix is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
    [JsonIgnore]
    public DateTimeOffset? UpdatedAt => LastUpdateTimeUnix is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
}

public sealed record Deprecation
{
    public string? Id { get; init; }
    public string? Status { get; init; }
    public string? ApiType { get; init; }
    public string? Msg { get; init; }
    public string? Mitigation { get; init; }
    public string? SinceVersion { get; init; }
    public string? PlannedRemovalVersion { get; init; }
    public string? RemovedIn { get; init; }
    public string? RemovedTime { get; init; }
    public string? SinceTime { get; init; }
    public IReadOnlyList<string>? Locations { get; init; }
}

/// <summary>
/// The error bodies Weaviate sends: its own <c>ErrorResponse</c> (<c>{"error":[{"message"}]}</c>) or
/// go-openapi's <c>{"code","message"}</c> (auth 401, unknown routes, parameter validation). Both read into this.
/// </summary>
public sealed record ErrorResponse
{
    public IReadOnlyList<ErrorResponseItem>? Error { get; init; }
    /// <summary>go-openapi's code (validation codes ≥ 600 arrive with HTTP 422).</summary>
    public long? Code { get; init; }
    /// <summary>go-openapi's message.</summary>
    public string? Message { get; init; }

    /// <summary>The server's words: the ErrorResponse messages joined, else go-openapi's message, else null.</summary>
    [JsonIgnore]
    public string? Text
    {
        get
        {
            var messages = Error?.Select(e => e.Message?.Trim()).Where(m => !string.IsNullOrEmpty(m)).ToList();
            if (messages is { Count: > 0 }) return string.Join("; ", messages);
            return string.IsNullOrWhiteSpace(Message) ? null : Message.Trim();
        }
    }
}

public sealed record ErrorResponseItem
{
    public string? Message { get; init; }
}

/// <summary>Body of POST /v1/graphql.</summary>
public sealed record GraphQLQuery(string Query, string? OperationName = null, JsonObject? Variables = null);

/// <summary>
/// Answer of POST /v1/graphql. Query errors come back with HTTP 200 here: always look at <see cref="Errors"/>;
/// <see cref="Data"/> is then missing or partial (null for the failed fields).
/// </summary>
public sealed record GraphQLResponse
{
    /// <summary>The answer's <c>data</c> object; null when it is missing or null.</summary>
    public JsonElement? Data { get; init; }
    public IReadOnlyList<GraphQLError>? Errors { get; init; }

    /// <summary>
    /// Parses the answer once, from its UTF-8 bytes, into one <see cref="JsonDocument"/>: <see cref="Data"/> points
    /// into it without copying (a 1,000-hit search answer is about 1 MB, and parsing it twice, as deserializing
    /// into a node tree does, was most of the dashboard's own cost per search; docs/benchmarks.md). The document
    /// is not disposed: the elements handed out must stay valid, and the garbage collector reclaims it.
    /// </summary>
    /// <exception cref="JsonException">The bytes are not JSON, or not an object.</exception>
    public static GraphQLResponse Parse(ReadOnlyMemory<byte> utf8)
    {
        var root = JsonDocument.Parse(utf8).RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new JsonException($"the answer is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object");
        return new GraphQLResponse
        {
            Data = root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object ? data : null,
            Errors = root.TryGetProperty("errors", out var errors) && errors.ValueKind != JsonValueKind.Null
                ? errors.Deserialize<List<GraphQLError>>(WeaviateJson.Options)
                : null,
        };
    }

    [JsonIgnore]
    public bool HasErrors => Errors is { Count: > 0 };

    /// <summary>Throws a <see cref="WeaviateException"/> (kind GraphQL) with the errors' messages when there are any.</summary>
    public GraphQLResponse EnsureNoErrors()
    {
        if (HasErrors) throw WeaviateException.FromGraphQLErrors(Errors!);
        return this;
    }
}

public sealed record GraphQLError
{
    public string? Message { get; init; }
    public IReadOnlyList<GraphQLErrorLocation>? Locations { get; init; }
    /// <summary>Strings in the schema; graphql-go may put list indexes (numbers) in a path too.</summary>
    public IReadOnlyList<JsonElement>? Path { get; init; }

    /// <summary>The path as text, e.g. "Aggregate.Memory", or null.</summary>
    [JsonIgnore]
    public string? PathText => Path is { Count: > 0 } p ? string.Join('.', p.Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText())) : null;
}

public sealed record GraphQLErrorLocation
{
    public long Line { get; init; }
    public long Column { get; init; }
}

/// <summary>The object count of one class (Aggregate meta count), or why it could not be counted.</summary>
public sealed record ClassObjectCount(string ClassName, long? Count, string? Error);

public static class WeaviateEnums
{
    public const string Healthy = "HEALTHY";
    public const string Unhealthy = "UNHEALTHY";
    public const string Unavailable = "UNAVAILABLE";
    public const string Timeout = "TIMEOUT";

    /// <summary>Maps a node status string; absent means HEALTHY (the schema's default), anything unknown is <see cref="NodeHealth.Unknown"/>.</summary>
    public static NodeHealth NodeHealthOf(string? status) => status?.Trim().ToUpperInvariant() switch
    {
        null or "" or Healthy => NodeHealth.Healthy,
        Unhealthy => NodeHealth.Unhealthy,
        Unavailable => NodeHealth.Unavailable,
        Timeout => NodeHealth.Timeout,
        _ => NodeHealth.Unknown,
    };
}

/// <summary>Reads a string, or the text of a number / boolean / object where a string is expected.</summary>
public sealed class LenientStringConverter : JsonConverter<string?>
{
    public override bool HandleNull => true;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.String => reader.GetString(),
        _ => JsonElement.ParseValue(ref reader).GetRawText(),
    };

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
    {
        if (value is null) writer.WriteNullValue(); else writer.WriteStringValue(value);
    }
}

/// <summary>The one set of JSON settings for Weaviate: camelCase, unknown keys ignored, nulls left out of requests.</summary>
public static class WeaviateJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
        // Numbers only as numbers: a count sent as "3" would be a different server than the one documented.
        NumberHandling = JsonNumberHandling.Strict,
    };

    public static T? Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json, Options);
    public static T? Deserialize<T>(ReadOnlySpan<byte> utf8Json) => JsonSerializer.Deserialize<T>(utf8Json, Options);
    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);
}
