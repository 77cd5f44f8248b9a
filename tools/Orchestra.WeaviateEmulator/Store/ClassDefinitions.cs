using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Orchestra.WeaviateEmulator;

/// <summary>
/// Turns a posted class definition into the stored one, filling in the defaults Weaviate 1.39 fills in
/// (see the shared examples/schema.json), and refuses what the emulator does not support.
/// </summary>
internal static partial class ClassDefinitions
{
    public static readonly IReadOnlySet<string> Distances = new HashSet<string>(StringComparer.Ordinal)
    {
        "cosine", "dot", "l2-squared", "manhattan", "hamming",
    };

    private static readonly IReadOnlySet<string> BaseTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "text", "int", "number", "boolean", "date", "uuid",
    };

    private const string DefaultVectorIndexConfig = """
        {"bq":{"enabled":false},"cleanupIntervalSeconds":300,"distance":"cosine","dynamicEfFactor":8,
         "dynamicEfMax":500,"dynamicEfMin":100,"ef":-1,"efConstruction":128,"filterStrategy":"acorn",
         "flatSearchCutoff":40000,"maxConnections":32,
         "multivector":{"aggregation":"maxSim","enabled":false,"muvera":{"dprojections":16,"enabled":false,"ksim":4,"repetitions":10}},
         "pq":{"bitCompression":false,"centroids":256,"enabled":false,"encoder":{"distribution":"log-normal","type":"kmeans"},"segments":0,"trainingLimit":100000},
         "rq":{"bits":8,"enabled":false,"rescoreLimit":20},"skip":false,"skipDefaultQuantization":false,
         "sq":{"enabled":false,"rescoreLimit":20,"trainingLimit":100000},"trackDefaultQuantization":false,
         "vectorCacheMaxObjects":1000000000000}
        """;

    private const string DefaultInvertedIndexConfig = """
        {"bm25":{"b":0.75,"k1":1.2},"cleanupIntervalSeconds":60,
         "stopwords":{"additions":null,"preset":"en","removals":null},"usingBlockMaxWAND":true}
        """;

    [GeneratedRegex("^[A-Z][_0-9A-Za-z]{0,254}$", RegexOptions.NonBacktracking)]
    private static partial Regex ClassNamePattern();

    [GeneratedRegex("^[_A-Za-z][_0-9A-Za-z]{0,230}$", RegexOptions.NonBacktracking)]
    private static partial Regex PropertyNamePattern();

    /// <summary>Weaviate capitalises the first letter of class names it is given.</summary>
    public static string NormalizeClassName(string name) =>
        name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name[1..];

    public static ClassState Build(JsonObject input, IReadOnlyList<string> nodeNames)
    {
        var name = input["class"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "";
        if (name.Length == 0)
            throw Unprocessable("class name cannot be empty");
        name = NormalizeClassName(name);
        if (!ClassNamePattern().IsMatch(name))
            throw Unprocessable($"'{name}' is not a valid class name");

        if (input["vectorConfig"] is JsonObject named && named.Count > 0)
            throw Unprocessable("named vectors (vectorConfig) are not supported by the Weaviate emulator; use vectorIndexConfig");
        if (input["multiTenancyConfig"]?["enabled"] is JsonValue mt && mt.GetValueKind() == JsonValueKind.True)
            throw Unprocessable("multi-tenancy is not supported by the Weaviate emulator");

        var vectorizer = StringOr(input["vectorizer"], "none");
        if (vectorizer != "none")
            throw Unprocessable($"vectorizer: no module with name \"{vectorizer}\" present");

        var indexType = StringOr(input["vectorIndexType"], "hnsw");
        if (indexType is not ("hnsw" or "flat" or "dynamic"))
            throw Unprocessable($"unrecognized or unsupported vectorIndexType \"{indexType}\"");

        var vectorIndexConfig = Merge(JsonNode.Parse(DefaultVectorIndexConfig)!.AsObject(), input["vectorIndexConfig"] as JsonObject);
        var distance = StringOr(vectorIndexConfig["distance"], "cosine");
        if (!Distances.Contains(distance))
            throw Unprocessable($"invalid vectorIndexConfig: distance \"{distance}\" is not supported, use one of cosine, dot, l2-squared, manhattan, hamming");

        var invertedIndexConfig = Merge(JsonNode.Parse(DefaultInvertedIndexConfig)!.AsObject(), input["invertedIndexConfig"] as JsonObject);
        var k1 = invertedIndexConfig["bm25"]?["k1"]?.GetValue<double>() ?? 1.2;
        var b = invertedIndexConfig["bm25"]?["b"]?.GetValue<double>() ?? 0.75;
        var stopwords = new HashSet<string>(StringComparer.Ordinal);
        if (StringOr(invertedIndexConfig["stopwords"]?["preset"], "en") == "en")
            stopwords.UnionWith(Tokenizer.EnglishStopwords);
        if (invertedIndexConfig["stopwords"]?["additions"] is JsonArray additions)
            stopwords.UnionWith(additions.Select(a => a!.GetValue<string>().ToLowerInvariant()));
        if (invertedIndexConfig["stopwords"]?["removals"] is JsonArray removals)
            stopwords.ExceptWith(removals.Select(r => r!.GetValue<string>().ToLowerInvariant()));

        var replication = Merge(JsonNode.Parse("""{"asyncEnabled":false,"deletionStrategy":"TimeBasedResolution","factor":1}""")!.AsObject(),
            input["replicationConfig"] as JsonObject);
        if (replication["factor"]?.GetValue<int>() is not 1)
            throw Unprocessable("replication is not supported by the Weaviate emulator: replicationConfig.factor must be 1");

        var desired = input["shardingConfig"]?["desiredCount"] is JsonValue dc && dc.TryGetValue<int>(out var count) ? count : nodeNames.Count;
        if (desired is < 1 or > 64)
            throw Unprocessable($"shardingConfig.desiredCount must be between 1 and 64, got {desired}");
        var sharding = new JsonObject
        {
            ["actualCount"] = desired,
            ["actualVirtualCount"] = 128 * desired,
            ["desiredCount"] = desired,
            ["desiredVirtualCount"] = 128 * desired,
            ["function"] = "murmur3",
            ["key"] = "_id",
            ["strategy"] = "hash",
            ["virtualPerPhysical"] = 128,
        };

        var (properties, propertiesJson) = BuildProperties(name, input["properties"]);

        var definition = new JsonObject { ["class"] = name };
        if (input["description"] is JsonValue description)
            definition["description"] = description.DeepClone();
        definition["invertedIndexConfig"] = invertedIndexConfig;
        if (input["moduleConfig"] is JsonObject moduleConfig)
            definition["moduleConfig"] = moduleConfig.DeepClone();
        definition["multiTenancyConfig"] = new JsonObject { ["autoTenantActivation"] = false, ["autoTenantCreation"] = false, ["enabled"] = false };
        definition["properties"] = propertiesJson;
        definition["replicationConfig"] = replication;
        definition["shardingConfig"] = sharding;
        definition["vectorIndexConfig"] = vectorIndexConfig;
        definition["vectorIndexType"] = indexType;
        definition["vectorizer"] = vectorizer;

        var shards = Enumerable.Range(0, desired)
            .Select(i => new ShardState { Name = ShardName(name, i), Node = nodeNames[i % nodeNames.Count] })
            .ToArray();

        return new ClassState
        {
            Name = name,
            Definition = SortKeys(definition),
            Distance = distance,
            Vectorizer = vectorizer,
            Properties = properties,
            Shards = shards,
            Bm25K1 = k1,
            Bm25B = b,
            Stopwords = stopwords,
        };
    }

    private static (List<PropertyDef>, JsonArray) BuildProperties(string className, JsonNode? input)
    {
        var defs = new List<PropertyDef>();
        var json = new JsonArray();
        if (input is null)
            return (defs, json);
        if (input is not JsonArray array)
            throw Unprocessable("properties must be an array");
        foreach (var node in array)
        {
            if (node is not JsonObject p)
                throw Unprocessable("each property must be an object");
            var name = StringOr(p["name"], "");
            if (!PropertyNamePattern().IsMatch(name))
                throw Unprocessable($"'{name}' is not a valid property name. Property names in Weaviate are restricted to valid GraphQL names, which must be \"/[_A-Za-z][_0-9A-Za-z]{{0,230}}/\".");
            if (name is "id" or "_id" or "_additional")
                throw Unprocessable($"'{name}' is a reserved property name");
            if (defs.Any(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase)))
                throw Unprocessable($"class \"{className}\": conflict for property \"{name}\": already in use or provided multiple times");
            if (p["dataType"] is not JsonArray { Count: 1 } dataTypes || dataTypes[0]?.GetValueKind() != JsonValueKind.String)
                throw Unprocessable($"property '{name}': dataType must be an array with exactly one type");
            var dataType = dataTypes[0]!.GetValue<string>();
            var isArray = dataType.EndsWith("[]", StringComparison.Ordinal);
            var baseType = isArray ? dataType[..^2] : dataType;
            if (!BaseTypes.Contains(baseType))
                throw Unprocessable($"property '{name}': data type \"{dataType}\" is not supported by the Weaviate emulator (supported: text, int, number, boolean, date, uuid and their [] forms)");
            var isText = baseType == "text";
            var tokenization = p["tokenization"] is JsonValue t ? t.GetValue<string>() : null;
            if (tokenization is not null && !isText)
                throw Unprocessable($"tokenization is not allowed for data type '{dataType}'");
            if (isText)
            {
                tokenization ??= "word";
                if (!Tokenizer.Supported.Contains(tokenization))
                    throw Unprocessable($"tokenization '{tokenization}' is not supported by the Weaviate emulator");
            }
            var filterable = BoolOr(p["indexFilterable"], true);
            var searchable = BoolOr(p["indexSearchable"], isText);
            if (searchable && !isText)
                throw Unprocessable($"`indexSearchable` is allowed only for text/text[] data types. For other data types set false or leave empty");
            var rangeFilters = BoolOr(p["indexRangeFilters"], false);

            var prop = new JsonObject { ["dataType"] = new JsonArray(dataType) };
            if (p["description"] is JsonValue description)
                prop["description"] = description.DeepClone();
            prop["indexFilterable"] = filterable;
            prop["indexRangeFilters"] = rangeFilters;
            prop["indexSearchable"] = searchable;
            if (p["moduleConfig"] is JsonObject moduleConfig)
                prop["moduleConfig"] = moduleConfig.DeepClone();
            prop["name"] = name;
            if (tokenization is not null)
                prop["tokenization"] = tokenization;
            json.Add(prop);
            defs.Add(new PropertyDef(name, dataType, baseType, isArray, tokenization, searchable, filterable));
        }
        return (defs, json);
    }

    /// <summary>A 12-character shard name like Weaviate's random ones, but derived from the class name so runs repeat.</summary>
    public static string ShardName(string className, int index)
    {
        const string alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        var hash = 14695981039346656037UL;
        foreach (var c in $"{className}/{index}")
        {
            hash ^= c;
            hash *= 1099511628211UL;
        }
        var chars = new char[12];
        for (var i = 0; i < chars.Length; i++)
        {
            hash = hash * 6364136223846793005UL + 1442695040888963407UL;
            chars[i] = alphabet[(int)((hash >> 33) % (ulong)alphabet.Length)];
        }
        return new string(chars);
    }

    private static JsonObject Merge(JsonObject defaults, JsonObject? overrides)
    {
        if (overrides is null)
            return defaults;
        foreach (var (key, value) in overrides)
        {
            if (value is JsonObject child && defaults[key] is JsonObject existing)
                Merge(existing, child);
            else
                defaults[key] = value?.DeepClone();
        }
        return defaults;
    }

    public static JsonObject SortKeys(JsonObject obj)
    {
        var sorted = new JsonObject();
        foreach (var key in obj.Select(p => p.Key).OrderBy(k => k, StringComparer.Ordinal).ToList())
        {
            var value = obj[key];
            obj.Remove(key);
            sorted[key] = value is JsonObject child ? SortKeys(child) : value;
        }
        return sorted;
    }

    private static string StringOr(JsonNode? node, string fallback) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : fallback;

    private static bool BoolOr(JsonNode? node, bool fallback) =>
        node is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? v.GetValue<bool>() : fallback;

    private static EmulatorStoreException Unprocessable(string message) => new(422, message);
}
