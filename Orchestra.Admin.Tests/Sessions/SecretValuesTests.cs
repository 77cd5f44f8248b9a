using System.Text.Json.Nodes;
using Orchestra.Admin.Features.Sessions;

namespace Orchestra.Admin.Tests.Sessions;

/// <summary>The value rules: what is masked whatever its key, and the ordinary values that must stay readable.</summary>
public class SecretValuesTests
{
    private static readonly SensitiveDataMasker Default = new(SessionsOptions.DefaultMaskedKeyParts);
    private const string Mask = SensitiveDataMasker.Mask;

    public static TheoryData<string, string> Secrets()
    {
        var jwt = SecretSamples.Jwt();
        var unsigned = string.Join('.', jwt.Split('.')[..2]) + "."; // alg none: an empty signature
        return new()
        {
            { jwt, Mask },
            { unsigned, Mask },
            { $"id_token={jwt}&state=1", "id_token=••••••&state=1" },
            { "Authorization: Bearer abc123def456", "Authorization: Bearer ••••••" },
            { "bearer sk_live_4eC39HqLyjWDarjtT1zdp7dc.", "bearer ••••••." },
            { "BEARER aaaaaaaaaaaaaaaaaaaaaaaa", "BEARER ••••••" },
            { "Basic dXNlcjpodW50ZXIy", "Basic ••••••" }, // user:hunter2
            { "postgresql://app:s3cr3t-pw@db:5432/orchestra", "postgresql://app:••••••@db:5432/orchestra" },
            { "https://cb.example.com/done?code=x&access_token=abc", "https://cb.example.com/done?code=x&access_token=••••••" },
            { "Host=db;Password=hunter2;Database=x", "Host=db;Password=••••••;Database=x" },
            { "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A7", Mask }, // a GitHub-style token
            { "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", Mask }, // an AWS-style secret key, slashes and all
            { "5f4dcc3b5aa765d61d8327deb882cf99", Mask }, // 32 hex digits: an MD5 or a hex token, not a UUID
            { "3k2j4h5g6f7d8s9a0q1w2e3r4t5y6u7i", Mask }, // 32 lower-case letters and digits (a Django session key)
            { SecretSamples.RandomToken(43) + "=", Mask },
            { "token " + SecretSamples.RandomToken(64)[..40] + " expired", "token •••••• expired" },
        };
    }

    [Theory]
    [MemberData(nameof(Secrets))]
    public void Values_that_look_like_secrets_are_masked_in_any_text(string text, string masked) =>
        Assert.Equal(masked, Default.MaskText(text));

    [Theory]
    [InlineData("550e8400-e29b-41d4-a716-446655440000")]
    [InlineData("550E8400-E29B-41D4-A716-446655440000")]
    [InlineData("2024-05-01T12:34:56.789Z")]
    [InlineData("2024-05-01T12:34:56.789+02:00")]
    [InlineData("https://example.com/api/v1/organizations/12345/projects/67890/members?page=2&sort=name")]
    [InlineData("https://shop.example.com/orders/550e8400-e29b-41d4-a716-446655440000/items/7f1c9e2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b")]
    [InlineData("/var/lib/postgresql/15/main/base/16384/2619_fsm")]
    [InlineData("Bearer tokens are sent in the Authorization header.")]
    [InlineData("Basic auth is disabled on this server.")]
    [InlineData("The quick brown fox jumps over the lazy dog, again and again and again.")]
    [InlineData("how-to-configure-the-postgresql-connection-pool-in-production")]
    [InlineData("release-notes-2024-05-01-version-10-2-3-final")]
    [InlineData("customer_relationship_management_module_v2")]
    [InlineData("SomeLongCamelCaseIdentifierNameForTheThing")]
    [InlineData("org.apache.commons.lang3.builder.ToStringBuilder")]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.91 Safari/537.36")]
    [InlineData("first.last+newsletter@example.com")]
    [InlineData("2001:db8:85a3::8a2e:370:7334")]
    [InlineData("12345678901234567890123456789012345678")]
    [InlineData("ORD2024051200012345ABCDEF000123456789")]
    [InlineData("session-550e8400-e29b-41d4-a716-446655440000-replica")]
    [InlineData("dGhpcyBpcyBzaG9ydA==")]
    [InlineData("keyboard layout: de, key repeat 30/s")]
    [InlineData("token expired at 12:00, please sign in again")]
    public void Ordinary_values_stay_as_they_are(string text) => Assert.Same(text, Default.MaskText(text));

    [Fact]
    public void Json_held_in_a_string_is_parsed_and_masked_inside_at_any_depth_and_stays_a_string()
    {
        var token = SecretSamples.RandomToken(40);
        var innermost = new JsonObject { ["refresh_token"] = "r-1", ["scope"] = "read" }.ToJsonString();
        var (json, paths) = Default.Apply(new JsonObject
        {
            ["prefs"] = new JsonObject { ["theme"] = "dark", ["oauth"] = "x", ["cache"] = new JsonObject { ["blob"] = innermost, ["t"] = token }.ToJsonString() }.ToJsonString(),
            ["list"] = "[1, 2, {\"note\": \"Bearer abc123def456\"}]",
            ["not_json"] = "{this is not json}",
            ["plain"] = "{\"a\": 1}",
        }.ToJsonString());

        var root = JsonNode.Parse(json)!;
        var prefs = JsonNode.Parse((string)root["prefs"]!)!;
        Assert.Equal("dark", (string)prefs["theme"]!);
        Assert.Equal(Mask, (string)prefs["oauth"]!);
        var cache = JsonNode.Parse((string)prefs["cache"]!)!;
        Assert.Equal(Mask, (string)cache["t"]!);
        Assert.Equal(Mask, (string)JsonNode.Parse((string)cache["blob"]!)!["refresh_token"]!);
        Assert.Equal("read", (string)JsonNode.Parse((string)cache["blob"]!)!["scope"]!);
        Assert.Equal("Bearer ••••••", (string)JsonNode.Parse((string)root["list"]!)![2]!["note"]!);
        Assert.Equal("{this is not json}", (string)root["not_json"]!);
        Assert.Equal("{\"a\": 1}", (string)root["plain"]!); // nothing masked: kept exactly as it was
        Assert.DoesNotContain(token, json);
        Assert.DoesNotContain("r-1", json);
        Assert.Equal(["$.prefs(json).oauth", "$.prefs(json).cache(json).blob(json).refresh_token", "$.prefs(json).cache(json).t", "$.list(json)[2].note"], paths);
    }

    [Fact]
    public void The_new_key_names_are_masked_by_default()
    {
        var (json, paths) = Default.Apply("""
            {"jwt": "a", "sid": "b", "passwd": "c", "bearer": "d", "session_state": "e", "credentials": {"user": "f"}, "private_key": "g", "locale": "en"}
            """);
        Assert.Equal(["$.jwt", "$.sid", "$.passwd", "$.bearer", "$.session_state", "$.credentials", "$.private_key"], paths);
        Assert.Contains("\"locale\":\"en\"", json);
    }

    [Fact]
    public void A_record_keeps_its_column_names_and_masks_what_they_hold()
    {
        var token = SecretSamples.RandomToken(40);
        var shown = Default.ApplyToRecord($$$"""[{"key": "user:7:profile", "session_id": "s1", "value": {"api_key": "k", "note": "{{{token}}}"}}]""");
        Assert.Equal("""[{"key":"user:7:profile","session_id":"s1","value":{"api_key":"••••••","note":"••••••"}}]""", shown);
    }
}
