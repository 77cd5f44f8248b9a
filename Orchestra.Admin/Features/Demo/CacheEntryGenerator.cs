using Bogus;

namespace Orchestra.Admin.Features.Demo;

/// <summary>A row of a cache table (<c>cache.default_cache</c> and its kin); <see cref="Value"/> is JSON.</summary>
public sealed record CacheRow(string Key, string Value, DateTime ExpiresAt, DateTime CreatedAt, DateTime AccessedAt, int AccessCount);

/// <summary>
/// The application cache (<c>cache.default_cache</c>): profiles, products, search pages, rate limits, flags,
/// API responses and HTML fragments, each with its own lifetime; 15 % expired but not yet swept.
/// </summary>
public sealed class CacheEntryGenerator(int seed, DateTime now)
{
    public const double ExpiredShare = 0.15;

    public IEnumerable<CacheRow> Generate(int count)
    {
        var f = DemoData.Faker(seed);
        var expired = DemoData.Quota(f, count, (true, ExpiredShare), (false, 0.0));
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            (string Key, object Value, TimeSpan Ttl) entry;
            do entry = Entry(f); while (!keys.Add(entry.Key));
            yield return Row(f, now, entry.Key, DemoData.ToJson(entry.Value), entry.Ttl, expired[i]);
        }
    }

    /// <summary>Times and hit counts of one entry, shared with the other cache tables.</summary>
    internal static CacheRow Row(Faker f, DateTime now, string key, string value, TimeSpan ttl, bool expired)
    {
        DateTime created, expires, accessed;
        if (expired)
        {
            expires = DemoData.Ago(f, now, TimeSpan.FromDays(2), TimeSpan.FromMinutes(1));
            created = expires - ttl;
            accessed = DemoData.Between(f, created, expires);
        }
        else
        {
            created = now - ttl * (0.999 * f.Random.Double());
            expires = created + ttl;
            accessed = DemoData.Between(f, created, now);
        }
        // Long-tailed: most entries are read a few times, a few hot keys thousands of times.
        var accessCount = (int)Math.Exp(Math.Pow(f.Random.Double(), 3) * Math.Log(5_000));
        return new CacheRow(key, value, expires, created, accessed, accessCount);
    }

    private static (string, object, TimeSpan) Entry(Faker f)
    {
        switch (f.Random.WeightedRandom([0, 1, 2, 3, 4, 5, 6], [0.25f, 0.20f, 0.20f, 0.15f, 0.02f, 0.08f, 0.10f]))
        {
            case 0:
                var userId = f.Random.Number(1, 60_000);
                var name = f.Name.FullName();
                return ($"user:{userId}:profile",
                    new { id = userId, name, email = f.Internet.Email(name), plan = f.PickRandom("free", "pro", "team"), avatar_url = f.Internet.Avatar() },
                    TimeSpan.FromHours(1));
            case 1:
                var sku = $"SKU-{f.Random.Number(10_000, 99_999)}";
                return ($"product:{sku}",
                    new { sku, name = f.Commerce.ProductName(), price = Math.Round(f.Random.Decimal(1, 900), 2), currency = "USD", stock = f.Random.Number(0, 500) },
                    TimeSpan.FromMinutes(15));
            case 2:
                var query = $"{f.Commerce.ProductAdjective()} {f.Commerce.Product()}".ToLowerInvariant();
                var page = f.Random.Number(1, 5);
                return ($"search:v2:{query.Replace(' ', '+')}:page:{page}",
                    new { query, page, total = f.Random.Number(0, 900), hits = Enumerable.Range(0, 10).Select(_ => DemoData.Uuid(f)).ToArray(), took_ms = f.Random.Number(3, 400) },
                    TimeSpan.FromMinutes(5));
            case 3:
                return ($"rate_limit:{DemoData.Ipv4(f)}",
                    new { count = f.Random.Number(1, 120), limit = 100, window_seconds = 60 },
                    TimeSpan.FromMinutes(1));
            case 4:
                return ($"feature_flags:{f.PickRandom("production", "staging")}:v{f.Random.Number(1, 400)}",
                    new { flags = new { new_checkout = f.Random.Bool(), vector_search_v2 = f.Random.Bool(), dark_mode = true }, rollout_percent = f.PickRandom(0, 10, 50, 100) },
                    TimeSpan.FromMinutes(10));
            case 5:
                var city = f.Address.City();
                return ($"api:weather:{city.ToLowerInvariant().Replace(' ', '-')}",
                    new { city, temp_c = Math.Round(f.Random.Double(-15, 38), 1), conditions = f.PickRandom("clear", "clouds", "rain", "snow", "fog"), source = "openweathermap" },
                    TimeSpan.FromMinutes(30));
            default:
                var path = f.PickRandom("/", "/pricing", "/docs", "/blog", "/products", "/about");
                var locale = f.PickRandom("en", "de", "fr", "es");
                return ($"html:fragment:{path}:{locale}:{f.Random.Hash(8)}",
                    new { html = $"<section class=\"hero\"><h1>{f.Company.CatchPhrase()}</h1><p>{f.Lorem.Sentence()}</p></section>", etag = $"W/\"{f.Random.Hash(16)}\"" },
                    TimeSpan.FromMinutes(10));
        }
    }
}
