using Bogus;

namespace Orchestra.Admin.Features.Demo;

/// <summary>A row of <c>documents</c>; <see cref="Data"/> and <see cref="Metadata"/> are JSON.</summary>
public sealed record DocumentRow(Guid Id, string Collection, string Data, string Metadata, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>Documents of five collections, each with its own nested JSON shape, as the stack's apps store them.</summary>
public sealed class DocumentGenerator(int seed, DateTime now)
{
    public static readonly string[] Collections = ["users", "orders", "products", "articles", "events"];
    private static readonly float[] CollectionWeights = [0.20f, 0.25f, 0.10f, 0.10f, 0.35f];

    private static readonly string[] UserTags = ["beta", "vip", "newsletter", "churn-risk", "enterprise", "trial", "staff", "early-adopter"];
    private static readonly string[] OrderTags = ["gift", "priority", "fraud-check", "b2b", "first-order", "subscription"];
    private static readonly string[] ArticleTags = ["postgres", "vectors", "release", "howto", "ops", "security", "performance", "ai"];
    private static readonly string[] EventTypes = ["page_view", "page_view", "page_view", "click", "search", "login", "logout", "signup", "add_to_cart", "purchase"];
    private static readonly string[] Paths = ["/", "/pricing", "/docs", "/blog", "/account", "/cart", "/checkout", "/search", "/products", "/orders"];

    public IEnumerable<DocumentRow> Generate(int count)
    {
        var f = DemoData.Faker(seed);
        for (var i = 0; i < count; i++)
        {
            // The first rows go round the collections so that even a tiny demo has every one.
            var collection = i < Collections.Length ? Collections[i] : f.Random.WeightedRandom(Collections, CollectionWeights);
            var created = DemoData.Ago(f, now, collection is "events" ? TimeSpan.FromDays(7) : TimeSpan.FromDays(120));
            var updated = f.Random.Bool(0.6f) ? created : DemoData.Between(f, created, now);
            var data = collection switch
            {
                "users" => User(f, created),
                "orders" => Order(f),
                "products" => Product(f),
                "articles" => Article(f, created),
                _ => Event(f, created),
            };
            yield return new DocumentRow(DemoData.Uuid(f), collection, DemoData.ToJson(data), DemoData.ToJson(Metadata(f)), created, updated);
        }
    }

    private object User(Faker f, DateTime created)
    {
        var first = f.Name.FirstName();
        var last = f.Name.LastName();
        return new
        {
            user_id = $"usr_{f.Random.Number(10_000, 99_999)}",
            name = $"{first} {last}",
            email = f.Internet.Email(first, last),
            username = f.Internet.UserName(first, last),
            age = f.Random.Number(18, 82),
            active = f.Random.Bool(0.85f),
            email_verified = f.Random.Bool(0.7f),
            plan = f.PickRandom("free", "free", "pro", "team", "enterprise"),
            roles = f.Random.Bool(0.1f) ? new[] { "user", "admin" } : ["user"],
            tags = f.Random.ArrayElements(UserTags, f.Random.Number(0, 3)),
            address = Address(f),
            preferences = new
            {
                theme = f.PickRandom("light", "dark", "system"),
                language = f.PickRandom("en", "en", "de", "fr", "es", "pt-BR", "ja"),
                newsletter = f.Random.Bool(),
                notifications = new { email = f.Random.Bool(0.8f), push = f.Random.Bool(0.4f), sms = f.Random.Bool(0.1f) },
            },
            login_count = f.Random.Number(0, 800),
            last_login_at = f.Random.Bool(0.9f) ? DemoData.Between(f, created, now) : (DateTime?)null,
        };
    }

    private object Order(Faker f)
    {
        var items = Enumerable.Range(0, f.Random.Number(1, 5)).Select(_ => new
        {
            sku = $"SKU-{f.Random.Number(10_000, 99_999)}",
            name = f.Commerce.ProductName(),
            quantity = f.Random.Number(1, 4),
            unit_price = Math.Round(f.Random.Decimal(2, 400), 2),
        }).ToArray();
        var subtotal = items.Sum(item => item.quantity * item.unit_price);
        var shippingCost = subtotal > 100 ? 0m : f.PickRandom(4.99m, 7.5m, 12m);
        var status = f.PickRandom("placed", "paid", "paid", "shipped", "delivered", "delivered", "cancelled", "refunded");
        return new
        {
            order_number = $"ORD-{now.Year - f.Random.Number(0, 1)}-{f.Random.Number(100_000, 999_999)}",
            customer = new { id = $"usr_{f.Random.Number(10_000, 99_999)}", name = f.Name.FullName(), email = f.Internet.Email() },
            status,
            paid = status is not ("placed" or "cancelled"),
            currency = f.PickRandom("USD", "USD", "EUR", "GBP"),
            items,
            subtotal,
            shipping_cost = shippingCost,
            total = subtotal + shippingCost,
            coupon = f.Random.Bool(0.15f) ? f.PickRandom("SPRING10", "WELCOME5", "BLACKFRIDAY", "FREESHIP") : null,
            shipping = new
            {
                method = f.PickRandom("standard", "standard", "express", "pickup"),
                address = Address(f),
                tracking_number = status is "shipped" or "delivered" ? $"1Z{f.Random.AlphaNumeric(16).ToUpperInvariant()}" : null,
            },
            tags = f.Random.ArrayElements(OrderTags, f.Random.Number(0, 2)),
        };
    }

    private static object Product(Faker f)
    {
        var stock = f.Random.Bool(0.15f) ? 0 : f.Random.Number(1, 2_000);
        return new
        {
            sku = $"SKU-{f.Random.Number(10_000, 99_999)}",
            name = f.Commerce.ProductName(),
            description = f.Commerce.ProductDescription(),
            category = f.Commerce.Department(1),
            price = Math.Round(f.Random.Decimal(1, 900), 2),
            currency = "USD",
            in_stock = stock > 0,
            stock,
            dimensions = new
            {
                width_cm = f.Random.Number(2, 120),
                height_cm = f.Random.Number(2, 120),
                depth_cm = f.Random.Number(1, 60),
                weight_kg = Math.Round(f.Random.Double(0.05, 40), 2),
            },
            variants = Enumerable.Range(0, f.Random.Number(0, 3))
                .Select(_ => new { color = f.Commerce.Color(), size = f.PickRandom("S", "M", "L", "XL"), ean = f.Commerce.Ean13() })
                .ToArray(),
            rating = new { average = Math.Round(f.Random.Double(1.5, 5), 1), count = f.Random.Number(0, 4_000) },
            tags = f.Commerce.Categories(f.Random.Number(1, 3)),
        };
    }

    private object Article(Faker f, DateTime created)
    {
        var title = f.Hacker.Phrase().TrimEnd('!', '.');
        var body = f.Lorem.Paragraphs(2, 6);
        var published = f.Random.Bool(0.75f);
        return new
        {
            title,
            slug = f.Lorem.Slug(5),
            author = new { id = $"usr_{f.Random.Number(10_000, 99_999)}", name = f.Name.FullName() },
            published,
            published_at = published ? DemoData.Between(f, created, now) : (DateTime?)null,
            body,
            word_count = body.Split(' ').Length,
            tags = f.Random.ArrayElements(ArticleTags, f.Random.Number(1, 4)),
            comments = Enumerable.Range(0, f.Random.Number(0, 4)).Select(_ => new
            {
                author = f.Internet.UserName(),
                text = f.Rant.Review(),
                likes = f.Random.Number(0, 120),
            }).ToArray(),
        };
    }

    private static object Event(Faker f, DateTime created)
    {
        var type = f.PickRandom(EventTypes);
        var mobile = f.Random.Bool(0.45f);
        return new
        {
            type,
            user_id = f.Random.Bool(0.8f) ? $"usr_{f.Random.Number(10_000, 99_999)}" : null,
            session_id = DemoData.Uuid(f),
            occurred_at = created,
            properties = new
            {
                path = type == "search" ? $"/search?q={Uri.EscapeDataString(f.Commerce.ProductAdjective().ToLowerInvariant())}" : f.PickRandom(Paths),
                referrer = f.Random.Bool(0.4f) ? f.PickRandom("https://www.google.com/", "https://news.ycombinator.com/", "https://t.co/", "https://www.bing.com/") : null,
                duration_ms = f.Random.Number(15, 120_000),
                value = type == "purchase" ? Math.Round(f.Random.Decimal(5, 500), 2) : (decimal?)null,
            },
            device = new
            {
                os = mobile ? f.PickRandom("iOS", "Android") : f.PickRandom("Windows", "macOS", "Linux"),
                browser = f.PickRandom("Chrome", "Chrome", "Safari", "Firefox", "Edge"),
                mobile,
                screen = mobile ? new { width = 390, height = 844 } : new { width = f.PickRandom(1366, 1440, 1920, 2560), height = f.PickRandom(768, 900, 1080, 1440) },
            },
            ip = DemoData.Ipv4(f).ToString(),
        };
    }

    private static object Address(Faker f) => new
    {
        street = f.Address.StreetAddress(),
        city = f.Address.City(),
        zip = f.Address.ZipCode(),
        country = f.Address.CountryCode(),
        geo = new { lat = Math.Round(f.Address.Latitude(), 5), lng = Math.Round(f.Address.Longitude(), 5) },
    };

    private static object Metadata(Faker f)
    {
        var source = f.PickRandom("api", "api", "api", "import", "backfill", "mongodb-migration");
        return new
        {
            source,
            schema_version = f.Random.Number(1, 3),
            trace_id = f.Random.Hash(32),
            // The stack moved from MongoDB: migrated documents still carry their ObjectId.
            mongo_id = source == "mongodb-migration" ? f.Random.Hash(24) : null,
            labels = f.Random.ArrayElements(new[] { "pii", "reviewed", "archived", "synced", "demo" }, f.Random.Number(0, 2)),
            flags = new { pii = f.Random.Bool(0.3f), archived = f.Random.Bool(0.05f) },
        };
    }
}
