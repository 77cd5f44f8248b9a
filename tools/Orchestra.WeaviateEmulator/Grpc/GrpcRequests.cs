// A server reads the fields Weaviate's protocol marks deprecated: older clients still send them.
#pragma warning disable CS0612

using System.Buffers.Binary;
using Grpc.Core;
using Weaviate.V1;

namespace Orchestra.WeaviateEmulator;

/// <summary>
/// What a gRPC <c>Search</c> asks for besides the query itself: which properties and which metadata come back.
/// </summary>
internal sealed record SearchSelection(IReadOnlyList<PropertyDef> Properties, MetadataRequest Metadata);

/// <summary>
/// Reads Weaviate's gRPC requests (v1/*.proto) into the emulator's own query model, the way Weaviate's
/// <c>adapters/handlers/grpc/v1/parse_search_request.go</c> does, with its error messages. Errors are plain
/// errors in Weaviate, which grpc-go sends as <c>UNKNOWN</c>; what the emulator cannot do is <c>UNIMPLEMENTED</c>.
/// Call under the store's read lock.
/// </summary>
internal static class GrpcRequests
{
    /// <summary>QUERY_DEFAULTS_LIMIT: the gRPC API's limit when the request sets none.</summary>
    public const int DefaultLimit = 10;

    public static RpcException Unknown(string message) => new(new Status(StatusCode.Unknown, message));

    public static RpcException Unsupported(string what) =>
        new(new Status(StatusCode.Unimplemented, $"{what} is not supported by the Weaviate emulator"));

    public static ClassState Class(EmulatorStore store, string collection) =>
        store.TryGetClass(collection, out var cls) ? cls : throw Unknown($"could not find class {collection} in schema");

    public static void NoTenant(ClassState cls, string? tenant)
    {
        if (!string.IsNullOrEmpty(tenant))
            throw Unknown($"class {cls.Name} has multi-tenancy disabled, but request was with tenant");
    }

    // ------------------------------------------------------------------ Search

    public static (ObjectQuery Query, SearchSelection Selection) Search(EmulatorStore store, SearchRequest req)
    {
        var cls = Class(store, req.Collection);
        if (req.GroupBy is not null) throw Unsupported("group_by");
        if (req.Generative is not null) throw Unsupported("generative search");
        if (req.Rerank is not null) throw Unsupported("rerank");
        if (req.Boost is not null) throw Unsupported("boost");
        if (req.Autocut > 0) throw Unsupported("autocut");
        foreach (var (media, present) in new[]
                 {
                     ("nearText", req.NearText is not null), ("nearImage", req.NearImage is not null), ("nearAudio", req.NearAudio is not null),
                     ("nearVideo", req.NearVideo is not null), ("nearDepth", req.NearDepth is not null),
                     ("nearThermal", req.NearThermal is not null), ("nearIMU", req.NearImu is not null),
                 })
        {
            if (present)
                throw NoVectorizer(cls, media);
        }
        NoTenant(cls, req.Tenant);

        var query = new ObjectQuery
        {
            Class = cls,
            Limit = req.Limit > 0 ? req.Limit : DefaultLimit,
            Offset = req.Offset,
            After = req.After.Length > 0 ? req.After : null,
        };
        if (req.Bm25Search is { } bm25)
        {
            if (bm25.SearchOperator is { Operator: SearchOperatorOptions.Types.Operator.And or SearchOperatorOptions.Types.Operator.AndCross })
                throw Unsupported("bm25 search_operator AND");
            query.Bm25 = (bm25.Query, bm25.Properties.Select(LowercaseFirst).ToList());
        }
        if (req.NearVector is { } nearVector)
        {
            NoTargets(cls, nearVector.Targets, nearVector.TargetVectors);
            if (nearVector.VectorForTargets.Count > 0 || nearVector.VectorPerTarget.Count > 0)
                throw NoNamedVector(cls, nearVector.VectorForTargets.Select(v => v.Name).Concat(nearVector.VectorPerTarget.Keys).First());
            if (nearVector.HasDistance && nearVector.HasCertainty)
                throw Unknown("near_vector: cannot provide distance and certainty");
            query.NearVector = Near(nearVector.HasDistance ? nearVector.Distance : null, nearVector.HasCertainty ? nearVector.Certainty : null);
            query.NearVector.Vector = Vector(nearVector.VectorBytes, nearVector.Vector, nearVector.Vectors) ?? [];
        }
        if (req.NearObject is { } nearObject)
        {
            NoTargets(cls, nearObject.Targets, nearObject.TargetVectors);
            if (nearObject.Id.Length == 0)
                throw Unknown("near_object: id is required");
            if (nearObject.HasDistance && nearObject.HasCertainty)
                throw Unknown("near_object: cannot provide distance and certainty");
            query.NearObject = Near(nearObject.HasDistance ? nearObject.Distance : null, nearObject.HasCertainty ? nearObject.Certainty : null);
            query.NearObject.ObjectId = nearObject.Id;
        }
        if (req.HybridSearch is { } hybrid)
            query.Hybrid = ReadHybrid(cls, hybrid);
        if (req.Filters is not null)
            query.Where = Filter(cls, req.Filters);
        if (req.SortBy.Count > 0)
        {
            if (req.Bm25Search is not null || req.NearVector is not null || req.NearObject is not null || req.HybridSearch is not null)
                throw Unknown("sorting cannot be combined with search");
            query.Sort = req.SortBy.Select(s => s.Path.Count == 1
                ? (s.Path[0], !s.Ascending)
                : throw Unsupported("sorting by a reference path")).ToList();
        }
        return (query, new SearchSelection(Properties(cls, req.Properties, req.Uses123Api), req.Metadata ?? new MetadataRequest()));
    }

    /// <summary>modules' VectorFromSearchParam: the emulator has no vectorizer modules, so every near&lt;Media&gt; is refused like this.</summary>
    private static RpcException NoVectorizer(ClassState cls, string searchType) => Unknown(SearchEngine.NoVectorizerMessage(cls, searchType));

    private static RpcException NoNamedVector(ClassState cls, string target) =>
        Unknown($"class {cls.Name} does not have named vector {target} configured. Available named vectors map[]");

    /// <summary>extractTargetVectors: the emulator's classes have one unnamed vector, so any target is unknown.</summary>
    private static void NoTargets(ClassState cls, Targets? targets, IEnumerable<string> targetVectors)
    {
        var first = (targets?.TargetVectors ?? []).Concat(targetVectors).FirstOrDefault();
        if (first is not null)
            throw NoNamedVector(cls, first);
    }

    private static NearArgs Near(double? distance, double? certainty) => new() { Distance = distance, Certainty = certainty ?? 0 };

    private static (string Query, double Alpha, float[]? Vector, string Fusion, List<string>? Properties) ReadHybrid(ClassState cls, Hybrid hybrid)
    {
        NoTargets(cls, hybrid.Targets, hybrid.TargetVectors);
        if (hybrid.NearText is not null)
            throw NoVectorizer(cls, "nearText");
        if (hybrid.ThresholdCase == Weaviate.V1.Hybrid.ThresholdOneofCase.VectorDistance)
            throw Unsupported("hybrid vector_distance");
        if (hybrid.Selection is not null)
            throw Unsupported("hybrid selection (MMR)");
        if (hybrid.Bm25SearchOperator is { Operator: SearchOperatorOptions.Types.Operator.And or SearchOperatorOptions.Types.Operator.AndCross })
            throw Unsupported("hybrid bm25_search_operator AND");
        var vector = Vector(hybrid.VectorBytes, hybrid.Vector, hybrid.Vectors);
        if (hybrid.NearVector is { } near)
        {
            if (vector is not null)
                throw Unknown("cannot combine nearVector and vector in hybrid search");
            if (near.HasDistance || near.HasCertainty)
                throw Unsupported("hybrid near_vector distance or certainty");
            NoTargets(cls, near.Targets, near.TargetVectors);
            vector = Vector(near.VectorBytes, near.Vector, near.Vectors);
        }
        double alpha = hybrid.UseAlphaParam ? (hybrid.HasAlphaParam ? hybrid.AlphaParam : 0.75f) : hybrid.Alpha;
        if (alpha is < 0 or > 1)
            throw Unknown($"alpha should be between 0.0 and 1.0, got {alpha}");
        var fusion = hybrid.FusionType == Weaviate.V1.Hybrid.Types.FusionType.Ranked ? "rankedFusion" : "relativeScoreFusion";
        return (hybrid.Query, alpha, vector, fusion, hybrid.Properties.Select(LowercaseFirst).ToList());
    }

    /// <summary>
    /// A query vector in any of the forms clients send: <c>vectors</c> (one single-vector entry, what current clients
    /// send to Weaviate ≥ 1.29), packed little-endian float32 <c>vector_bytes</c>, or the older repeated floats.
    /// Null when none is given.
    /// </summary>
    public static float[]? Vector(Google.Protobuf.ByteString bytes, IReadOnlyList<float> floats, IReadOnlyList<Vectors> vectors)
    {
        if (vectors.Count > 0)
        {
            if (vectors.Count > 1 || vectors[0].Type == Vectors.Types.VectorType.MultiFp32)
                throw Unsupported("multi-vectors");
            return Floats(vectors[0].VectorBytes);
        }
        if (bytes.Length > 0)
            return Floats(bytes);
        return floats.Count > 0 ? floats.ToArray() : null;
    }

    public static float[] Floats(Google.Protobuf.ByteString bytes)
    {
        if (bytes.Length % 4 != 0)
            throw Unknown($"vector bytes must be a multiple of 4 (float32), got {bytes.Length} bytes");
        var span = bytes.Span;
        var result = new float[span.Length / 4];
        for (var i = 0; i < result.Length; i++)
            result[i] = BinaryPrimitives.ReadSingleLittleEndian(span.Slice(i * 4, 4));
        return result;
    }

    /// <summary>extractPropertiesRequest: absent = every property; with uses_123_api, return_all_nonref_properties = every
    /// property, else the names listed (first letter lowercased); unknown names are refused.</summary>
    private static IReadOnlyList<PropertyDef> Properties(ClassState cls, PropertiesRequest? request, bool uses123Api)
    {
        if (request is null || (uses123Api && request.ReturnAllNonrefProperties))
            return cls.Properties;
        if (request.RefProperties.Count > 0)
            throw Unsupported("ref_properties (cross-references)");
        if (request.ObjectProperties.Count > 0)
            throw Unsupported("object_properties");
        return request.NonRefProperties.Select(name => cls.Property(LowercaseFirst(name)) ?? throw Unknown(
            $"no such prop with name '{LowercaseFirst(name)}' found in class '{cls.Name}' in the schema. " +
            "Check your schema files for which properties in this class are available")).ToList();
    }

    private static string LowercaseFirst(string name) => name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name[1..];

    // ------------------------------------------------------------------ Filters

    /// <summary>
    /// A gRPC <c>Filters</c> as the emulator's <see cref="WhereClause"/>, with Weaviate's coercions: an int for a number
    /// property becomes a float, an integral float for an int property an int, text for a date property a date.
    /// </summary>
    public static WhereClause Filter(ClassState cls, Filters filter)
    {
        switch (filter.Operator)
        {
            case Filters.Types.Operator.And:
            case Filters.Types.Operator.Or:
            case Filters.Types.Operator.Not:
                return new WhereClause(OperatorName(filter.Operator), null, null, null,
                    filter.Filters_.Select(f => Filter(cls, f)).ToList());
            case Filters.Types.Operator.Unspecified:
                throw Unknown($"unknown filter operator {filter.Operator.ToString().ToUpperInvariant()}");
        }
        string name;
        if (filter.Target is { } target)
        {
            if (target.TargetCase != FilterTarget.TargetOneofCase.Property)
                throw Unsupported("filtering on cross-references");
            name = target.Property;
        }
        else if (filter.On.Count == 1)
            name = filter.On[0];
        else if (filter.On.Count % 2 == 1)
            throw Unsupported("filtering on cross-references");
        else
            throw Unknown($"paths needs to have a uneven number of components: property, class, property, ...., got [{string.Join(" ", filter.On)}]");

        var prop = cls.Property(name);
        var (field, values) = filter.TestValueCase switch
        {
            Filters.TestValueOneofCase.ValueText => ("valueText", new List<object> { filter.ValueText }),
            Filters.TestValueOneofCase.ValueInt => ("valueInt", new List<object> { filter.ValueInt }),
            Filters.TestValueOneofCase.ValueBoolean => ("valueBoolean", new List<object> { filter.ValueBoolean }),
            Filters.TestValueOneofCase.ValueNumber => ("valueNumber", new List<object> { filter.ValueNumber }),
            Filters.TestValueOneofCase.ValueTextArray => ("valueTextArray", filter.ValueTextArray.Values.Cast<object>().ToList()),
            Filters.TestValueOneofCase.ValueIntArray => ("valueIntArray", filter.ValueIntArray.Values.Cast<object>().ToList()),
            Filters.TestValueOneofCase.ValueBooleanArray => ("valueBooleanArray", filter.ValueBooleanArray.Values.Cast<object>().ToList()),
            Filters.TestValueOneofCase.ValueNumberArray => ("valueNumberArray", filter.ValueNumberArray.Values.Cast<object>().ToList()),
            Filters.TestValueOneofCase.ValueGeo => throw Unsupported("WithinGeoRange"),
            _ => throw Unknown($"unknown value type {filter.TestValueCase}"),
        };
        var array = field.EndsWith("Array", StringComparison.Ordinal);
        switch (prop?.BaseType)
        {
            case "number" when field is "valueInt" or "valueIntArray":
                (field, values) = (array ? "valueNumberArray" : "valueNumber", values.Select(v => (object)(double)(long)v).ToList());
                break;
            case "int" when field is "valueNumber" or "valueNumberArray":
                values = values.Select(v => (double)v == Math.Floor((double)v)
                    ? (object)(long)(double)v
                    : throw Unknown($"filtering for integer, but received a floating point number {v}")).ToList();
                field = array ? "valueIntArray" : "valueInt";
                break;
            case "date" when field is "valueText" or "valueTextArray":
                values = values.Select(v => PropertyValues.TryParseDate((string)v, out var date)
                    ? (object)date
                    : throw Unknown($"failed to parse date {v}: expected RFC3339")).ToList();
                field = array ? "valueDateArray" : "valueDate";
                break;
        }
        return new WhereClause(OperatorName(filter.Operator), [name], field, values, null);
    }

    private static string OperatorName(Filters.Types.Operator op) => op switch
    {
        Filters.Types.Operator.Equal => "Equal",
        Filters.Types.Operator.NotEqual => "NotEqual",
        Filters.Types.Operator.GreaterThan => "GreaterThan",
        Filters.Types.Operator.GreaterThanEqual => "GreaterThanEqual",
        Filters.Types.Operator.LessThan => "LessThan",
        Filters.Types.Operator.LessThanEqual => "LessThanEqual",
        Filters.Types.Operator.And => "And",
        Filters.Types.Operator.Or => "Or",
        Filters.Types.Operator.Not => "Not",
        Filters.Types.Operator.WithinGeoRange => "WithinGeoRange",
        Filters.Types.Operator.Like => "Like",
        Filters.Types.Operator.IsNull => "IsNull",
        Filters.Types.Operator.ContainsAny => "ContainsAny",
        Filters.Types.Operator.ContainsAll => "ContainsAll",
        Filters.Types.Operator.ContainsNone => "ContainsNone",
        _ => throw Unknown($"unknown filter operator {op}"),
    };
}
