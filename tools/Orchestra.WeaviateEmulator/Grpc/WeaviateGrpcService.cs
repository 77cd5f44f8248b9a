// A server reads the fields Weaviate's protocol marks deprecated: older clients still send them.
#pragma warning disable CS0612

using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Grpc.Core;
using Weaviate.V1;
using WeaviateGrpc = Weaviate.V1.Weaviate;

namespace Orchestra.WeaviateEmulator;

/// <summary>
/// <c>weaviate.v1.Weaviate</c>: Search, Aggregate, BatchObjects, BatchDelete and TenantsGet over the emulator's store,
/// with the same search code as GraphQL (<see cref="ObjectSearch"/>). BatchReferences and BatchStream answer
/// UNIMPLEMENTED. Auth and faults are applied before these methods run (<see cref="GrpcFaultsAndAuth"/>).
/// </summary>
internal sealed class WeaviateGrpcService(EmulatorContext ctx) : WeaviateGrpc.WeaviateBase
{
    private EmulatorStore Store => ctx.Store;

    public override Task<SearchReply> Search(SearchRequest request, ServerCallContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var reply = new SearchReply();
        using (Store.Read())
        {
            var (query, selection) = GrpcRequests.Search(Store, request);
            List<Hit> hits;
            try
            {
                hits = ObjectSearch.Run(Store, query, GrpcRequests.DefaultLimit);
            }
            catch (Exception e) when (e is SearchException or FilterException)
            {
                throw GrpcRequests.Unknown(e.Message);
            }
            foreach (var hit in hits)
                reply.Results.Add(Result(query.Class, hit, selection));
        }
        reply.Took = Took(started);
        return Task.FromResult(reply);
    }

    private static SearchResult Result(ClassState cls, Hit hit, SearchSelection selection)
    {
        var o = hit.Object;
        var properties = new Properties();
        foreach (var prop in selection.Properties)
        {
            if (o.Values.TryGetValue(prop.Name, out var value))
                properties.Fields[prop.Name] = GrpcValues.ToValue(value);
        }
        var asked = selection.Metadata;
        var metadata = new MetadataResult();
        if (asked.Uuid)
        {
            metadata.Id = o.IdString;
            metadata.IdAsBytes = ByteString.CopyFrom(GrpcValues.IdBytes(o.Id));
        }
        if (asked.Vector && o.Vector is { } vector)
        {
            var bytes = GrpcValues.VectorBytes(vector);
            metadata.VectorBytes = bytes;
            metadata.Vectors.Add(new Vectors { Name = "default", Type = Vectors.Types.VectorType.SingleFp32, VectorBytes = bytes });
        }
        if (asked.Distance && hit.Distance is { } distance)
            (metadata.Distance, metadata.DistancePresent) = (distance, true);
        // Weaviate leaves certainty out (no error, unlike GraphQL) when the class's distance is not cosine.
        if (asked.Certainty && hit.Distance is { } d && cls.Distance == "cosine")
            (metadata.Certainty, metadata.CertaintyPresent) = ((float)VectorMath.CertaintyFromDistance(d), true);
        if (asked.Score && hit.Score is { } score)
            (metadata.Score, metadata.ScorePresent) = ((float)score, true);
        if (asked.ExplainScore && hit.ExplainScore is { } explain)
            (metadata.ExplainScore, metadata.ExplainScorePresent) = (explain, true);
        if (asked.CreationTimeUnix)
            (metadata.CreationTimeUnix, metadata.CreationTimeUnixPresent) = (o.CreationTimeUnix, true);
        if (asked.LastUpdateTimeUnix)
            (metadata.LastUpdateTimeUnix, metadata.LastUpdateTimeUnixPresent) = (o.LastUpdateTimeUnix, true);
        return new SearchResult
        {
            Properties = new PropertiesResult { NonRefProps = properties, TargetCollection = cls.Name },
            Metadata = metadata,
        };
    }

    public override Task<AggregateReply> Aggregate(AggregateRequest request, ServerCallContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var single = new AggregateReply.Types.Single();
        using (Store.Read())
        {
            var cls = GrpcRequests.Class(Store, request.Collection);
            GrpcRequests.NoTenant(cls, request.Tenant);
            if (request.SearchCase != AggregateRequest.SearchOneofCase.None)
                throw GrpcRequests.Unsupported($"Aggregate with a search ({request.SearchCase})");
            if (request.GroupBy is not null)
                throw GrpcRequests.Unsupported("Aggregate group_by");
            List<StoredObject> objects;
            try
            {
                var filter = request.Filters is null ? null : WhereFilter.Compile(cls, GrpcRequests.Filter(cls, request.Filters));
                objects = SearchEngine.Filtered(cls, filter).ToList();
            }
            catch (FilterException e)
            {
                throw GrpcRequests.Unknown(e.Message);
            }
            if (request.ObjectsCount)
                single.ObjectsCount = objects.Count;
            if (request.Aggregations.Count > 0)
            {
                single.Aggregations = new AggregateReply.Types.Aggregations();
                foreach (var aggregation in request.Aggregations)
                    single.Aggregations.Aggregations_.Add(GrpcAggregations.Compute(cls, aggregation, objects));
            }
        }
        return Task.FromResult(new AggregateReply { SingleResult = single, Took = Took(started) });
    }

    public override Task<BatchObjectsReply> BatchObjects(BatchObjectsRequest request, ServerCallContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var reply = new BatchObjectsReply();
        for (var i = 0; i < request.Objects.Count; i++)
        {
            try
            {
                var item = request.Objects[i];
                if (item.Tenant.Length > 0)
                    throw GrpcRequests.Unknown($"class {item.Collection} has multi-tenancy disabled, but request was with tenant");
                var id = item.Uuid.Length == 0 ? Guid.NewGuid()
                    : Guid.TryParse(item.Uuid, out var parsed) ? parsed
                    : throw GrpcRequests.Unknown($"invalid UUID length: {item.Uuid.Length}");
                if (item.Vectors.Any(v => v.Name is not ("" or "default")))
                    throw GrpcRequests.Unsupported("named vectors");
                var vector = GrpcRequests.Vector(item.VectorBytes, item.Vector, item.Vectors);
                Store.PutFromApi(item.Collection, id, GrpcValues.ToJson(item.Properties), vector, failIfExists: false);
            }
            catch (EmulatorStoreException e)
            {
                reply.Errors.Add(new BatchObjectsReply.Types.BatchError { Index = i, Error = e.Message });
            }
            catch (RpcException e)
            {
                reply.Errors.Add(new BatchObjectsReply.Types.BatchError { Index = i, Error = e.Status.Detail });
            }
        }
        reply.Took = Took(started);
        return Task.FromResult(reply);
    }

    public override Task<BatchDeleteReply> BatchDelete(BatchDeleteRequest request, ServerCallContext context)
    {
        var started = Stopwatch.GetTimestamp();
        string className;
        List<Guid> matches;
        using (Store.Read())
        {
            var cls = GrpcRequests.Class(Store, request.Collection);
            GrpcRequests.NoTenant(cls, request.HasTenant ? request.Tenant : null);
            if (request.Filters is null)
                throw GrpcRequests.Unknown("no filters in batch delete request");
            try
            {
                var filter = WhereFilter.Compile(cls, GrpcRequests.Filter(cls, request.Filters));
                // QUERY_MAXIMUM_RESULTS bounds one batch delete, as in Weaviate.
                matches = SearchEngine.Filtered(cls, filter).Take(ObjectSearch.QueryMaximumResults).Select(o => o.Id).ToList();
            }
            catch (FilterException e)
            {
                throw GrpcRequests.Unknown(e.Message);
            }
            className = cls.Name;
        }
        // A dry run lists the matches as successful and deletes nothing (batch_delete.go counts every object without an error).
        if (!request.DryRun)
        {
            foreach (var id in matches)
                Store.DeleteObject(className, id);
        }
        var reply = new BatchDeleteReply { Matches = matches.Count, Successful = matches.Count, Took = Took(started) };
        if (request.Verbose)
        {
            foreach (var id in matches)
                reply.Objects.Add(new BatchDeleteObject { Uuid = ByteString.CopyFrom(GrpcValues.IdBytes(id)), Successful = true, Error = "" });
        }
        return Task.FromResult(reply);
    }

    public override Task<TenantsGetReply> TenantsGet(TenantsGetRequest request, ServerCallContext context)
    {
        if (request.Collection.Length == 0)
            throw GrpcRequests.Unknown("missing collection ");
        using (Store.Read())
        {
            var cls = GrpcRequests.Class(Store, request.Collection);
            if (request.Names is { Values.Count: 0 })
                throw GrpcRequests.Unknown("must specify at least one tenant name");
            // No class of the emulator has multi-tenancy.
            throw GrpcRequests.Unknown($"get tenants: multi-tenancy is not enabled for class \"{cls.Name}\"");
        }
    }

    private static float Took(long started) => (float)Stopwatch.GetElapsedTime(started).TotalSeconds;
}

/// <summary>Conversions between the store's typed values and the protocol's.</summary>
internal static class GrpcValues
{
    /// <summary>A property value as <c>weaviate.v1.Value</c> (arrays: lists, numbers and ints packed little-endian).</summary>
    public static Value ToValue(object value) => value switch
    {
        string s => new Value { TextValue = s },
        long l => new Value { IntValue = l },
        double d => new Value { NumberValue = d },
        bool b => new Value { BoolValue = b },
        DateTimeOffset dt => new Value { DateValue = PropertyValues.FormatDate(dt) },
        Guid g => new Value { UuidValue = g.ToString("D") },
        string[] a => List(l => l.TextValues = new TextValues { Values = { a } }),
        long[] a => List(l => l.IntValues = new IntValues { Values = Packed(a, 8, (span, x) => BinaryPrimitives.WriteInt64LittleEndian(span, x)) }),
        double[] a => List(l => l.NumberValues = new NumberValues { Values = Packed(a, 8, (span, x) => BinaryPrimitives.WriteDoubleLittleEndian(span, x)) }),
        bool[] a => List(l => l.BoolValues = new BoolValues { Values = { a } }),
        DateTimeOffset[] a => List(l => l.DateValues = new DateValues { Values = { a.Select(PropertyValues.FormatDate) } }),
        Guid[] a => List(l => l.UuidValues = new UuidValues { Values = { a.Select(g => g.ToString("D")) } }),
        _ => throw new InvalidOperationException(value.GetType().Name),
    };

    private static Value List(Action<ListValue> fill)
    {
        var list = new ListValue();
        fill(list);
        return new Value { ListValue = list };
    }

    private delegate void Writer<in T>(Span<byte> span, T value);

    private static ByteString Packed<T>(T[] values, int size, Writer<T> write)
    {
        var bytes = new byte[values.Length * size];
        for (var i = 0; i < values.Length; i++)
            write(bytes.AsSpan(i * size, size), values[i]);
        return ByteString.CopyFrom(bytes);
    }

    public static ByteString VectorBytes(float[] vector)
    {
        var bytes = new byte[vector.Length * 4];
        for (var i = 0; i < vector.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4, 4), vector[i]);
        return ByteString.CopyFrom(bytes);
    }

    /// <summary>The id as Weaviate's big.Int bytes: big-endian without leading zero bytes.</summary>
    public static byte[] IdBytes(Guid id)
    {
        var bytes = id.ToByteArray(bigEndian: true);
        var first = Array.FindIndex(bytes, b => b != 0);
        return first < 0 ? [] : bytes[first..];
    }

    /// <summary>The properties of a <c>BatchObject</c> as the JSON object the store validates (the REST path's shape).</summary>
    public static JsonObject? ToJson(BatchObject.Types.Properties? properties)
    {
        if (properties is null)
            return null;
        if (properties.SingleTargetRefProps.Count > 0 || properties.MultiTargetRefProps.Count > 0)
            throw GrpcRequests.Unsupported("cross-references");
        if (properties.ObjectProperties.Count > 0 || properties.ObjectArrayProperties.Count > 0)
            throw GrpcRequests.Unsupported("object properties");
        var json = properties.NonRefProperties is null
            ? new JsonObject()
            : (JsonObject)JsonNode.Parse(JsonFormatter.Default.Format(properties.NonRefProperties))!;
        foreach (var a in properties.NumberArrayProperties)
        {
            var values = a.ValuesBytes.Length > 0
                ? Enumerable.Range(0, a.ValuesBytes.Length / 8).Select(i => BinaryPrimitives.ReadDoubleLittleEndian(a.ValuesBytes.Span.Slice(i * 8, 8)))
                : a.Values;
            json[a.PropName] = new JsonArray(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
        }
        foreach (var a in properties.IntArrayProperties)
            json[a.PropName] = new JsonArray(a.Values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
        foreach (var a in properties.TextArrayProperties)
            json[a.PropName] = new JsonArray(a.Values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
        foreach (var a in properties.BooleanArrayProperties)
            json[a.PropName] = new JsonArray(a.Values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
        foreach (var name in properties.EmptyListProps)
            json[name] = new JsonArray();
        return json;
    }
}

/// <summary>Aggregate's per-property aggregations in the protocol's shapes, computed by <see cref="Aggregation"/>.</summary>
internal static class GrpcAggregations
{
    private const int DefaultTopOccurrences = 5;

    public static AggregateReply.Types.Aggregations.Types.Aggregation Compute(ClassState cls, AggregateRequest.Types.Aggregation asked, List<StoredObject> objects)
    {
        var prop = cls.Property(asked.Property) ?? throw GrpcRequests.Unknown(
            $"no such prop with name '{asked.Property}' found in class '{cls.Name}' in the schema. " +
            "Check your schema files for which properties in this class are available");
        var values = Aggregation.Values(prop, objects);
        object? Get(bool wanted, string field) => wanted ? Aggregation.Compute(prop, values, field) : null;
        long? Count(bool wanted) => Get(wanted, "count") is int n ? n : null;
        double? Double(bool wanted, string field) => Get(wanted, field) as double?;
        long? Long(bool wanted, string field) => Get(wanted, field) is double d ? (long)d : Get(wanted, field) is int i ? i : null;
        string? Date(bool wanted, string field) => Get(wanted, field) is DateTimeOffset dt ? PropertyValues.FormatDate(dt) : null;
        string? Type(bool wanted) => wanted ? prop.DataType : null;

        var result = new AggregateReply.Types.Aggregations.Types.Aggregation { Property = prop.Name };
        switch (asked.AggregationCase)
        {
            case AggregateRequest.Types.Aggregation.AggregationOneofCase.Int:
            {
                var a = asked.Int;
                var r = new AggregateReply.Types.Aggregations.Types.Aggregation.Types.Integer();
                if (Count(a.Count) is { } count) r.Count = count;
                if (Type(a.Type) is { } type) r.Type = type;
                if (Double(a.Mean, "mean") is { } mean) r.Mean = mean;
                if (Double(a.Median, "median") is { } median) r.Median = median;
                if (Long(a.Mode, "mode") is { } mode) r.Mode = mode;
                if (Long(a.Maximum, "maximum") is { } max) r.Maximum = max;
                if (Long(a.Minimum, "minimum") is { } min) r.Minimum = min;
                if (Long(a.Sum, "sum") is { } sum) r.Sum = sum;
                result.Int = r;
                break;
            }
            case AggregateRequest.Types.Aggregation.AggregationOneofCase.Number:
            {
                var a = asked.Number;
                var r = new AggregateReply.Types.Aggregations.Types.Aggregation.Types.Number();
                if (Count(a.Count) is { } count) r.Count = count;
                if (Type(a.Type) is { } type) r.Type = type;
                if (Double(a.Mean, "mean") is { } mean) r.Mean = mean;
                if (Double(a.Median, "median") is { } median) r.Median = median;
                if (Double(a.Mode, "mode") is { } mode) r.Mode = mode;
                if (Double(a.Maximum, "maximum") is { } max) r.Maximum = max;
                if (Double(a.Minimum, "minimum") is { } min) r.Minimum = min;
                if (Double(a.Sum, "sum") is { } sum) r.Sum = sum;
                result.Number = r;
                break;
            }
            case AggregateRequest.Types.Aggregation.AggregationOneofCase.Text:
            {
                var a = asked.Text;
                var r = new AggregateReply.Types.Aggregations.Types.Aggregation.Types.Text();
                if (Count(a.Count) is { } count) r.Count = count;
                if (Type(a.Type) is { } type) r.Type = type;
                if (a.TopOccurences)
                {
                    var top = new AggregateReply.Types.Aggregations.Types.Aggregation.Types.Text.Types.TopOccurrences();
                    top.Items.Add(values.Select(v => v.ToString()!).GroupBy(v => v, StringComparer.Ordinal)
                        .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
                        .Take(a.HasTopOccurencesLimit ? (int)a.TopOccurencesLimit : DefaultTopOccurrences)
                        .Select(g => new AggregateReply.Types.Aggregations.Types.Aggregation.Types.Text.Types.TopOccurrences.Types.TopOccurrence { Value = g.Key, Occurs = g.Count() }));
                    r.TopOccurences = top;
                }
                result.Text = r;
                break;
            }
            case AggregateRequest.Types.Aggregation.AggregationOneofCase.Boolean:
            {
                var a = asked.Boolean;
                var r = new AggregateReply.Types.Aggregations.Types.Aggregation.Types.Boolean();
                if (Count(a.Count) is { } count) r.Count = count;
                if (Type(a.Type) is { } type) r.Type = type;
                if (Long(a.TotalTrue, "totalTrue") is { } totalTrue) r.TotalTrue = totalTrue;
                if (Long(a.TotalFalse, "totalFalse") is { } totalFalse) r.TotalFalse = totalFalse;
                if (Double(a.PercentageTrue, "percentageTrue") is { } percentageTrue) r.PercentageTrue = percentageTrue;
                if (Double(a.PercentageFalse, "percentageFalse") is { } percentageFalse) r.PercentageFalse = percentageFalse;
                result.Boolean = r;
                break;
            }
            case AggregateRequest.Types.Aggregation.AggregationOneofCase.Date:
            {
                var a = asked.Date;
                var r = new AggregateReply.Types.Aggregations.Types.Aggregation.Types.Date();
                if (Count(a.Count) is { } count) r.Count = count;
                if (Type(a.Type) is { } type) r.Type = type;
                if (Date(a.Median, "median") is { } median) r.Median = median;
                if (Date(a.Mode, "mode") is { } mode) r.Mode = mode;
                if (Date(a.Maximum, "maximum") is { } max) r.Maximum = max;
                if (Date(a.Minimum, "minimum") is { } min) r.Minimum = min;
                result.Date = r;
                break;
            }
            default:
                throw GrpcRequests.Unsupported($"aggregation {asked.AggregationCase}");
        }
        return result;
    }
}
