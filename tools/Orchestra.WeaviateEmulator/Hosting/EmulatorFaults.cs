using System.Text.Json.Serialization;

namespace Orchestra.WeaviateEmulator;

/// <summary>How a node reports itself in /v1/nodes and /v1/cluster/statistics (ENDPOINTS.md §4).</summary>
public enum NodeHealth
{
    /// <summary>Full entry, status HEALTHY.</summary>
    Healthy,
    /// <summary>Full entry (version, shards…), status UNHEALTHY.</summary>
    Unhealthy,
    /// <summary>Stub <c>{name, shards: null, status: "UNAVAILABLE"}</c>.</summary>
    Unavailable,
    /// <summary>Stub <c>{name, shards: null, status: "TIMEOUT"}</c>.</summary>
    Timeout,
}

/// <summary>A shard to set READONLY: one shard, or every shard of the class when <see cref="Shard"/> is null.</summary>
public sealed record ShardRef(
    [property: JsonPropertyName("class")] string Class,
    [property: JsonPropertyName("shard")] string? Shard = null);

/// <summary>One async-replication entry of a shard in /v1/nodes (Weaviate's AsyncReplicationStatus).</summary>
public sealed record AsyncReplicationReport(
    [property: JsonPropertyName("objectsPropagated")] long ObjectsPropagated,
    [property: JsonPropertyName("startDiffTimeUnixMillis")] long StartDiffTimeUnixMillis,
    [property: JsonPropertyName("targetNode")] string TargetNode);

/// <summary>
/// How /v1/nodes reports one shard (or every shard of the class when <see cref="Shard"/> is null), for states the
/// emulator never reaches by itself. Only what is set changes; later entries win. Reporting only: the shard keeps
/// serving reads and writes.
/// </summary>
public sealed record ShardReport
{
    [JsonPropertyName("class")] public required string Class { get; init; }
    [JsonPropertyName("shard")] public string? Shard { get; init; }
    /// <summary>An unloaded lazy shard: <c>loaded: false</c>, <c>vectorIndexingStatus: "LAZY_LOADING"</c>, objectCount 0,
    /// compressed false, asyncReplicationStatus null (ENDPOINTS.md §4).</summary>
    [JsonPropertyName("lazyLoading")] public bool? LazyLoading { get; init; }
    [JsonPropertyName("compressed")] public bool? Compressed { get; init; }
    [JsonPropertyName("vectorQueueLength")] public long? VectorQueueLength { get; init; }
    /// <summary>Reported as both replicationFactor and numberOfReplicas.</summary>
    [JsonPropertyName("replicationFactor")] public int? ReplicationFactor { get; init; }
    [JsonPropertyName("asyncReplicationStatus")] public List<AsyncReplicationReport>? AsyncReplicationStatus { get; init; }
}

/// <summary>
/// The JSON shape of <c>/_emulator/faults</c> (GET returns it; PUT replaces all faults with it, absent = off;
/// POST changes only the fields present; DELETE clears everything).
/// </summary>
public sealed class FaultSettings
{
    [JsonPropertyName("latencyMs")] public int? LatencyMs { get; set; }
    [JsonPropertyName("statusCode")] public int? StatusCode { get; set; }
    [JsonPropertyName("statusMessage")] public string? StatusMessage { get; set; }
    [JsonPropertyName("retryAfterSeconds")] public int? RetryAfterSeconds { get; set; }
    [JsonPropertyName("malformedJson")] public bool? MalformedJson { get; set; }
    [JsonPropertyName("dropConnections")] public bool? DropConnections { get; set; }
    [JsonPropertyName("readyUnavailable")] public bool? ReadyUnavailable { get; set; }
    [JsonPropertyName("pathPrefix")] public string? PathPrefix { get; set; }
    /// <summary>A gRPC status name ("UNAVAILABLE", "INTERNAL", …): every weaviate.v1 call answers it (health exempt).</summary>
    [JsonPropertyName("grpcStatus")] public string? GrpcStatus { get; set; }
    /// <summary>The gRPC port closes new connections and fails calls on open ones: clients see UNAVAILABLE (health too).</summary>
    [JsonPropertyName("grpcDown")] public bool? GrpcDown { get; set; }
    /// <summary>grpc.health.v1.Health/Check answers NOT_SERVING.</summary>
    [JsonPropertyName("grpcNotServing")] public bool? GrpcNotServing { get; set; }
    /// <summary>Node name → HEALTHY | UNHEALTHY | UNAVAILABLE | TIMEOUT.</summary>
    [JsonPropertyName("nodeStatus")] public Dictionary<string, string>? NodeStatus { get; set; }
    [JsonPropertyName("readOnlyShards")] public List<ShardRef>? ReadOnlyShards { get; set; }
    /// <summary>Shard states /v1/nodes reports (lazy loading, compression, vector queue, replication).</summary>
    [JsonPropertyName("shardReports")] public List<ShardReport>? ShardReports { get; set; }
}

/// <summary>
/// Faults the emulator injects, for tests. Thread-safe; changes apply to the next request.
/// <list type="bullet">
/// <item><see cref="LatencyMs"/>: delay before answering every /v1 request (health endpoints too).</item>
/// <item><see cref="StatusCode"/>: answer /v1 requests with this status instead (401 → go-openapi
///   <c>{"code":401,"message":"unauthorized: invalid api key"}</c>, anything else → ErrorResponse with
///   <see cref="StatusMessage"/>; on /v1/embeddings OpenAI's error shape, 429 as <c>rate_limit_exceeded</c>). Health endpoints are exempt (they have their own fault, <see cref="ReadyUnavailable"/>).</item>
/// <item><see cref="RetryAfterSeconds"/>: a <c>Retry-After</c> header on the <see cref="StatusCode"/> answers.</item>
/// <item><see cref="MalformedJson"/>: keep the status but cut the JSON body in half (health endpoints exempt).</item>
/// <item><see cref="DropConnections"/>: abort the connection without an answer (health endpoints too).</item>
/// <item><see cref="ReadyUnavailable"/>: <c>/v1/.well-known/ready</c> answers 503.</item>
/// <item><see cref="PathPrefix"/>: when set, StatusCode / MalformedJson / DropConnections only hit paths starting with it (e.g. "/v1/graphql").</item>
/// <item><see cref="GrpcStatus"/>: answer weaviate.v1 gRPC calls with this status and <see cref="StatusMessage"/> (health exempt; <see cref="PathPrefix"/> matches the method, e.g. "/weaviate.v1.Weaviate/Search").</item>
/// <item><see cref="GrpcDown"/>: the gRPC port closes new connections and answers UNAVAILABLE on open ones (health too); <see cref="LatencyMs"/> delays gRPC calls as well.</item>
/// <item><see cref="GrpcNotServing"/>: the gRPC health check answers NOT_SERVING.</item>
/// <item><see cref="SetNodeStatus"/>: report a node UNHEALTHY, or as an UNAVAILABLE / TIMEOUT stub.</item>
/// <item><see cref="SetShardReadOnly"/>: a READONLY shard (writes to it fail; PUT /v1/schema/{class}/shards/{shard} READY undoes it).</item>
/// <item><see cref="AddShardReport"/>: how /v1/nodes reports a shard (LAZY_LOADING, compressed, vector queue, replication).</item>
/// </list>
/// </summary>
public sealed class EmulatorFaults
{
    private readonly object _gate = new();
    private readonly EmulatorStore _store;
    private readonly Dictionary<string, NodeHealth> _nodes = new(StringComparer.Ordinal);
    private readonly List<ShardReport> _shardReports = [];
    private int _latencyMs;
    private int? _statusCode;
    private string? _statusMessage;
    private int? _retryAfterSeconds;
    private bool _malformedJson;
    private bool _dropConnections;
    private bool _readyUnavailable;
    private string? _pathPrefix;
    private Grpc.Core.StatusCode? _grpcStatus;
    private bool _grpcDown;
    private bool _grpcNotServing;

    internal EmulatorFaults(EmulatorStore store) => _store = store;

    public int LatencyMs
    {
        get { lock (_gate) return _latencyMs; }
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            lock (_gate) _latencyMs = value;
        }
    }

    /// <summary>A status between 400 and 599, or null for none.</summary>
    public int? StatusCode
    {
        get { lock (_gate) return _statusCode; }
        set
        {
            if (value is not null and (< 400 or > 599))
                throw new ArgumentOutOfRangeException(nameof(value), value, "a status code between 400 and 599");
            lock (_gate) _statusCode = value;
        }
    }

    public string? StatusMessage
    {
        get { lock (_gate) return _statusMessage; }
        set { lock (_gate) _statusMessage = value; }
    }

    /// <summary>Seconds for a <c>Retry-After</c> header on the status fault's answers, or null for none.</summary>
    public int? RetryAfterSeconds
    {
        get { lock (_gate) return _retryAfterSeconds; }
        set
        {
            if (value is < 0)
                throw new ArgumentOutOfRangeException(nameof(value), value, "retryAfterSeconds must be ≥ 0");
            lock (_gate) _retryAfterSeconds = value;
        }
    }

    public bool MalformedJson
    {
        get { lock (_gate) return _malformedJson; }
        set { lock (_gate) _malformedJson = value; }
    }

    public bool DropConnections
    {
        get { lock (_gate) return _dropConnections; }
        set { lock (_gate) _dropConnections = value; }
    }

    public bool ReadyUnavailable
    {
        get { lock (_gate) return _readyUnavailable; }
        set { lock (_gate) _readyUnavailable = value; }
    }

    public string? PathPrefix
    {
        get { lock (_gate) return _pathPrefix; }
        set { lock (_gate) _pathPrefix = string.IsNullOrEmpty(value) ? null : value; }
    }

    /// <summary>A gRPC status other than OK, or null for none.</summary>
    public Grpc.Core.StatusCode? GrpcStatus
    {
        get { lock (_gate) return _grpcStatus; }
        set
        {
            if (value == Grpc.Core.StatusCode.OK)
                throw new ArgumentOutOfRangeException(nameof(value), value, "a gRPC status other than OK");
            lock (_gate) _grpcStatus = value;
        }
    }

    public bool GrpcDown
    {
        get { lock (_gate) return _grpcDown; }
        set { lock (_gate) _grpcDown = value; }
    }

    public bool GrpcNotServing
    {
        get { lock (_gate) return _grpcNotServing; }
        set { lock (_gate) _grpcNotServing = value; }
    }

    public void SetNodeStatus(string node, NodeHealth health)
    {
        if (!_store.NodeNames.Contains(node))
            throw new ArgumentException($"no node '{node}' (nodes: {string.Join(", ", _store.NodeNames)})", nameof(node));
        lock (_gate)
        {
            if (health == NodeHealth.Healthy)
                _nodes.Remove(node);
            else
                _nodes[node] = health;
        }
    }

    public NodeHealth GetNodeStatus(string node)
    {
        lock (_gate) return _nodes.GetValueOrDefault(node, NodeHealth.Healthy);
    }

    /// <summary>Sets one shard, or every shard of the class, READONLY (in the store: it is real shard state).</summary>
    public void SetShardReadOnly(string className, string? shardName = null)
    {
        if (shardName is null)
            _store.SetShardStatuses(className, ShardStatuses.ReadOnly);
        else
            _store.SetShardStatus(className, shardName, ShardStatuses.ReadOnly);
    }

    /// <summary>Makes /v1/nodes report a shard (or every shard of the class) as <paramref name="report"/> says.</summary>
    public void AddShardReport(ShardReport report)
    {
        ValidateShard(report.Class, report.Shard);
        if (report.VectorQueueLength is < 0 || report.ReplicationFactor is < 1)
            throw new ArgumentException("vectorQueueLength must be ≥ 0 and replicationFactor ≥ 1");
        lock (_gate) _shardReports.Add(report);
    }

    /// <summary>What the shard reports say about one shard, merged in order (null when none applies).</summary>
    internal ShardReport? ShardReportFor(string className, string shard)
    {
        ShardReport? merged = null;
        lock (_gate)
        {
            foreach (var r in _shardReports.Where(r => r.Class == className && (r.Shard is null || r.Shard == shard)))
                merged = merged is null ? r : new ShardReport
                {
                    Class = className,
                    Shard = shard,
                    LazyLoading = r.LazyLoading ?? merged.LazyLoading,
                    Compressed = r.Compressed ?? merged.Compressed,
                    VectorQueueLength = r.VectorQueueLength ?? merged.VectorQueueLength,
                    ReplicationFactor = r.ReplicationFactor ?? merged.ReplicationFactor,
                    AsyncReplicationStatus = r.AsyncReplicationStatus ?? merged.AsyncReplicationStatus,
                };
        }
        return merged;
    }

    /// <summary>Clears every fault and puts every shard back to READY.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _latencyMs = 0;
            _statusCode = null;
            _statusMessage = null;
            _retryAfterSeconds = null;
            _malformedJson = false;
            _dropConnections = false;
            _readyUnavailable = false;
            _pathPrefix = null;
            _grpcStatus = null;
            _grpcDown = false;
            _grpcNotServing = false;
            _nodes.Clear();
            _shardReports.Clear();
        }
        _store.ResetShardStatuses();
    }

    public FaultSettings Snapshot()
    {
        // Read the store before taking the gate: never hold the gate while waiting for the store's lock.
        var readOnly = _store.ShardsNotReady().Where(s => s.Status == ShardStatuses.ReadOnly)
            .Select(s => new ShardRef(s.ClassName, s.Name)).ToList();
        lock (_gate)
        {
            return new FaultSettings
            {
                LatencyMs = _latencyMs,
                StatusCode = _statusCode,
                StatusMessage = _statusMessage,
                RetryAfterSeconds = _retryAfterSeconds,
                MalformedJson = _malformedJson,
                DropConnections = _dropConnections,
                ReadyUnavailable = _readyUnavailable,
                PathPrefix = _pathPrefix,
                GrpcStatus = _grpcStatus is { } grpcStatus ? GrpcStatusName(grpcStatus) : null,
                GrpcDown = _grpcDown,
                GrpcNotServing = _grpcNotServing,
                NodeStatus = _store.NodeNames.ToDictionary(n => n, n => ToWire(_nodes.GetValueOrDefault(n, NodeHealth.Healthy))),
                ReadOnlyShards = readOnly,
                ShardReports = [.. _shardReports],
            };
        }
    }

    /// <summary>
    /// Applies settings: with <paramref name="replace"/> every fault not given is cleared (PUT),
    /// otherwise only the given ones change (POST). Validates everything before changing anything.
    /// </summary>
    /// <exception cref="ArgumentException">An invalid value (negative latency, unknown node or status, status outside 400–599, unknown class or shard).</exception>
    public void Apply(FaultSettings settings, bool replace)
    {
        if (settings.LatencyMs is < 0)
            throw new ArgumentException("latencyMs must be ≥ 0");
        if (settings.StatusCode is not null and (< 400 or > 599))
            throw new ArgumentException("statusCode must be between 400 and 599");
        if (settings.RetryAfterSeconds is < 0)
            throw new ArgumentException("retryAfterSeconds must be ≥ 0");
        var grpcStatus = settings.GrpcStatus is { Length: > 0 } name ? ParseGrpcStatus(name) : (Grpc.Core.StatusCode?)null;
        var nodes = new Dictionary<string, NodeHealth>();
        foreach (var (node, status) in settings.NodeStatus ?? [])
        {
            if (!_store.NodeNames.Contains(node))
                throw new ArgumentException($"no node '{node}' (nodes: {string.Join(", ", _store.NodeNames)})");
            nodes[node] = FromWire(status);
        }
        foreach (var shard in settings.ReadOnlyShards ?? [])
            ValidateShard(shard.Class, shard.Shard);
        foreach (var report in settings.ShardReports ?? [])
        {
            ValidateShard(report.Class, report.Shard);
            if (report.VectorQueueLength is < 0 || report.ReplicationFactor is < 1)
                throw new ArgumentException("shardReports: vectorQueueLength must be ≥ 0 and replicationFactor ≥ 1");
        }

        if (replace)
            Reset();
        lock (_gate)
        {
            if (settings.LatencyMs is { } latency) _latencyMs = latency;
            if (settings.StatusCode is { } status) _statusCode = status;
            if (settings.StatusMessage is { } message) _statusMessage = message;
            if (settings.RetryAfterSeconds is { } retryAfter) _retryAfterSeconds = retryAfter;
            if (settings.MalformedJson is { } malformed) _malformedJson = malformed;
            if (settings.DropConnections is { } drop) _dropConnections = drop;
            if (settings.ReadyUnavailable is { } ready) _readyUnavailable = ready;
            if (settings.PathPrefix is { } prefix) _pathPrefix = prefix.Length == 0 ? null : prefix;
            if (settings.GrpcStatus is not null) _grpcStatus = grpcStatus;
            if (settings.GrpcDown is { } down) _grpcDown = down;
            if (settings.GrpcNotServing is { } notServing) _grpcNotServing = notServing;
            if (settings.ShardReports is { } reports)
            {
                _shardReports.Clear();
                _shardReports.AddRange(reports);
            }
            foreach (var (node, health) in nodes)
            {
                if (health == NodeHealth.Healthy)
                    _nodes.Remove(node);
                else
                    _nodes[node] = health;
            }
        }
        foreach (var shard in settings.ReadOnlyShards ?? [])
            SetShardReadOnly(shard.Class, shard.Shard);
    }

    private void ValidateShard(string className, string? shard)
    {
        IReadOnlyList<ShardInfo> shards;
        try
        {
            shards = _store.Shards(className);
        }
        catch (EmulatorStoreException e)
        {
            throw new ArgumentException(e.Message);
        }
        if (shard is not null && shards.All(s => s.Name != shard))
            throw new ArgumentException($"no shard '{shard}' in class '{className}'");
    }

    /// <summary>Whether StatusCode / MalformedJson / DropConnections apply to this request path.</summary>
    internal bool Targets(string path)
    {
        var prefix = PathPrefix;
        return prefix is null || path.StartsWith(prefix, StringComparison.Ordinal);
    }

    /// <summary>"UNAVAILABLE", "DEADLINE_EXCEEDED", … (gRPC's own names).</summary>
    public static string GrpcStatusName(Grpc.Core.StatusCode code) =>
        string.Concat(code.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : c.ToString())).ToUpperInvariant();

    public static Grpc.Core.StatusCode ParseGrpcStatus(string name) =>
        Enum.GetValues<Grpc.Core.StatusCode>().Where(c => c != Grpc.Core.StatusCode.OK)
            .FirstOrDefault(c => GrpcStatusName(c) == name.ToUpperInvariant(), Grpc.Core.StatusCode.OK) is var code and not Grpc.Core.StatusCode.OK
            ? code
            : throw new ArgumentException($"unknown gRPC status '{name}' (e.g. UNAVAILABLE, INTERNAL, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED; not OK)");

    public static string ToWire(NodeHealth health) => health switch
    {
        NodeHealth.Unhealthy => "UNHEALTHY",
        NodeHealth.Unavailable => "UNAVAILABLE",
        NodeHealth.Timeout => "TIMEOUT",
        _ => "HEALTHY",
    };

    public static NodeHealth FromWire(string status) => status.ToUpperInvariant() switch
    {
        "HEALTHY" => NodeHealth.Healthy,
        "UNHEALTHY" => NodeHealth.Unhealthy,
        "UNAVAILABLE" => NodeHealth.Unavailable,
        "TIMEOUT" => NodeHealth.Timeout,
        _ => throw new ArgumentException($"unknown node status '{status}' (HEALTHY, UNHEALTHY, UNAVAILABLE, TIMEOUT)"),
    };
}
