using System.Globalization;

namespace Orchestra.WeaviateEmulator;

/// <summary>One search result: the object and what the search computed for it.</summary>
internal sealed record Hit(StoredObject Object, float? Distance = null, double? Score = null, string? ExplainScore = null);

/// <summary>A resolver-level search error (GraphQL: HTTP 200 with an errors entry).</summary>
internal sealed class SearchException(string message) : Exception(message);

/// <summary>Brute-force vector search, bm25 and hybrid fusion over one class. Call under the store's read lock.</summary>
internal static class SearchEngine
{
    public static IEnumerable<StoredObject> Filtered(ClassState cls, Func<StoredObject, bool>? filter, bool byId = false)
    {
        var all = byId ? cls.ById : cls.ByDocId;
        return filter is null ? all : all.Where(filter);
    }

    /// <summary>All objects with a vector, by ascending distance (ties by insertion order).</summary>
    public static List<Hit> NearVector(ClassState cls, float[] query, Func<StoredObject, bool>? filter, float? maxDistance)
    {
        if (cls.Dimensions is { } dims && dims != query.Length)
            throw new SearchException(
                $"explorer: get class: vector search: object vector search at index {cls.Name.ToLowerInvariant()}: " +
                $"shard {cls.Shards[0].Name}: vector search: knn search: distance between entrypoint and query node: " +
                $"vector lengths don't match: {dims} vs {query.Length}");
        var queryNorm = VectorMath.Dot(query, query);
        var hits = new List<Hit>();
        foreach (var o in Filtered(cls, filter))
        {
            if (o.Vector is null)
                continue;
            var d = VectorMath.Distance(cls.Distance, o.Vector, o.NormSquared, query, queryNorm);
            if (maxDistance is { } max && d > max)
                continue;
            hits.Add(new Hit(o, Distance: d));
        }
        hits.Sort((a, b) => a.Distance!.Value != b.Distance!.Value
            ? a.Distance.Value.CompareTo(b.Distance.Value)
            : a.Object.DocId.CompareTo(b.Object.DocId));
        return hits;
    }

    /// <summary>Properties bm25 searches by default: every text property with indexSearchable.</summary>
    public static List<(PropertyDef Property, double Boost)> SearchableProperties(ClassState cls) =>
        cls.Properties.Where(p => p.IsText && p.IndexSearchable).Select(p => (p, 1.0)).ToList();

    /// <summary>Parses bm25/hybrid "properties": names, optionally boosted as "name^2".</summary>
    public static List<(PropertyDef Property, double Boost)> ResolveProperties(ClassState cls, IReadOnlyList<string>? names)
    {
        if (names is null || names.Count == 0)
            return SearchableProperties(cls);
        var result = new List<(PropertyDef, double)>();
        foreach (var raw in names)
        {
            var parts = raw.Split('^', 2);
            var boost = 1.0;
            if (parts.Length == 2 && !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out boost))
                throw new SearchException($"invalid property boost in \"{raw}\"");
            var prop = cls.Property(parts[0])
                ?? throw new SearchException($"property '{parts[0]}' not found in class '{cls.Name}'");
            if (!prop.IsText || !prop.IndexSearchable)
                throw new SearchException($"property '{prop.Name}' is not searchable: bm25 needs a text property with indexSearchable");
            result.Add((prop, boost));
        }
        return result;
    }

    /// <summary>
    /// BM25 as Weaviate's BlockMax WAND scorer (adapters/repos/db/inverted/bm25_searcher_block.go, lsmkv's
    /// SegmentBlockMax.Score) computes it, one property at a time, the properties' scores summed:
    /// score_p(d) = Σ_t idf(t) · tf/(tf + k1·(1 − b + b·len_p(d)/avg_p)) · boost_p, with no (k1+1) factor;
    /// avg_p the mean length of p over the objects that have it; idf(t) = ln(1 + (N − n + ½)/(n + ½)) times the
    /// number of times t occurs in the query, N every object of the class, n the mean (integer division) over the
    /// searched properties of the same tokenization that contain t of how many objects contain it — counted
    /// before the filter. Query stopwords are dropped for word tokenization only. tf is computed in float32 as Weaviate does.
    /// </summary>
    public static List<Hit> Bm25(ClassState cls, string query, IReadOnlyList<(PropertyDef Property, double Boost)> properties,
        Func<StoredObject, bool>? filter)
    {
        var all = cls.ByDocId;
        double n = all.Length;
        var k1 = (float)cls.Bm25K1;
        var b = (float)cls.Bm25B;
        var scores = new Dictionary<StoredObject, (double Score, List<string> Explain)>();
        foreach (var group in properties.GroupBy(p => p.Property.Tokenization ?? "word"))
        {
            var terms = QueryTerms(cls, group.Key, query);
            if (terms.Count == 0)
                continue;
            var idf = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var (term, count) in terms)
            {
                var perProperty = group
                    .Select(p => all.Count(o => o.Terms.TryGetValue(p.Property.Name, out var t) && t.Frequencies.ContainsKey(term)))
                    .Where(df => df > 0)
                    .ToList();
                if (perProperty.Count == 0)
                    continue;
                var containing = (double)(perProperty.Sum() / perProperty.Count);
                idf[term] = Math.Log(1 + (n - containing + 0.5) / (containing + 0.5)) * count;
            }
            foreach (var (prop, boost) in group)
            {
                var lengths = all.Where(o => o.Terms.ContainsKey(prop.Name)).Select(o => o.Terms[prop.Name].Length).ToList();
                var avgLength = lengths.Count == 0 ? 0f : (float)lengths.Sum() / lengths.Count;
                foreach (var o in filter is null ? all : all.Where(filter))
                {
                    if (!o.Terms.TryGetValue(prop.Name, out var t))
                        continue;
                    foreach (var (term, _) in terms)
                    {
                        if (!idf.TryGetValue(term, out var termIdf) || !t.Frequencies.TryGetValue(term, out var frequency))
                            continue;
                        float tf = frequency;
                        var normalized = tf / (tf + k1 * (1 - b + b * (t.Length / avgLength)));
                        if (!scores.TryGetValue(o, out var entry))
                            entry = (0, []);
                        entry.Explain.Add($"BM25F_{term}_frequency:{frequency}, BM25F_{term}_propLength:{t.Length}");
                        scores[o] = (entry.Score + normalized * termIdf * boost, entry.Explain);
                    }
                }
            }
        }
        var hits = scores
            .Where(kv => kv.Value.Score > 0)
            .Select(kv => new Hit(kv.Key, Score: (float)kv.Value.Score, ExplainScore: ", " + string.Join(", ", kv.Value.Explain)))
            .ToList();
        hits.Sort((x, y) => x.Score!.Value != y.Score!.Value
            ? y.Score.Value.CompareTo(x.Score.Value)
            : x.Object.DocId.CompareTo(y.Object.DocId));
        return hits;
    }

    /// <summary>The query's terms for one tokenization, each with how often it occurs (Weaviate's duplicate boost).</summary>
    private static List<(string Term, int Count)> QueryTerms(ClassState cls, string tokenization, string query)
    {
        var tokens = Tokenizer.Tokenize(tokenization, query);
        if (tokenization == "word")
            tokens = tokens.Where(t => !cls.Stopwords.Contains(t)).ToList();
        return tokens.GroupBy(t => t, StringComparer.Ordinal).Select(g => (g.Key, g.Count())).ToList();
    }

    /// <summary>
    /// Hybrid: a vector search weighted alpha and a bm25 search weighted 1 − alpha, each cut to
    /// <paramref name="candidates"/> results, fused by rank (Σ w/(rank+60)) or by relative score
    /// (each list min-max normalised to [0,1], a list whose scores are all equal scores 1). A part whose
    /// weight is 0 is not run, as in Weaviate.
    /// </summary>
    public static List<Hit> Hybrid(ClassState cls, string query, double alpha, float[]? vector, string fusionType,
        IReadOnlyList<(PropertyDef Property, double Boost)> properties, Func<StoredObject, bool>? filter, int candidates)
    {
        var lists = new List<(string Name, double Weight, List<Hit> Hits, bool Ascending)>();
        if (alpha > 0)
        {
            if (vector is null)
                throw new SearchException(
                    $"hybrid search with alpha > 0 needs a vector: class \"{cls.Name}\" has vectorizer \"{cls.Vectorizer}\", so pass hybrid.vector (or alpha: 0)");
            lists.Add(("vector", alpha, NearVector(cls, vector, filter, null).Take(candidates).ToList(), true));
        }
        if (alpha < 1)
            lists.Add(("keyword", 1 - alpha, Bm25(cls, query, properties, filter).Take(candidates).ToList(), false));

        var fused = new Dictionary<StoredObject, (double Score, List<string> Explain)>();
        foreach (var (name, weight, hits, ascending) in lists)
        {
            double Raw(Hit h) => ascending ? -h.Distance!.Value : h.Score!.Value;
            var max = hits.Count == 0 ? 0 : hits.Max(Raw);
            var min = hits.Count == 0 ? 0 : hits.Min(Raw);
            for (var rank = 0; rank < hits.Count; rank++)
            {
                var hit = hits[rank];
                double contribution;
                string explain;
                if (fusionType == "rankedFusion")
                {
                    contribution = weight / (rank + 60);
                    explain = $"(Result Set {name}) Document {hit.Object.IdString} contributed {Format(contribution)} to the score";
                }
                else
                {
                    var normalized = max == min ? 1 : (Raw(hit) - min) / (max - min);
                    contribution = weight * normalized;
                    explain = $"(Result Set {name}) Document {hit.Object.IdString}: original score {Format(Raw(hit))}, normalized score: {Format(normalized)}";
                }
                if (!fused.TryGetValue(hit.Object, out var entry))
                    entry = (0, []);
                entry.Explain.Add(explain);
                fused[hit.Object] = (entry.Score + contribution, entry.Explain);
            }
        }
        var result = fused
            .Select(kv => new Hit(kv.Key, Score: (float)kv.Value.Score, ExplainScore: string.Join("\n", kv.Value.Explain)))
            .ToList();
        result.Sort((a, b) => a.Score!.Value != b.Score!.Value
            ? b.Score.Value.CompareTo(a.Score.Value)
            : a.Object.DocId.CompareTo(b.Object.DocId));
        return result;
    }

    /// <summary>modules' VectorFromSearchParam: the emulator has no vectorizer modules, so every search that needs one is refused so.</summary>
    public static string NoVectorizerMessage(ClassState cls, string searchType) =>
        $"explorer: get class: vectorize params: could not vectorize input for collection {cls.Name} with search-type {searchType}. " +
        "Make sure a vectorizer module is configured for this collection";

    /// <summary>A float32 the way Go's strconv.FormatFloat(x, 'f', -1, 32) writes it (no exponent).</summary>
    public static string Format(double value)
    {
        var f = (float)value;
        var text = f.ToString("R", CultureInfo.InvariantCulture);
        if (text.Contains('E'))
            text = ((decimal)f).ToString(CultureInfo.InvariantCulture);
        return text;
    }
}
