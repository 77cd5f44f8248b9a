using Microsoft.Extensions.Configuration;
using System.Text.Json.Nodes;
using Orchestra.Admin.Features.Sessions;

namespace Orchestra.Admin.Tests.Sessions;

public class UserAgentParserTests
{
    [Theory]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.91 Safari/537.36", "Chrome 124", "Windows 10/11", false)]
    [InlineData("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", "Chrome 120", "macOS 10.15", false)]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36", "Chrome 126", "Linux", false)]
    [InlineData("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36", "Chrome 124", "Android 14", false)]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:126.0) Gecko/20100101 Firefox/126.0", "Firefox 126", "Windows 10/11", false)]
    [InlineData("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0", "Firefox 115", "Linux", false)]
    [InlineData("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15", "Safari 17.4", "macOS 10.15", false)]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "Mobile Safari 17.5", "iOS 17.5", false)]
    [InlineData("Mozilla/5.0 (iPad; CPU OS 16_7_8 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1", "Mobile Safari 16.6", "iPadOS 16.7", false)]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/125.0.6422.80 Mobile/15E148 Safari/604.1", "Chrome 125", "iOS 17.5", false)]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/126.0 Mobile/15E148 Safari/605.1.15", "Firefox 126", "iOS 17.5", false)]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80", "Edge 124", "Windows 10/11", false)]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.102 Safari/537.36 Edge/18.19045", "Edge 18", "Windows 10/11", false)]
    [InlineData("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36 EdgA/124.0.2478.64", "Edge 124", "Android 10", false)]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 OPR/110.0.0.0", "Opera 110", "Windows 10/11", false)]
    [InlineData("Mozilla/5.0 (Linux; Android 14; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36", "Samsung Internet 25", "Android 14", false)]
    [InlineData("Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko", "Internet Explorer", "Windows 7", false)]
    [InlineData("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36", "Chrome 124", "ChromeOS", false)]
    [InlineData("curl/8.5.0", "curl 8.5.0", "unknown", false)]
    [InlineData("Wget/1.21.4", "Wget 1.21.4", "unknown", false)]
    [InlineData("python-requests/2.31.0", "python-requests 2.31.0", "unknown", false)]
    [InlineData("Go-http-client/1.1", "Go http client 1.1", "unknown", false)]
    [InlineData("PostmanRuntime/7.39.0", "Postman 7.39.0", "unknown", false)]
    [InlineData("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "Googlebot 2.1", "unknown", true)]
    [InlineData("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", "bingbot 2.0", "unknown", true)]
    [InlineData("Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.201 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "Googlebot 2.1", "Android 6.0", true)]
    [InlineData("Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", "YandexBot 3.0", "unknown", true)]
    [InlineData("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)", "ClaudeBot 1.0", "unknown", true)]
    public void Parses_real_user_agents(string ua, string browser, string os, bool bot)
    {
        var parsed = UserAgentParser.Parse(ua);
        Assert.Equal((browser, os, bot), (parsed.Browser, parsed.Os, parsed.IsBot));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void No_user_agent_is_unknown(string? ua) => Assert.Equal(ParsedUserAgent.Unknown, UserAgentParser.Parse(ua));

    [Fact]
    public void Something_unrecognised_is_other_and_reads_as_a_sentence()
    {
        var parsed = UserAgentParser.Parse("MyInternalTool");
        Assert.Equal("other", parsed.Browser);
        Assert.Equal("Chrome 124 on Windows 10/11", UserAgentParser.Parse("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36").ToString());
    }

    /// <summary>64 KB: what any user of the stack can send as their User-Agent.</summary>
    private static string Padded(string start, string run) => start + string.Concat(Enumerable.Repeat(run, 64 * 1024 / run.Length));

    [Fact]
    public void Only_the_first_512_characters_are_parsed()
    {
        var googlebot = Padded("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html) ", "a");
        Assert.Equal(("Googlebot 2.1", true), (UserAgentParser.Parse(googlebot).Browser, UserAgentParser.Parse(googlebot).IsBot));
        Assert.Equal("Chrome 124 on Windows 10/11",
            UserAgentParser.Parse(Padded("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 ", "1.")).ToString());
        // A token past the first 512 characters is not read: a real user agent is far shorter.
        var late = UserAgentParser.Parse(new string('a', UserAgentParser.MaxLength) + " Googlebot/2.1 Chrome/124.0");
        Assert.Equal(("other", false), (late.Browser, late.IsBot));
        Assert.Equal(UserAgentParser.MaxLength, UserAgentParser.Cut(new string('a', 1000)).Length);
        // A surrogate pair is not split.
        Assert.Equal(UserAgentParser.MaxLength - 1, UserAgentParser.Cut(new string('a', UserAgentParser.MaxLength - 1) + "🎉" + "a").Length);
    }

    [Fact]
    public void The_cache_keeps_one_result_per_distinct_user_agent_and_stays_bounded()
    {
        var cache = new ParsedUserAgentCache(capacity: 100);
        var parses = 0;
        ParsedUserAgent Parse(string ua) { parses++; return UserAgentParser.Parse(ua); }

        var first = cache.GetOrAdd("curl/8.5.0", Parse);
        Assert.Same(first, cache.GetOrAdd("curl/8.5.0", Parse));
        Assert.Equal(1, parses);
        // A stack user can make up any number of distinct user agents.
        for (var i = 0; i < 1000; i++)
        {
            cache.GetOrAdd($"Mozilla/5.0 (made up {i})", Parse);
            Assert.InRange(cache.Count, 1, 100);
        }
        Assert.Equal(1001, parses);
    }

}

public class SensitiveDataMaskerTests
{
    private static readonly SensitiveDataMasker Default = new(SessionsOptions.DefaultMaskedKeyParts);

    [Fact]
    public void Masks_sensitive_keys_at_any_depth_and_inside_arrays_case_insensitively_and_keeps_the_rest()
    {
        var (json, paths) = Default.Apply("""
            {"csrf_token": "abc", "locale": "en-US", "Password": "hunter2",
             "profile": {"name": "Ada", "ApiKey": "k-1", "nested": {"SESSION_SECRET": "s", "theme": "dark"}},
             "cart": {"items": [{"sku": "A", "card_number": "4111"}, {"sku": "B", "payment": {"cardHolder": "Ada"}}]},
             "cookies": ["a=1"], "authentication": {"method": "password"}, "refresh_token": null, "monkey": 3}
            """);
        var root = JsonNode.Parse(json)!;
        Assert.Equal(SensitiveDataMasker.Mask, (string)root["csrf_token"]!);
        Assert.Equal(SensitiveDataMasker.Mask, (string)root["Password"]!);
        Assert.Equal(SensitiveDataMasker.Mask, (string)root["profile"]!["ApiKey"]!);
        Assert.Equal(SensitiveDataMasker.Mask, (string)root["profile"]!["nested"]!["SESSION_SECRET"]!);
        Assert.Equal(SensitiveDataMasker.Mask, (string)root["cart"]!["items"]![0]!["card_number"]!);
        Assert.Equal(SensitiveDataMasker.Mask, (string)root["cart"]!["items"]![1]!["payment"]!["cardHolder"]!);
        Assert.Equal(SensitiveDataMasker.Mask, (string)root["cookies"]!); // a whole array under a sensitive key
        Assert.Equal(SensitiveDataMasker.Mask, (string)root["authentication"]!); // a whole object
        Assert.Equal(SensitiveDataMasker.Mask, (string)root["monkey"]!); // "key" is part of the name: masked, as configured
        Assert.Null(root["refresh_token"]); // null hides nothing
        Assert.Equal("en-US", (string)root["locale"]!);
        Assert.Equal("Ada", (string)root["profile"]!["name"]!);
        Assert.Equal("dark", (string)root["profile"]!["nested"]!["theme"]!);
        Assert.Equal("B", (string)root["cart"]!["items"]![1]!["sku"]!);
        Assert.DoesNotContain("hunter2", json);
        Assert.DoesNotContain("4111", json);
        Assert.Equal(
            ["$.csrf_token", "$.Password", "$.profile.ApiKey", "$.profile.nested.SESSION_SECRET", "$.cart.items[0].card_number",
             "$.cart.items[1].payment.cardHolder", "$.cookies", "$.authentication", "$.monkey"],
            paths);
    }

    [Fact]
    public void Arrays_at_the_top_and_keys_with_odd_names_are_walked()
    {
        var (json, paths) = Default.Apply("""[{"a b token": 1}, [{"x": {"Cookie": "c"}}]]""");
        Assert.Equal("""[{"a b token":"••••••"},[{"x":{"Cookie":"••••••"}}]]""", json);
        Assert.Equal(["$[0][\"a b token\"]", "$[1][0].x.Cookie"], paths);
    }

    [Fact]
    public void The_parts_are_configurable()
    {
        var masker = new SensitiveDataMasker(["ssn"]);
        var (json, paths) = masker.Apply("""{"password": "p", "user": {"SSN": "123"}}""");
        Assert.Equal("""{"password":"p","user":{"SSN":"••••••"}}""", json);
        Assert.Equal(["$.user.SSN"], paths);
        Assert.Equal(["ssn"], new SessionsOptions { MaskedKeyParts = ["ssn"] }.EffectiveMaskedKeyParts);
        Assert.Equal(SessionsOptions.DefaultMaskedKeyParts, new SessionsOptions().EffectiveMaskedKeyParts);
    }
}

public class SessionNetworkInputTests
{
    [Theory]
    [InlineData("10.0.0.0/8", "10.0.0.0/8")]
    [InlineData(" 10.1.2.3 ", "10.1.2.3")]
    [InlineData("10.1.2.3/8", "10.1.2.3/8")]
    [InlineData("2001:db8::/32", "2001:db8::/32")]
    [InlineData("2001:DB8::1", "2001:db8::1")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    public void Addresses_and_networks_are_accepted(string input, string expected) =>
        Assert.Equal(expected, SessionsService.ParseNetwork(input));

    [Theory]
    [InlineData("10.0.0.0/33", "from 0 to 32")]
    [InlineData("2001:db8::/129", "from 0 to 128")]
    [InlineData("10.0.0.0/", "from 0 to 32")]
    [InlineData("10.0.0.0/-1", "from 0 to 32")]
    [InlineData("10.0.0", "not an IP address or network")]
    [InlineData("10", "not an IP address or network")]
    [InlineData("300.1.1.1", "not an IP address or network")]
    [InlineData("host.example.com", "not an IP address or network")]
    [InlineData("10.0.0.0/8; DROP TABLE x", "from 0 to 32")]
    public void Invalid_input_says_what_is_wrong_for_the_network_field(string input, string says)
    {
        var e = Assert.Throws<SessionFilterException>(() => SessionsService.ParseNetwork(input));
        Assert.Equal("network", e.Field);
        Assert.Contains(says, e.Message);
    }
}

public class SessionsSettingsTests
{
    private static Orchestra.Admin.Hosting.OrchestraAdminOptions Load(params (string Key, string Value)[] values) =>
        Orchestra.Admin.Hosting.SettingsLoader.Load(new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))
                .Append(new("POSTGRES_DSN", "postgresql://u:p@localhost:5432/orchestra")))
            .Build());

    [Fact]
    public void Configured_mask_parts_replace_the_defaults_and_the_batch_size_is_checked()
    {
        Assert.Equal(SessionsOptions.DefaultMaskedKeyParts, Load().Sessions.EffectiveMaskedKeyParts);
        Assert.Equal(1000, Load().Sessions.CleanupBatchSize);
        Assert.Equal(["ssn", "iban"], Load(("OrchestraAdmin:Sessions:MaskedKeyParts:0", "ssn"), ("OrchestraAdmin:Sessions:MaskedKeyParts:1", "iban")).Sessions.EffectiveMaskedKeyParts);
        var e = Assert.Throws<Orchestra.Admin.Hosting.SettingsException>(() => Load(("OrchestraAdmin:Sessions:CleanupBatchSize", "0")));
        Assert.Contains("OrchestraAdmin:Sessions:CleanupBatchSize", e.Message);
    }
}
