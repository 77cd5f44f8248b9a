using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Orchestra.Admin.Features.Demo;

namespace Orchestra.Admin.Tests.Demo;

/// <summary>The generators on their own (no database): reproducible, and with the variety the dashboard's features need.</summary>
public sealed class DemoGeneratorTests
{
    private static readonly DateTime Now = new(2025, 6, 1, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void The_same_seed_and_time_give_the_same_rows_and_another_seed_other_rows()
    {
        Assert.Equal(new DocumentGenerator(1, Now).Generate(300), new DocumentGenerator(1, Now).Generate(300));
        Assert.Equal(new TaskGenerator(2, Now).Generate(300), new TaskGenerator(2, Now).Generate(300));
        Assert.Equal(new CacheEntryGenerator(4, Now).Generate(300), new CacheEntryGenerator(4, Now).Generate(300));
        Assert.Equal(new EmbeddingCacheGenerator(5, Now).Generate(20), new EmbeddingCacheGenerator(5, Now).Generate(20));
        // IPAddress has no value equality inside a record: compare the rows as text.
        Assert.Equal(new SessionGenerator(3, Now).Generate(300).Select(s => s.ToString() + s.IpAddress),
                     new SessionGenerator(3, Now).Generate(300).Select(s => s.ToString() + s.IpAddress));

        Assert.NotEqual(new DocumentGenerator(1, Now).Generate(50), new DocumentGenerator(9, Now).Generate(50));
    }

    [Fact]
    public void Every_timestamp_is_utc_and_not_in_the_future_unless_it_is_an_expiry()
    {
        var stamps = new TaskGenerator(2, Now).Generate(2_000).SelectMany(t => new[] { t.CreatedAt, t.StartedAt, t.CompletedAt })
            .Concat(new SessionGenerator(3, Now).Generate(500).SelectMany(s => new[] { s.CreatedAt, s.UpdatedAt, s.DeletedAt }))
            .Concat(new DocumentGenerator(1, Now).Generate(500).SelectMany(d => new DateTime?[] { d.CreatedAt, d.UpdatedAt }))
            .Concat(new CacheEntryGenerator(4, Now).Generate(500).SelectMany(c => new DateTime?[] { c.CreatedAt, c.AccessedAt }))
            .OfType<DateTime>().ToList();
        Assert.All(stamps, s => Assert.Equal(DateTimeKind.Utc, s.Kind));
        Assert.All(stamps, s => Assert.True(s <= Now, $"{s:O} is after {Now:O}"));
    }

    [Fact]
    public void Documents_are_valid_json_objects_in_every_collection()
    {
        var docs = new DocumentGenerator(1, Now).Generate(1_000).ToList();
        Assert.Equal(DocumentGenerator.Collections.Order(), docs.Select(d => d.Collection).Distinct().Order());
        foreach (var doc in docs)
        {
            using var data = JsonDocument.Parse(doc.Data);
            using var metadata = JsonDocument.Parse(doc.Metadata);
            Assert.Equal(JsonValueKind.Object, data.RootElement.ValueKind);
            Assert.Equal(JsonValueKind.Object, metadata.RootElement.ValueKind);
        }
        Assert.Equal(docs.Count, docs.Select(d => d.Id).Distinct().Count());
        Assert.All(docs, d => Assert.Equal(4, d.Id.Version));
    }

    [Fact]
    public void Failed_tasks_are_three_percent_with_errors_that_vary_within_recognisable_kinds()
    {
        var tasks = new TaskGenerator(2, Now).Generate(DemoSeedSize.Full.Tasks).ToList();
        var errors = tasks.Where(t => t.Status == "failed").Select(t => t.Error!).ToList();

        Assert.Equal(600, errors.Count);
        Assert.All(tasks, t => Assert.Equal(t.Status == "failed", t.Error != null));
        Assert.True(errors.Distinct().Count() > 500, "error texts vary");

        Assert.True(Distinct(errors, @"timed out after (\d+) ms") >= 10, "timeouts with varying milliseconds");
        Assert.True(Distinct(errors, @"Server error '(5\d\d) ") >= 3, "several HTTP 5xx codes");
        Assert.True(Distinct(errors, @"for url 'https://([^/]+)/") >= 10, "5xx from varying hosts");
        Assert.True(Distinct(errors, @"Connect call failed \('([\d.]+)'") >= 10, "connection refused to varying addresses");
        Assert.True(Distinct(errors, @"KeyError: '(\w+)'") >= 3, "KeyErrors with quoted keys");
        Assert.Contains(errors, e => e.StartsWith("System.NullReferenceException") && e.Contains("\n   at Orchestra."));
        Assert.Contains(errors, e => e.StartsWith("Traceback (most recent call last):\n"));
        Assert.Contains(errors, e => Regex.IsMatch(e, "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"));
        var multiLine = errors.Count(e => e.Contains('\n'));
        Assert.InRange(multiLine, errors.Count / 20, errors.Count / 2);
    }

    [Fact]
    public void Sessions_mix_ipv4_ipv6_browsers_bots_and_scripts()
    {
        var sessions = new SessionGenerator(3, Now).Generate(DemoSeedSize.Full.Sessions).ToList();
        var families = sessions.Where(s => s.IpAddress != null).GroupBy(s => s.IpAddress!.AddressFamily).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(families[AddressFamily.InterNetwork] > sessions.Count / 2);
        Assert.True(families[AddressFamily.InterNetworkV6] > sessions.Count / 20);

        var agents = sessions.Select(s => s.UserAgent).OfType<string>().ToList();
        foreach (var marker in new[] { "Windows NT", "Macintosh", "X11; Linux", "iPhone", "Android", "Firefox/", "Edg/", "Version/17", "Googlebot", "curl/" })
            Assert.Contains(agents, a => a.Contains(marker));
    }

    [Fact]
    public void Cache_keys_are_unique_and_a_share_is_expired()
    {
        var entries = new CacheEntryGenerator(4, Now).Generate(DemoSeedSize.Full.CacheEntries).ToList();
        Assert.Equal(entries.Count, entries.Select(e => e.Key).Distinct().Count());
        Assert.Equal(1_500, entries.Count(e => e.ExpiresAt <= Now));
        Assert.True(entries.Max(e => e.AccessCount) > 1_000 && entries.Count(e => e.AccessCount < 10) > entries.Count / 3, "a few hot keys, many cold ones");
    }

    [Fact]
    public void Sizes_scale_and_keep_at_least_one_row_per_table()
    {
        Assert.Equal(new DemoSeedSize(5_000, 2_000, 500, 1_000, 100), DemoSeedSize.Full.Scale(0.1));
        Assert.Equal(new DemoSeedSize(1, 1, 1, 1, 1), DemoSeedSize.Full.Scale(0.000001));
        Assert.Throws<ArgumentOutOfRangeException>(() => DemoSeedSize.Full.Scale(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => DemoSeedSize.Full.Scale(double.NaN));
    }

    private static int Distinct(IEnumerable<string> errors, string pattern) =>
        errors.Select(e => Regex.Match(e, pattern)).Where(m => m.Success).Select(m => m.Groups[1].Value).Distinct().Count();
}
