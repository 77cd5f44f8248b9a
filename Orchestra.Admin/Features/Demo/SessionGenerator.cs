using System.Net;
using Bogus;

namespace Orchestra.Admin.Features.Demo;

/// <summary>A row of <c>sessions.sessions</c>; <see cref="Data"/> is JSON.</summary>
public sealed record SessionRow(
    Guid SessionId, string UserId, string Data, IPAddress? IpAddress, string? UserAgent,
    DateTime CreatedAt, DateTime UpdatedAt, DateTime ExpiresAt, DateTime? DeletedAt);

/// <summary>
/// Web sessions: 60 % active, 30 % expired (not yet cleaned up), 10 % soft-deleted (logged out or revoked).
/// Users have several sessions; the data holds the keys a session store really holds, secrets included.
/// </summary>
public sealed class SessionGenerator(int seed, DateTime now)
{
    public IEnumerable<SessionRow> Generate(int count)
    {
        var f = DemoData.Faker(seed);
        var states = DemoData.Quota(f, count, ("expired", 0.30), ("deleted", 0.10), ("active", 0.0));
        var users = Math.Max(1, count / 3);
        for (var i = 0; i < count; i++)
        {
            DateTime created, updated, expires;
            DateTime? deleted = null;
            var remember = f.Random.Bool(0.3f); // "remember me": 30 days instead of 1
            var lifetime = remember ? TimeSpan.FromDays(30) : TimeSpan.FromDays(1);
            switch (states[i])
            {
                case "active":
                    expires = now + TimeSpan.FromMinutes(1) + (lifetime - TimeSpan.FromMinutes(1)) * f.Random.Double();
                    updated = expires - lifetime; // the expiry slides with each request
                    created = DemoData.Ago(f, updated, TimeSpan.FromDays(remember ? 60 : 1));
                    break;
                case "expired":
                    expires = DemoData.Ago(f, now, TimeSpan.FromDays(20), TimeSpan.FromMinutes(1));
                    updated = expires - lifetime;
                    created = DemoData.Ago(f, updated, TimeSpan.FromDays(remember ? 30 : 1));
                    break;
                default: // deleted: logged out or revoked before it expired
                    created = DemoData.Ago(f, now, TimeSpan.FromDays(14), TimeSpan.FromMinutes(5));
                    deleted = DemoData.Between(f, created, Min(now, created + lifetime));
                    updated = deleted.Value;
                    expires = updated + lifetime;
                    break;
            }
            var userId = f.Random.Bool(0.06f) ? $"guest_{f.Random.Hash(12)}" : $"user_{f.Random.Number(1, users)}";
            IPAddress? ip = f.Random.Number(0, 99) switch { < 2 => null, < 17 => DemoData.Ipv6(f), _ => DemoData.Ipv4(f) };
            var userAgent = f.Random.Bool(0.02f) ? null : DemoData.UserAgent(f);
            yield return new SessionRow(DemoData.Uuid(f), userId, DemoData.ToJson(Data(f, userId)), ip, userAgent, created, updated, expires, deleted);
        }
    }

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    private static object Data(Faker f, string userId)
    {
        var guest = userId.StartsWith("guest_", StringComparison.Ordinal);
        return new
        {
            csrf_token = f.Random.AlphaNumeric(43),
            auth = guest ? null : new
            {
                method = f.PickRandom("password", "password", "oauth:google", "oauth:github", "sso:okta", "magic_link"),
                mfa = f.Random.Bool(0.35f),
                roles = f.Random.Bool(0.08f) ? new[] { "user", "admin" } : ["user"],
                access_token = $"eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.{f.Random.AlphaNumeric(60)}.{f.Random.AlphaNumeric(43)}",
                refresh_token = f.Random.Bool(0.6f) ? $"rt_{f.Random.AlphaNumeric(48)}" : null,
            },
            cart = f.Random.Bool(0.4f)
                ? new
                {
                    currency = f.PickRandom("USD", "EUR", "GBP"),
                    items = Enumerable.Range(0, f.Random.Number(1, 4))
                        .Select(_ => new { sku = $"SKU-{f.Random.Number(10_000, 99_999)}", qty = f.Random.Number(1, 3), price = Math.Round(f.Random.Decimal(3, 250), 2) })
                        .ToArray(),
                }
                : null,
            locale = f.PickRandom("en-US", "en-GB", "de-DE", "fr-FR", "es-ES", "pt-BR", "ja-JP"),
            theme = f.PickRandom("light", "dark"),
            last_path = f.PickRandom("/", "/account", "/orders", "/cart", "/checkout", "/search?q=lamp", "/settings/security"),
            flash = f.Random.Bool(0.05f) ? f.PickRandom("Your changes were saved.", "Password updated.", "Item added to cart.") : null,
        };
    }
}
