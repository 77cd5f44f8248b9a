namespace Orchestra.Admin.Features.Demo;

/// <summary>
/// A second cache table of the same shape, <c>public.orchestra_embeddings_cache</c>: embeddings of texts keyed by
/// model and text hash, kept for 30 days (5 % expired). The vectors make its rows much wider than the default cache's.
/// </summary>
public sealed class EmbeddingCacheGenerator(int seed, DateTime now)
{
    public const string Table = "public.orchestra_embeddings_cache";
    public const int Dimensions = 384;

    /// <summary>Same shape as <c>cache.default_cache</c> (sql/schema/030_cache.sql), taken from it so the two cannot drift.</summary>
    public const string CreateTableSql =
        "CREATE TABLE IF NOT EXISTS public.orchestra_embeddings_cache (LIKE cache.default_cache INCLUDING ALL)";

    public IEnumerable<CacheRow> Generate(int count)
    {
        var f = DemoData.Faker(seed);
        var expired = DemoData.Quota(f, count, (true, 0.05), (false, 0.0));
        for (var i = 0; i < count; i++)
        {
            const string model = "all-MiniLM-L6-v2";
            var text = f.Lorem.Sentence(f.Random.Number(6, 30));
            var value = new
            {
                model,
                dimensions = Dimensions,
                input_tokens = text.Split(' ').Length + f.Random.Number(1, 6),
                text_preview = text.Length > 60 ? text[..60] : text,
                vector = Enumerable.Range(0, Dimensions).Select(_ => Math.Round(f.Random.Double(-0.15, 0.15), 6)).ToArray(),
            };
            // A 64-hex-digit hash from a seeded random is unique in practice (and the key is the primary key).
            var key = $"emb:{model}:{f.Random.Hash(64)}";
            yield return CacheEntryGenerator.Row(f, now, key, DemoData.ToJson(value), TimeSpan.FromDays(30), expired[i]);
        }
    }
}
