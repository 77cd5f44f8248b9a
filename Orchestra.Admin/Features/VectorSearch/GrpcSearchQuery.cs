using System.Text.Json.Nodes;
using Google.Protobuf;
using Orchestra.Admin.Data.Weaviate;
using V1 = Weaviate.V1;

namespace Orchestra.Admin.Features.VectorSearch;

/// <summary>
/// Writes an ad hoc search as Weaviate's gRPC <c>SearchRequest</c> (pure: no I/O), from the input
/// <see cref="SearchChecks"/> checked against the class's schema, as the current official clients send it: vectors as
/// packed little-endian float32 bytes in <c>vectors</c>, filters on <c>target.property</c>, <c>uses_127_api</c>.
/// </summary>
public static class GrpcSearchQuery
{
    public static V1.SearchRequest Build(SearchRequest request, WeaviateClass? cls, ClassSearchInfo info) => Write(SearchChecks.Check(request, cls, info));

    public static V1.SearchRequest Write(CheckedSearch search)
    {
        var near = search.Mode is SearchMode.NearVector or SearchMode.NearObject or SearchMode.NearText;
        var sent = new V1.SearchRequest
        {
            Collection = search.ClassName,
            Limit = (uint)search.Limit,
            Uses127Api = true,
            Properties = new V1.PropertiesRequest { NonRefProperties = { search.Properties } },
            Metadata = new V1.MetadataRequest
            {
                Uuid = true,
                Distance = near,
                Certainty = near && search.Cosine,
                Score = !near,
            },
        };
        switch (search.Mode)
        {
            case SearchMode.NearVector:
                sent.NearVector = new V1.NearVector { Vectors = { Vectors(search.Vector!) } };
                if (search.Distance is { } d) sent.NearVector.Distance = d;
                if (search.Certainty is { } c) sent.NearVector.Certainty = c;
                break;
            case SearchMode.NearObject:
                sent.NearObject = new V1.NearObject { Id = search.ObjectId!.Value.ToString("D") };
                if (search.Distance is { } od) sent.NearObject.Distance = od;
                if (search.Certainty is { } oc) sent.NearObject.Certainty = oc;
                break;
            case SearchMode.NearText:
                sent.NearText = new V1.NearTextSearch { Query = { search.Text! } };
                if (search.Distance is { } td) sent.NearText.Distance = td;
                if (search.Certainty is { } tc) sent.NearText.Certainty = tc;
                break;
            case SearchMode.Bm25:
                sent.Bm25Search = new V1.BM25 { Query = search.Text! };
                break;
            case SearchMode.Hybrid:
                sent.HybridSearch = new V1.Hybrid
                {
                    Query = search.Text!,
                    AlphaParam = (float)search.Alpha,
                    UseAlphaParam = true,
                    FusionType = search.Fusion == HybridFusion.RankedFusion ? V1.Hybrid.Types.FusionType.Ranked : V1.Hybrid.Types.FusionType.RelativeScore,
                };
                if (search.Vector != null) sent.HybridSearch.Vectors.Add(Vectors(search.Vector));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(search), search.Mode, "not a gRPC search mode");
        }
        if (Filters(search.Conditions) is { } filters) sent.Filters = filters;
        return sent;
    }

    /// <summary>One vector as the current clients send it: float32 values, little-endian, packed.</summary>
    public static V1.Vectors Vectors(float[] vector)
    {
        var bytes = new byte[vector.Length * sizeof(float)];
        for (var i = 0; i < vector.Length; i++)
            System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), vector[i]);
        return new V1.Vectors { VectorBytes = ByteString.CopyFrom(bytes), Type = V1.Vectors.Types.VectorType.SingleFp32 };
    }

    private static V1.Filters? Filters(IReadOnlyList<CheckedCondition> conditions)
    {
        if (conditions.Count == 0) return null;
        if (conditions.Count == 1) return Condition(conditions[0]);
        var and = new V1.Filters { Operator = V1.Filters.Types.Operator.And };
        and.Filters_.Add(conditions.Select(Condition));
        return and;
    }

    private static V1.Filters Condition(CheckedCondition condition)
    {
        var filter = new V1.Filters
        {
            Operator = condition.Operator switch
            {
                FilterOperator.Equal => V1.Filters.Types.Operator.Equal,
                FilterOperator.NotEqual => V1.Filters.Types.Operator.NotEqual,
                FilterOperator.GreaterThan => V1.Filters.Types.Operator.GreaterThan,
                FilterOperator.GreaterThanEqual => V1.Filters.Types.Operator.GreaterThanEqual,
                FilterOperator.LessThan => V1.Filters.Types.Operator.LessThan,
                FilterOperator.LessThanEqual => V1.Filters.Types.Operator.LessThanEqual,
                FilterOperator.Like => V1.Filters.Types.Operator.Like,
                FilterOperator.ContainsAny => V1.Filters.Types.Operator.ContainsAny,
                _ => throw new ArgumentOutOfRangeException(nameof(condition), condition.Operator, "no gRPC operator"),
            },
            Target = new V1.FilterTarget { Property = condition.Property },
        };
        if (condition.Operator != FilterOperator.ContainsAny)
        {
            switch (condition.Values[0])
            {
                case string text: filter.ValueText = text; break;
                case long integer: filter.ValueInt = integer; break;
                case double number: filter.ValueNumber = number; break;
                case bool flag: filter.ValueBoolean = flag; break;
                case DateTimeOffset date: filter.ValueText = SearchChecks.FormatRfc3339(date); break; // dates travel as RFC 3339 text
            }
            return filter;
        }
        switch (condition.Type)
        {
            case "int": filter.ValueIntArray = new V1.IntArray { Values = { condition.Values.Cast<long>() } }; break;
            case "number": filter.ValueNumberArray = new V1.NumberArray { Values = { condition.Values.Cast<double>() } }; break;
            case "boolean": filter.ValueBooleanArray = new V1.BooleanArray { Values = { condition.Values.Cast<bool>() } }; break;
            default:
                filter.ValueTextArray = new V1.TextArray { Values = { condition.Values.Select(v => v is DateTimeOffset date ? SearchChecks.FormatRfc3339(date) : (string)v) } };
                break;
        }
        return filter;
    }

    /// <summary>The request as shown: protobuf's JSON form, each vector folded to "[N numbers]" (the copy button gives it in full).</summary>
    public static string Show(V1.SearchRequest request, bool foldVectors = true)
    {
        var json = JsonNode.Parse(new JsonFormatter(JsonFormatter.Settings.Default.WithIndentation()).Format(request))!;
        if (foldVectors) Fold(json);
        return json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    private static void Fold(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj.ToList())
                {
                    if (name == "vectorBytes" && value is JsonValue bytes && bytes.TryGetValue<string>(out var base64))
                        obj[name] = $"[{(base64.Length / 4 * 3 - base64.Count(ch => ch == '=')) / sizeof(float)} numbers]";
                    else Fold(value);
                }
                break;
            case JsonArray array:
                foreach (var item in array) Fold(item);
                break;
        }
    }

    /// <summary>The hits of a reply, ranked as Weaviate sent them, with the properties as JSON (as GraphQL gives them).</summary>
    public static IReadOnlyList<SearchHit> ReadHits(V1.SearchReply reply)
    {
        var hits = new List<SearchHit>(reply.Results.Count);
        foreach (var result in reply.Results)
        {
            var meta = result.Metadata;
            if (meta == null || !Guid.TryParse(meta.Id, out var id))
                throw WeaviateException.Malformed("gRPC weaviate.v1.Weaviate/Search", $"result {hits.Count + 1} has no metadata.id");
            hits.Add(new SearchHit(hits.Count + 1, id,
                meta.DistancePresent ? meta.Distance : null,
                meta.CertaintyPresent ? meta.Certainty : null,
                meta.ScorePresent ? meta.Score : null,
                Properties(result.Properties?.NonRefProps)));
        }
        return hits;
    }

    private static JsonObject Properties(V1.Properties? properties)
    {
        var json = new JsonObject();
        if (properties == null) return json;
        foreach (var (name, value) in properties.Fields.OrderBy(f => f.Key, StringComparer.Ordinal)) json[name] = Node(value);
        return json;
    }

    private static JsonNode? Node(V1.Value value) => value.KindCase switch
    {
        V1.Value.KindOneofCase.TextValue => value.TextValue,
        V1.Value.KindOneofCase.NumberValue => value.NumberValue,
        V1.Value.KindOneofCase.IntValue => value.IntValue,
        V1.Value.KindOneofCase.BoolValue => value.BoolValue,
        V1.Value.KindOneofCase.DateValue => value.DateValue,
        V1.Value.KindOneofCase.UuidValue => value.UuidValue,
        V1.Value.KindOneofCase.BlobValue => value.BlobValue,
        V1.Value.KindOneofCase.ObjectValue => Properties(value.ObjectValue),
        V1.Value.KindOneofCase.ListValue => List(value.ListValue),
        V1.Value.KindOneofCase.GeoValue => new JsonObject { ["latitude"] = value.GeoValue.Latitude, ["longitude"] = value.GeoValue.Longitude },
        V1.Value.KindOneofCase.PhoneValue => new JsonObject { ["input"] = value.PhoneValue.Input, ["internationalFormatted"] = value.PhoneValue.InternationalFormatted },
        _ => null,
    };

    private static JsonArray List(V1.ListValue list) => list.KindCase switch
    {
        V1.ListValue.KindOneofCase.TextValues => new JsonArray([.. list.TextValues.Values.Select(v => (JsonNode?)v)]),
        V1.ListValue.KindOneofCase.DateValues => new JsonArray([.. list.DateValues.Values.Select(v => (JsonNode?)v)]),
        V1.ListValue.KindOneofCase.UuidValues => new JsonArray([.. list.UuidValues.Values.Select(v => (JsonNode?)v)]),
        V1.ListValue.KindOneofCase.BoolValues => new JsonArray([.. list.BoolValues.Values.Select(v => (JsonNode?)v)]),
        V1.ListValue.KindOneofCase.NumberValues => new JsonArray([.. Packed(list.NumberValues.Values).Select(v => (JsonNode?)BitConverter.Int64BitsToDouble(v))]),
        V1.ListValue.KindOneofCase.IntValues => new JsonArray([.. Packed(list.IntValues.Values).Select(v => (JsonNode?)v)]),
        V1.ListValue.KindOneofCase.ObjectValues => new JsonArray([.. list.ObjectValues.Values.Select(v => (JsonNode?)Properties(v))]),
        _ => [],
    };

    /// <summary>8-byte little-endian values, as Weaviate packs number and int arrays.</summary>
    private static IEnumerable<long> Packed(ByteString bytes)
    {
        var span = bytes.ToByteArray();
        for (var i = 0; i + 8 <= span.Length; i += 8)
            yield return System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(span.AsSpan(i));
    }
}
