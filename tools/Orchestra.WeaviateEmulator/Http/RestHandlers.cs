using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Orchestra.WeaviateEmulator;

/// <summary>What every handler needs: the store, the faults and the emulator's identity.</summary>
internal sealed class EmulatorContext(EmulatorStore store, EmulatorFaults faults, EmulatorOptions options)
{
    public EmulatorStore Store { get; } = store;
    public EmulatorFaults Faults { get; } = faults;
    public EmulatorOptions Options { get; } = options;
    public GraphQLExecutor GraphQL { get; } = new(store);
    /// <summary>The Raft index when this emulator started: /v1/cluster/statistics' initialLastAppliedIndex.</summary>
    public long InitialLastAppliedIndex { get; } = store.RaftIndex;
    public const string GitHash = "adcffc5";
}

/// <summary>The REST handlers, one per path of ENDPOINTS.md.</summary>
internal static class RestHandlers
{
    public const string EmulatorModule = "orchestra-emulator";
    public const string EmulatorHostname = "http://orchestra-weaviate-emulator";
    /// <summary>Weaviate's GRPC_MAX_MESSAGE_SIZE default: reported by /v1/meta and enforced by the gRPC port.</summary>
    public const int GrpcMaxMessageSize = 104858000;
    private const int DefaultRestLimit = 10;   // QUERY_DEFAULTS_LIMIT (the spec says 25, the code 10)

    // ---------------------------------------------------------------- meta

    public static Task Meta(HttpContext http, EmulatorContext ctx) => Responses.Json(http, 200, new JsonObject
    {
        ["grpcMaxMessageSize"] = GrpcMaxMessageSize,
        ["hostname"] = EmulatorHostname,
        ["modules"] = new JsonObject
        {
            [EmulatorModule] = new JsonObject
            {
                ["name"] = "Orchestra Weaviate emulator",
                ["documentation"] = "tools/Orchestra.WeaviateEmulator/README.md",
                ["emulatedVersion"] = ctx.Options.Version,
                ["nodes"] = ctx.Store.NodeNames.Count,
            },
        },
        ["version"] = ctx.Options.Version,
    });

    public static Task Root(HttpContext http, EmulatorContext ctx) => Responses.Json(http, 200, new JsonObject
    {
        ["links"] = new JsonArray(
            new JsonObject { ["href"] = "/v1/meta", ["name"] = "Meta information about this instance/cluster" },
            new JsonObject { ["href"] = "/v1/schema", ["name"] = "view complete schema" },
            new JsonObject { ["href"] = "/v1/graphql", ["name"] = "Graphql endpoint" }),
    });

    // ---------------------------------------------------------------- nodes, cluster

    public static Task Nodes(HttpContext http, EmulatorContext ctx, string? className)
    {
        var output = http.Request.Query["output"].FirstOrDefault() ?? "minimal";
        if (output is not ("minimal" or "verbose"))
            return Responses.Error(http, 422, $"invalid output: \"{output}\", possible values are: \"minimal\", \"verbose\"");
        var shardName = http.Request.Query["shardName"].FirstOrDefault();
        var verbose = output == "verbose";

        var nodes = new JsonArray();
        using (ctx.Store.Read())
        {
            ClassState? only = null;
            if (className is not null && !ctx.Store.TryGetClass(ClassDefinitions.NormalizeClassName(className), out only))
                return Responses.Error(http, 404, $"node status: class \"{className}\" not found");
            var classes = only is null ? ctx.Store.AllClasses.ToList() : [only];

            foreach (var node in ctx.Store.NodeNames.OrderBy(n => n, StringComparer.Ordinal))
            {
                var health = ctx.Faults.GetNodeStatus(node);
                if (health is NodeHealth.Unavailable or NodeHealth.Timeout)
                {
                    // nodes.go: an unreachable node is only {name, shards: null, status}.
                    nodes.Add(new JsonObject { ["name"] = node, ["shards"] = null, ["status"] = EmulatorFaults.ToWire(health) });
                    continue;
                }
                var shards = classes
                    .SelectMany(c => c.Shards.Where(s => s.Node == node && (shardName is null || s.Name == shardName)).Select(s => (Class: c, Shard: s)))
                    .ToList();
                var shardJson = shards.Select(s => ShardJson(s.Class, s.Shard, ctx.Faults)).ToList();
                var entry = new JsonObject
                {
                    ["batchStats"] = new JsonObject { ["queueLength"] = 0, ["ratePerSecond"] = 0 },
                    ["gitHash"] = EmulatorContext.GitHash,
                    ["name"] = node,
                    ["operationalMode"] = "ReadWrite",
                    ["shards"] = verbose ? new JsonArray(shardJson.Select(s => (JsonNode?)s).ToArray()) : null,
                };
                if (verbose)
                    entry["stats"] = new JsonObject
                    {
                        ["objectCount"] = shardJson.Sum(s => s["objectCount"]!.GetValue<long>()),
                        ["shardCount"] = shards.Count,
                    };
                entry["status"] = EmulatorFaults.ToWire(health);
                entry["version"] = ctx.Options.Version;
                nodes.Add(entry);
            }
        }
        return Responses.Json(http, 200, new JsonObject { ["nodes"] = nodes });
    }

    /// <summary>A shard as /v1/nodes reports it: its real state, then what the shardReports fault says.</summary>
    private static JsonObject ShardJson(ClassState cls, ShardState shard, EmulatorFaults faults)
    {
        var report = faults.ShardReportFor(cls.Name, shard.Name);
        var lazy = report?.LazyLoading == true;
        var replicas = report?.ReplicationFactor ?? 1;
        return new JsonObject
        {
            // An unloaded lazy shard has no replication status (null); a loaded one an empty list.
            ["asyncReplicationStatus"] = lazy ? null : new JsonArray((report?.AsyncReplicationStatus ?? []).Select(a => (JsonNode?)new JsonObject
            {
                ["objectsPropagated"] = a.ObjectsPropagated,
                ["startDiffTimeUnixMillis"] = a.StartDiffTimeUnixMillis,
                ["targetNode"] = a.TargetNode,
            }).ToArray()),
            ["class"] = cls.Name,
            ["compressed"] = !lazy && report?.Compressed == true,
            ["loaded"] = !lazy,
            ["name"] = shard.Name,
            ["numberOfReplicas"] = replicas,
            ["objectCount"] = lazy ? 0 : shard.ObjectCount,
            ["replicationFactor"] = replicas,
            ["vectorIndexingStatus"] = lazy ? "LAZY_LOADING" : shard.Status,
            ["vectorQueueLength"] = lazy ? 0 : report?.VectorQueueLength ?? 0,
        };
    }

    public static Task ClusterStatistics(HttpContext http, EmulatorContext ctx)
    {
        var names = ctx.Store.NodeNames;
        var index = ctx.Store.RaftIndex.ToString(CultureInfo.InvariantCulture);
        string Address(string node) => $"10.0.0.{names.ToList().IndexOf(node) + 1}:8300";
        var leader = names[0];
        var statistics = new JsonArray();
        var synchronized = true;
        foreach (var node in names)
        {
            var health = ctx.Faults.GetNodeStatus(node);
            if (health != NodeHealth.Healthy)
                synchronized = false;
            if (health is NodeHealth.Unavailable or NodeHealth.Timeout)
            {
                statistics.Add(new JsonObject { ["name"] = node, ["status"] = EmulatorFaults.ToWire(health) });
                continue;
            }
            var isLeader = node == leader;
            var entry = new JsonObject
            {
                ["bootstrapped"] = true,
                ["candidates"] = new JsonObject(),
                ["dbLoaded"] = true,
                ["isVoter"] = true,
                ["leaderAddress"] = Address(leader),
                ["leaderId"] = leader,
                ["name"] = node,
                ["open"] = true,
                ["raft"] = new JsonObject
                {
                    ["appliedIndex"] = index,
                    ["commitIndex"] = index,
                    ["fsmPending"] = "0",
                    // hashicorp/raft: a leader's last contact is 0 (Go formats the zero duration as "0").
                    ["lastContact"] = isLeader ? "0" : "12.5ms",
                    ["lastLogIndex"] = index,
                    ["lastLogTerm"] = "2",
                    ["lastSnapshotIndex"] = "0",
                    ["lastSnapshotTerm"] = "0",
                    // The spec says object; the server sends hashicorp/raft's configuration list (ENDPOINTS.md §5).
                    ["latestConfiguration"] = new JsonArray(names.Select(n => (JsonNode?)new JsonObject
                    {
                        ["address"] = Address(n),
                        ["id"] = n,
                        ["suffrage"] = 0,
                    }).ToArray()),
                    ["latestConfigurationIndex"] = "0",
                    ["numPeers"] = (names.Count - 1).ToString(CultureInfo.InvariantCulture),
                    ["protocolVersion"] = "3",
                    ["protocolVersionMax"] = "3",
                    ["protocolVersionMin"] = "0",
                    ["snapshotVersionMax"] = "1",
                    ["snapshotVersionMin"] = "0",
                    ["state"] = isLeader ? "Leader" : "Follower",
                    ["term"] = "2",
                },
                ["ready"] = true,
                ["status"] = EmulatorFaults.ToWire(health),
            };
            // A uint64 with omitempty: missing while it is 0 (an emulator that started with an empty store).
            if (ctx.InitialLastAppliedIndex > 0)
                entry["initialLastAppliedIndex"] = ctx.InitialLastAppliedIndex;
            statistics.Add(entry);
        }
        return Responses.Json(http, 200, new JsonObject { ["statistics"] = statistics, ["synchronized"] = synchronized });
    }

    // ---------------------------------------------------------------- schema

    public static Task GetSchema(HttpContext http, EmulatorContext ctx)
    {
        JsonArray classes;
        using (ctx.Store.Read())
            classes = new JsonArray(ctx.Store.AllClasses.Select(c => c.Definition.DeepClone()).ToArray());
        return Responses.Json(http, 200, new JsonObject { ["classes"] = classes });
    }

    public static async Task CreateClass(HttpContext http, EmulatorContext ctx)
    {
        var body = await Responses.ReadBody(http);
        if (body is null)
            return;
        if (body is not JsonObject definition)
        {
            await Responses.OpenApi(http, 422, 601, "objectClass in body must be of type object");
            return;
        }
        try
        {
            var state = ctx.Store.CreateClassState(definition);
            JsonNode created;
            using (ctx.Store.Read())
                created = state.Definition.DeepClone();
            await Responses.Json(http, 200, created);
        }
        catch (EmulatorStoreException e)
        {
            // 422 RestrictionViolationResponse: for non-restriction errors only its legacy "error" list is set.
            await Responses.Error(http, e.StatusCode, e.Message);
        }
    }

    public static Task GetClass(HttpContext http, EmulatorContext ctx, string className)
    {
        var definition = ctx.Store.GetClassDefinition(ClassDefinitions.NormalizeClassName(className));
        return definition is null ? Responses.Empty(http, 404) : Responses.Json(http, 200, definition);
    }

    public static Task DeleteClass(HttpContext http, EmulatorContext ctx, string className)
    {
        ctx.Store.DeleteClass(ClassDefinitions.NormalizeClassName(className));
        return Responses.Empty(http, 200);
    }

    public static Task GetShards(HttpContext http, EmulatorContext ctx, string className)
    {
        try
        {
            var shards = ctx.Store.Shards(ClassDefinitions.NormalizeClassName(className));
            return Responses.Json(http, 200, new JsonArray(shards.Select(s => (JsonNode?)new JsonObject
            {
                ["name"] = s.Name,
                ["status"] = s.Status,
                ["vectorQueueSize"] = ctx.Faults.ShardReportFor(s.ClassName, s.Name)?.VectorQueueLength ?? 0,
            }).ToArray()));
        }
        catch (EmulatorStoreException e)
        {
            return Responses.Error(http, e.StatusCode, e.Message);
        }
    }

    public static async Task UpdateShard(HttpContext http, EmulatorContext ctx, string className, string shardName)
    {
        var body = await Responses.ReadBody(http);
        if (body is null)
            return;
        var status = body is JsonObject o && o["status"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
        if (status is null)
        {
            await Responses.Error(http, 422, "shard status is required: {\"status\": \"READY\"} or {\"status\": \"READONLY\"}");
            return;
        }
        try
        {
            ctx.Store.SetShardStatus(ClassDefinitions.NormalizeClassName(className), shardName, status);
            await Responses.Json(http, 200, new JsonObject { ["status"] = status });
        }
        catch (EmulatorStoreException e)
        {
            await Responses.Error(http, e.StatusCode, e.Message);
        }
    }

    // ---------------------------------------------------------------- objects

    private static readonly IReadOnlySet<string> IncludeValues = new HashSet<string>(StringComparer.Ordinal)
    {
        "vector", "classification", "interpretation", "featureProjection", "nearestNeighbors",
    };

    /// <summary>Parses ?include=…; on error writes the 400 and returns null.</summary>
    private static async Task<bool?> IncludeVector(HttpContext http)
    {
        var include = http.Request.Query["include"].FirstOrDefault();
        if (string.IsNullOrEmpty(include))
            return false;
        var items = include.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        foreach (var item in items)
        {
            if (!IncludeValues.Contains(item))
            {
                await Responses.Error(http, 400, $"unrecognized property '{item}' in ?include list");
                return null;
            }
        }
        return items.Contains("vector");
    }

    private static JsonObject ObjectJson(StoredObject o, bool includeVector)
    {
        var json = new JsonObject
        {
            ["class"] = o.ClassName,
            ["creationTimeUnix"] = o.CreationTimeUnix,
            ["id"] = o.IdString,
            ["lastUpdateTimeUnix"] = o.LastUpdateTimeUnix,
            ["properties"] = PropertyValues.PropertiesJson(o),
        };
        if (includeVector && o.Vector is not null)
            json["vector"] = VectorJson(o.Vector);
        return json;
    }

    private static JsonArray VectorJson(float[] vector) =>
        new(vector.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray());

    /// <summary>An int64 query parameter; on a bad value writes go-openapi's 422 and returns false.</summary>
    private static async Task<(bool Ok, long? Value)> Int64Query(HttpContext http, string name)
    {
        var raw = http.Request.Query[name].FirstOrDefault();
        if (raw is null)
            return (true, null);
        if (long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            return (true, value);
        await Responses.OpenApi(http, 422, 601, $"{name} in query must be of type int64: \"{raw}\"");
        return (false, null);
    }

    public static async Task ListObjects(HttpContext http, EmulatorContext ctx)
    {
        var query = http.Request.Query;
        var includeVector = await IncludeVector(http);
        if (includeVector is null)
            return;
        var (limitOk, limitValue) = await Int64Query(http, "limit");
        if (!limitOk)
            return;
        var (offsetOk, offsetValue) = await Int64Query(http, "offset");
        if (!offsetOk)
            return;
        var className = query["class"].FirstOrDefault();
        var hasAfter = query.ContainsKey("after");
        var after = query["after"].FirstOrDefault() ?? "";
        var sort = query["sort"].FirstOrDefault();
        var order = query["order"].FirstOrDefault();
        var offset = offsetValue ?? 0;

        if (string.IsNullOrEmpty(className) && hasAfter)
        {
            // No class: the class-less listing (usecases/objects/get.go), which refuses a cursor with a 500.
            await Responses.Error(http, 500, "list objects: after parameter not allowed, cursor must be specific to one class, set class query param");
            return;
        }

        var (status, responseBody) = ListObjectsLocked(ctx, className, hasAfter, after, limitValue, offset, sort, order, includeVector.Value);
        await (responseBody is null ? Responses.Empty(http, status) : Responses.Json(http, status, responseBody));
    }

    /// <summary>Builds the answer under the read lock (no await in there: the lock has thread affinity).</summary>
    private static (int Status, JsonObject? Body) ListObjectsLocked(EmulatorContext ctx, string? className, bool hasAfter, string after,
        long? limitValue, long offset, string? sort, string? order, bool includeVector)
    {
        using var readLock = ctx.Store.Read();
        if (string.IsNullOrEmpty(className))
        {
            var classlessLimit = limitValue ?? DefaultRestLimit;
            var all = ctx.Store.AllClasses.SelectMany(c => c.ById).Skip((int)Math.Max(0, offset)).Take((int)Math.Max(0, classlessLimit)).ToList();
            // Without a class the handler sends "deprecations": null (a nil slice; ENDPOINTS.md §7).
            return (200, ListBody(all, includeVector, null));
        }
        if (!ctx.Store.TryGetClass(ClassDefinitions.NormalizeClassName(className), out var cls))
            return (404, null);

        List<StoredObject> page;
        if (hasAfter)
        {
            // entities/filters/cursor_validator.go, wrapped as objects.Error{Msg, Code: 400, Err} → 422.
            string? problem = null;
            var conflicts = new List<string>();
            if (offset > 0) conflicts.Add("offset");
            if (sort is not null) conflicts.Add("sort");
            if (conflicts.Count > 0)
                problem = string.Join(",", conflicts) + " cannot be set with after and limit parameters";
            else if (after.Length > 0 && !Guid.TryParse(after, out _))
                problem = $"after parameter '{after}' is not a valid uuid: invalid UUID length: {after.Length}";
            else if (limitValue is null or < 0)
                problem = "limit parameter must be set";
            if (problem is not null)
                return (422, Responses.ErrorBody($"msg:cursor api: invalid 'after' parameter code:400 err:{problem}"));
            var afterId = after.Length == 0 ? "" : Guid.Parse(after).ToString("D");
            page = cls.ById.Where(o => string.CompareOrdinal(o.IdString, afterId) > 0).Take((int)limitValue!.Value).ToList();
        }
        else
        {
            var limit = limitValue ?? DefaultRestLimit;
            if (limit < 0 || offset < 0 || offset + limit > GraphQLExecutor.MaximumResults)
                return (422, Responses.ErrorBody($"query maximum results exceeded: the total limit calculated from the provided offset '{offset}' and limit '{limit}' exceeds the configured value for QUERY_MAXIMUM_RESULTS '{GraphQLExecutor.MaximumResults}'. If you've supplied a negative offset or limit, this may be an underflow error"));
            IEnumerable<StoredObject> objects = cls.ById;
            if (sort is not null)
            {
                var sorted = SortObjects(cls, objects, sort, order);
                if (sorted is null)
                    return (422, Responses.ErrorBody($"msg:sorting code:400 err:sort parameter at position 0: no such prop with name '{sort.Split(',')[0]}' found in class '{cls.Name}' in the schema. Check your schema files for which properties in this class are available"));
                objects = sorted;
            }
            page = objects.Skip((int)offset).Take((int)limit).ToList();
        }
        return (200, ListBody(page, includeVector, new JsonArray()));
    }

    private static JsonObject ListBody(List<StoredObject> page, bool includeVector, JsonArray? deprecations)
    {
        var body = new JsonObject
        {
            ["deprecations"] = deprecations,
            ["objects"] = new JsonArray(page.Select(o => (JsonNode?)ObjectJson(o, includeVector)).ToArray()),
        };
        if (page.Count > 0)
            body["totalResults"] = page.Count; // len(page), omitempty: missing on an empty page
        return body;
    }

    private static IEnumerable<StoredObject>? SortObjects(ClassState cls, IEnumerable<StoredObject> objects, string sort, string? order)
    {
        var properties = sort.Split(',', StringSplitOptions.TrimEntries);
        var orders = (order ?? "").Split(',', StringSplitOptions.TrimEntries);
        IOrderedEnumerable<StoredObject>? sorted = null;
        var comparer = Comparer<IComparable?>.Create((a, b) => a is null ? (b is null ? 0 : -1) : b is null ? 1 : a.CompareTo(b));
        for (var i = 0; i < properties.Length; i++)
        {
            var property = properties[i];
            Func<StoredObject, IComparable?>? key = property switch
            {
                "_id" => o => o.IdString,
                "_creationTimeUnix" => o => o.CreationTimeUnix,
                "_lastUpdateTimeUnix" => o => o.LastUpdateTimeUnix,
                _ when cls.Property(property) is { IsArray: false } => o => o.Values.GetValueOrDefault(property) as IComparable,
                _ => null,
            };
            if (key is null)
                return null;
            var descending = i < orders.Length && orders[i] == "desc";
            sorted = sorted is null
                ? descending ? objects.OrderByDescending(key, comparer) : objects.OrderBy(key, comparer)
                : descending ? sorted.ThenByDescending(key, comparer) : sorted.ThenBy(key, comparer);
        }
        return sorted;
    }

    public static async Task GetObject(HttpContext http, EmulatorContext ctx, string className, string id)
    {
        if (!Guid.TryParse(id, out var guid))
        {
            await Responses.OpenApi(http, 422, 601, $"id in path must be of type uuid: \"{id}\"");
            return;
        }
        var includeVector = await IncludeVector(http);
        if (includeVector is null)
            return;
        JsonObject? json = null;
        using (ctx.Store.Read())
        {
            if (ctx.Store.TryGetClass(ClassDefinitions.NormalizeClassName(className), out var cls) && cls.Objects.TryGetValue(guid, out var o))
                json = ObjectJson(o, includeVector.Value);
        }
        await (json is null ? Responses.Empty(http, 404) : Responses.Json(http, 200, json));
    }

    /// <summary>HEAD: 204 when the object exists, 404 when it (or its class) does not; no body either way.</summary>
    public static Task ObjectExists(HttpContext http, EmulatorContext ctx, string className, string id)
    {
        if (!Guid.TryParse(id, out var guid))
            return Responses.OpenApi(http, 422, 601, $"id in path must be of type uuid: \"{id}\"");
        bool exists;
        using (ctx.Store.Read())
            exists = ctx.Store.TryGetClass(ClassDefinitions.NormalizeClassName(className), out var cls) && cls.Objects.ContainsKey(guid);
        return Responses.Empty(http, exists ? 204 : 404);
    }

    public static async Task DeleteObject(HttpContext http, EmulatorContext ctx, string className, string id)
    {
        if (!Guid.TryParse(id, out var guid))
        {
            await Responses.OpenApi(http, 422, 601, $"id in path must be of type uuid: \"{id}\"");
            return;
        }
        var deleted = ctx.Store.DeleteObject(ClassDefinitions.NormalizeClassName(className), guid);
        await Responses.Empty(http, deleted ? 204 : 404);
    }

    /// <summary>The parts of an Object body the store needs; an error message when it is not usable.</summary>
    private static (string? ClassName, Guid Id, JsonObject? Properties, float[]? Vector, string? Error, bool FormatError) ReadObject(JsonNode? node)
    {
        if (node is not JsonObject o)
            return (null, Guid.Empty, null, null, "invalid object: not a JSON object", false);
        var className = o["class"] is JsonValue c && c.GetValueKind() == JsonValueKind.String ? c.GetValue<string>() : null;
        var id = Guid.NewGuid();
        if (o["id"] is JsonValue idValue)
        {
            if (idValue.GetValueKind() != JsonValueKind.String || !Guid.TryParse(idValue.GetValue<string>(), out id))
                return (className, Guid.Empty, null, null, $"id in body must be of type uuid: \"{(idValue.GetValueKind() == JsonValueKind.String ? idValue.GetValue<string>() : idValue.ToJsonString())}\"", true);
        }
        if (o["vectors"] is JsonObject { Count: > 0 })
            return (className, id, null, null, "invalid object: named vectors (\"vectors\") are not supported by the Weaviate emulator", false);
        if (o["tenant"] is JsonValue tenant && tenant.GetValueKind() == JsonValueKind.String && tenant.GetValue<string>().Length > 0)
            return (className, id, null, null, $"class {className} does not have multi-tenancy enabled, but request was with tenant", false);
        float[]? vector = null;
        if (o["vector"] is JsonArray array)
        {
            vector = new float[array.Count];
            for (var i = 0; i < array.Count; i++)
            {
                if (array[i] is not JsonValue v || v.GetValueKind() != JsonValueKind.Number)
                    return (className, id, null, null, "vector.0 in body must be of type number", true);
                vector[i] = (float)v.GetValue<double>();
            }
        }
        else if (o["vector"] is not null)
            return (className, id, null, null, "vector in body must be of type array", true);
        var properties = o["properties"] switch
        {
            null => null,
            JsonObject p => p,
            _ => (JsonObject?)null,
        };
        if (o["properties"] is not null and not JsonObject)
            return (className, id, null, null, "invalid object: properties must be an object", false);
        if (string.IsNullOrEmpty(className))
            return (className, id, null, null, "invalid object: the given class is empty", false);
        return (ClassDefinitions.NormalizeClassName(className), id, properties, vector, null, false);
    }

    public static async Task CreateObject(HttpContext http, EmulatorContext ctx)
    {
        var body = await Responses.ReadBody(http);
        if (body is null)
            return;
        var (className, id, properties, vector, error, formatError) = ReadObject(body);
        if (error is not null)
        {
            await (formatError ? Responses.OpenApi(http, 422, 601, error) : Responses.Error(http, 422, error));
            return;
        }
        try
        {
            var stored = ctx.Store.PutFromApi(className!, id, properties, vector, failIfExists: true);
            await Responses.Json(http, 200, ObjectJson(stored, includeVector: true));
        }
        catch (EmulatorStoreException e)
        {
            await Responses.Error(http, e.StatusCode, e.Message);
        }
    }

    public static async Task BatchObjects(HttpContext http, EmulatorContext ctx)
    {
        var body = await Responses.ReadBody(http);
        if (body is null)
            return;
        if (body is not JsonObject request || request["objects"] is not (JsonArray or null))
        {
            await Responses.OpenApi(http, 422, 601, "objects in body must be of type array");
            return;
        }
        var results = new JsonArray();
        foreach (var item in request["objects"] as JsonArray ?? [])
        {
            var (className, id, properties, vector, error, _) = ReadObject(item);
            JsonObject entry;
            if (error is null)
            {
                try
                {
                    var stored = ctx.Store.PutFromApi(className!, id, properties, vector, failIfExists: false);
                    entry = ObjectJson(stored, includeVector: true);
                    entry["result"] = new JsonObject { ["status"] = "SUCCESS" };
                    results.Add(entry);
                    continue;
                }
                catch (EmulatorStoreException e)
                {
                    error = e.Message;
                }
            }
            // A failed item echoes what was sent, with the id (generated when absent) and the error.
            entry = new JsonObject();
            if (item is JsonObject sent && sent["class"] is { } cls)
                entry["class"] = cls.DeepClone();
            entry["id"] = (id == Guid.Empty ? Guid.NewGuid() : id).ToString("D");
            if (item is JsonObject sentProps && sentProps["properties"] is { } props)
                entry["properties"] = props.DeepClone();
            entry["result"] = new JsonObject
            {
                ["errors"] = Responses.ErrorBody(error),
                ["status"] = "FAILED",
            };
            results.Add(entry);
        }
        await Responses.Json(http, 200, results);
    }

    // ---------------------------------------------------------------- graphql

    public static async Task GraphQL(HttpContext http, EmulatorContext ctx)
    {
        var body = await Responses.ReadBody(http);
        if (body is null)
            return;
        if (body is not JsonObject request)
        {
            await Responses.OpenApi(http, 422, 601, "body in body must be of type object");
            return;
        }
        var query = request["query"] is JsonValue q && q.GetValueKind() == JsonValueKind.String ? q.GetValue<string>() : "";
        if (string.IsNullOrWhiteSpace(query))
        {
            await Responses.Error(http, 422, "query cannot be empty");
            return;
        }
        var variables = request["variables"];
        if (variables is not null and not JsonObject)
        {
            await Responses.Error(http, 422, "variables must be a JSON object");
            return;
        }
        if (ctx.Store.ClassNames().Count == 0)
        {
            await Responses.Error(http, 422, "no graphql provider present, this is most likely because no schema is present. Import a schema first!");
            return;
        }
        var operationName = request["operationName"] is JsonValue op && op.GetValueKind() == JsonValueKind.String ? op.GetValue<string>() : null;
        var response = ctx.GraphQL.Execute(query, operationName, variables as JsonObject);
        await Responses.Json(http, 200, response);
    }
}
