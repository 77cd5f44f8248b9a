namespace Orchestra.WeaviateEmulator;

/// <summary>The distance / certainty arguments of nearVector and nearObject, with the vector or the object's id.</summary>
internal sealed class NearArgs
{
    public float[]? Vector;
    public string? ObjectId;
    public double? Distance;
    public double Certainty;
}

/// <summary>A Get query as GraphQL's <c>Get</c> and gRPC's <c>Search</c> both express it (one search at most).</summary>
internal sealed class ObjectQuery
{
    public required ClassState Class;
    public WhereClause? Where;
    public long? Limit;
    public long Offset;
    public string? After;
    public List<(string Property, bool Descending)>? Sort;
    public NearArgs? NearVector;
    public NearArgs? NearObject;
    public (string Query, List<string>? Properties)? Bm25;
    public (string Query, double Alpha, float[]? Vector, string Fusion, List<string>? Properties)? Hybrid;
    /// <summary>Certainty is asked for as a result field: an error on a class whose distance is not cosine.</summary>
    public bool CertaintyRequired;
}

/// <summary>Runs <see cref="ObjectQuery"/>s over the store with <see cref="SearchEngine"/>. Call under the store's read lock.</summary>
internal static class ObjectSearch
{
    public const int QueryMaximumResults = GraphQLExecutor.MaximumResults;

    /// <summary>Runs a Get query: the one search, its paging and its validation, for GraphQL and gRPC alike.</summary>
    /// <param name="defaultLimit">The API's default limit when the query sets none (GraphQL 100, gRPC 10).</param>
    public static List<Hit> Run(EmulatorStore store, ObjectQuery plan, long defaultLimit)
    {
        var cls = plan.Class;
        var searches = new[] { plan.NearVector is not null, plan.NearObject is not null, plan.Bm25 is not null, plan.Hybrid is not null }.Count(x => x);
        if (searches > 1)
            throw new SearchException(plan.Bm25 is not null && (plan.NearVector is not null || plan.NearObject is not null)
                ? "conflict: both near<Media> and keyword-based (bm25) arguments present, choose one"
                : "conflict: only one of nearVector, nearObject, bm25 and hybrid can be used in one query");

        var near = plan.NearVector ?? plan.NearObject;
        if ((plan.CertaintyRequired || near is { Certainty: not 0 }) && cls.Distance != "cosine")
            throw new SearchException($"can't compute and return certainty when vector index is configured with {cls.Distance} distance");
        if (near is { Distance: not null, Certainty: not 0 })
            throw new SearchException("cannot provide distance and certainty");

        if (plan.After is not null)
        {
            // entities/filters/cursor_validator.go and the explorer's validateCursor, in that order.
            const string prefix = "cursor api: invalid 'after' parameter: ";
            if (searches > 0)
                throw new SearchException(prefix + "other params cannot be set with after and limit parameters");
            var conflicts = new List<string>();
            if (plan.Offset > 0) conflicts.Add("offset");
            if (plan.Sort is not null) conflicts.Add("sort");
            if (plan.Where is not null) conflicts.Add("where");
            if (conflicts.Count > 0)
                throw new SearchException(prefix + string.Join(",", conflicts) + " cannot be set with after and limit parameters");
            if (plan.After.Length > 0 && !Guid.TryParse(plan.After, out _))
                throw new SearchException(prefix + $"after parameter '{plan.After}' is not a valid uuid");
            if (plan.Limit is null)
                throw new SearchException(prefix + "limit parameter must be set");
        }

        var filter = plan.Where is null ? null : WhereFilter.Compile(cls, plan.Where);
        var hasThreshold = near is not null && (near.Distance is not null || near.Certainty != 0);
        var limit = plan.Limit ?? (hasThreshold ? QueryMaximumResults : defaultLimit);
        if (limit < 0 || plan.Offset < 0 || plan.Offset + limit > QueryMaximumResults)
            throw new SearchException(
                $"query maximum results exceeded: the total limit calculated from the provided offset '{plan.Offset}' and limit '{limit}' " +
                $"exceeds the configured value for QUERY_MAXIMUM_RESULTS '{QueryMaximumResults}'. " +
                "If you've supplied a negative offset or limit, this may be an underflow error");

        IEnumerable<Hit> hits;
        if (plan.NearObject is { } nearObject)
        {
            var vector = FindVector(store, cls, nearObject.ObjectId);
            hits = NearVector(cls, vector, nearObject, filter);
        }
        else if (plan.NearVector is { } nearVector)
            hits = NearVector(cls, nearVector.Vector!, nearVector, filter);
        else if (plan.Bm25 is { } bm25)
        {
            if (bm25.Query.Length == 0)
                throw new SearchException("keyword search (bm25) must have query set");
            hits = SearchEngine.Bm25(cls, bm25.Query, SearchEngine.ResolveProperties(cls, bm25.Properties), filter);
        }
        else if (plan.Hybrid is { } hybrid)
        {
            if (hybrid.Alpha is < 0 or > 1)
                throw new SearchException($"alpha should be between 0.0 and 1.0, got {hybrid.Alpha}");
            hits = SearchEngine.Hybrid(cls, hybrid.Query, hybrid.Alpha, hybrid.Vector, hybrid.Fusion,
                SearchEngine.ResolveProperties(cls, hybrid.Properties), filter, (int)Math.Max(GraphQLExecutor.DefaultLimit, plan.Offset + limit));
        }
        else if (plan.After is not null)
        {
            var after = plan.After.Length == 0 ? "" : Guid.Parse(plan.After).ToString("D");
            hits = cls.ById.Where(o => string.CompareOrdinal(o.IdString, after) > 0).Select(o => new Hit(o));
        }
        else
        {
            // Weaviate lists a plain Get from its objects bucket (UUID order) and a filtered one from the
            // inverted index's allow list (doc id = insertion order).
            IEnumerable<StoredObject> objects = SearchEngine.Filtered(cls, filter, byId: filter is null);
            if (plan.Sort is { } sort)
                objects = Sort(cls, objects, sort);
            hits = objects.Select(o => new Hit(o));
        }
        return hits.Skip((int)plan.Offset).Take((int)limit).ToList();
    }

    private static IEnumerable<Hit> NearVector(ClassState cls, float[] vector, NearArgs near, Func<StoredObject, bool>? filter)
    {
        float? maxDistance = near.Distance is { } d ? (float)d
            : near.Certainty != 0 ? VectorMath.DistanceFromCertainty(near.Certainty)
            : null;
        return SearchEngine.NearVector(cls, vector, filter, maxDistance);
    }

    private static float[] FindVector(EmulatorStore store, ClassState cls, string? id)
    {
        if (id is null || !Guid.TryParse(id, out var guid))
            throw new SearchException($"nearObject params: invalid id '{id}'");
        StoredObject? found = null;
        if (!cls.Objects.TryGetValue(guid, out found))
            found = store.AllClasses.Select(c => c.Objects.GetValueOrDefault(guid)).FirstOrDefault(o => o is not null);
        if (found is null)
            throw new SearchException($"explorer: get class: vectorize params: nearObject params: vector not found: object with id '{guid:D}' does not exist");
        return found.Vector ?? throw new SearchException($"nearObject params: object with id '{guid:D}' has no vector");
    }

    private static IEnumerable<StoredObject> Sort(ClassState cls, IEnumerable<StoredObject> objects, List<(string Property, bool Descending)> sort)
    {
        IOrderedEnumerable<StoredObject>? ordered = null;
        foreach (var (property, descending) in sort)
        {
            Func<StoredObject, IComparable?> key = property switch
            {
                "_id" or "id" => o => o.IdString,
                "_creationTimeUnix" => o => o.CreationTimeUnix,
                "_lastUpdateTimeUnix" => o => o.LastUpdateTimeUnix,
                _ when cls.Property(property) is { IsArray: false } => o => o.Values.GetValueOrDefault(property) as IComparable,
                _ => throw new SearchException($"invalid 'sort' parameter: sort parameter at position 0: no such prop with name '{property}' found in class '{cls.Name}' in the schema. Check your schema files for which properties in this class are available"),
            };
            var comparer = Comparer<IComparable?>.Create((a, b) => a is null ? (b is null ? 0 : -1) : b is null ? 1 : a.CompareTo(b));
            ordered = ordered is null
                ? descending ? objects.OrderByDescending(key, comparer) : objects.OrderBy(key, comparer)
                : descending ? ordered.ThenByDescending(key, comparer) : ordered.ThenBy(key, comparer);
        }
        return ordered ?? objects;
    }
}
