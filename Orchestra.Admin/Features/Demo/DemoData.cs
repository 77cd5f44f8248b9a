using System.Net;
using System.Text.Json;
using Bogus;

namespace Orchestra.Admin.Features.Demo;

/// <summary>Pieces shared by the demo generators: seeded fakers, JSON, ids, times, addresses and browsers.</summary>
internal static class DemoData
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>A faker whose every value comes from <paramref name="seed"/>, so a run can be repeated exactly.</summary>
    public static Faker Faker(int seed) => new("en") { Random = new Randomizer(seed) };

    /// <summary>The stack writes snake_case JSON (its workers are Python).</summary>
    public static string ToJson(object value) => JsonSerializer.Serialize(value, Json);

    /// <summary>A random version-4 UUID as gen_random_uuid() would make it, but from the faker's seed.</summary>
    public static Guid Uuid(Faker f)
    {
        var bytes = f.Random.Bytes(16);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // version 4 (Guid stores this group little-endian)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes);
    }

    /// <summary>A moment up to <paramref name="max"/> before <paramref name="now"/>, more often recent than old.</summary>
    public static DateTime Ago(Faker f, DateTime now, TimeSpan max, TimeSpan? min = null)
    {
        var from = min ?? TimeSpan.Zero;
        var skew = Math.Pow(f.Random.Double(), 2);
        return now - from - (max - from) * skew;
    }

    /// <summary>A moment evenly between two others.</summary>
    public static DateTime Between(Faker f, DateTime from, DateTime to) =>
        to <= from ? from : from + (to - from) * f.Random.Double();

    /// <summary>
    /// <paramref name="count"/> labels, each share of <paramref name="shares"/> rounded, the rest going to the last label,
    /// in seeded random order. Exact shares (rather than a weighted pick per row) keep small demo sizes true to
    /// the proportions, e.g. 3 % failed tasks.
    /// </summary>
    public static T[] Quota<T>(Faker f, int count, params (T Label, double Share)[] shares)
    {
        var labels = new List<T>(count);
        foreach (var (label, share) in shares[..^1])
            labels.AddRange(Enumerable.Repeat(label, Math.Min(count - labels.Count, (int)Math.Round(count * share))));
        labels.AddRange(Enumerable.Repeat(shares[^1].Label, count - labels.Count));
        return f.Random.Shuffle(labels).ToArray();
    }

    // First octets of large public allocations (ISPs and clouds in Europe, the Americas and Asia).
    private static readonly int[] PublicFirstOctets =
        [24, 31, 37, 46, 62, 66, 67, 73, 77, 81, 82, 85, 89, 91, 93, 98, 104, 108, 109, 121, 151, 176, 178, 185, 188, 195, 203, 212, 217];

    private static readonly string[] Ipv6Prefixes = ["2001:4860", "2a02:8108", "2a01:cb00", "2600:1700", "2607:fb90", "2a00:23c5", "2401:4900", "2003:e2"];

    /// <summary>A public-looking IPv4 address.</summary>
    public static IPAddress Ipv4(Faker f) => new([
        (byte)f.PickRandom(PublicFirstOctets), (byte)f.Random.Number(0, 255), (byte)f.Random.Number(0, 255), (byte)f.Random.Number(1, 254)]);

    /// <summary>A public-looking IPv6 address under a real provider prefix.</summary>
    public static IPAddress Ipv6(Faker f)
    {
        var groups = Enumerable.Range(0, 6).Select(_ => f.Random.Number(0, 0xFFFF).ToString("x"));
        return IPAddress.Parse($"{f.PickRandom(Ipv6Prefixes)}:{string.Join(':', groups)}");
    }

    /// <summary>A private address of the stack's own network (workers, Redis, PostgreSQL, Weaviate).</summary>
    public static string PrivateIp(Faker f) => f.Random.Number(0, 2) switch
    {
        0 => $"10.{f.Random.Number(0, 3)}.{f.Random.Number(0, 255)}.{f.Random.Number(2, 254)}",
        1 => $"172.{f.Random.Number(16, 31)}.{f.Random.Number(0, 255)}.{f.Random.Number(2, 254)}",
        _ => $"192.168.{f.Random.Number(0, 10)}.{f.Random.Number(2, 254)}",
    };

    /// <summary>A browser (or, now and then, a bot or a script) as its User-Agent header names it.</summary>
    public static string UserAgent(Faker f)
    {
        var chrome = $"{f.Random.Number(118, 131)}.0.{f.Random.Number(5900, 6800)}.{f.Random.Number(40, 200)}";
        var firefox = $"{f.Random.Number(115, 133)}.0";
        var safari = f.PickRandom("16.6", "17.2", "17.4.1", "17.5", "18.0", "18.1");
        var macOs = f.PickRandom("10_15_7", "13_6_1", "14_4_1");
        var ios = f.PickRandom("16_7_8", "17_2_1", "17_5_1", "18_0", "18_1");
        var mobileSafari = string.Join('.', ios.Split('_').Take(2)); // iOS ships its own Safari version
        var android = f.PickRandom("10; K", "13; SM-S911B", "14; Pixel 8", "14; SM-A546B", "12; moto g(60)");
        return f.Random.WeightedRandom(new Func<string>[]
        {
            () => $"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{chrome} Safari/537.36",
            () => $"Mozilla/5.0 (Macintosh; Intel Mac OS X {macOs}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{chrome} Safari/537.36",
            () => $"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{chrome} Safari/537.36",
            () => $"Mozilla/5.0 (Linux; Android {android}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{chrome} Mobile Safari/537.36",
            () => $"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{firefox}) Gecko/20100101 Firefox/{firefox}",
            () => $"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:{firefox}) Gecko/20100101 Firefox/{firefox}",
            () => $"Mozilla/5.0 (Macintosh; Intel Mac OS X {macOs}) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{safari} Safari/605.1.15",
            () => $"Mozilla/5.0 (iPhone; CPU iPhone OS {ios} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{mobileSafari} Mobile/15E148 Safari/604.1",
            () => $"Mozilla/5.0 (iPad; CPU OS {ios} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{mobileSafari} Mobile/15E148 Safari/604.1",
            () => $"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{chrome} Safari/537.36 Edg/{chrome}",
            () => $"Mozilla/5.0 (Macintosh; Intel Mac OS X {macOs}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{chrome} Safari/537.36 Edg/{chrome}",
            () => "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            () => "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
            () => $"curl/{f.PickRandom("7.81.0", "8.5.0", "8.7.1")}",
            () => $"python-requests/{f.PickRandom("2.28.2", "2.31.0", "2.32.3")}",
        }, [0.24f, 0.08f, 0.03f, 0.14f, 0.07f, 0.02f, 0.07f, 0.14f, 0.03f, 0.08f, 0.02f, 0.02f, 0.01f, 0.03f, 0.02f])();
    }
}
