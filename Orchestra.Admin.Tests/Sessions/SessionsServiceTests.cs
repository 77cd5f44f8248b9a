using Orchestra.Admin.Features.Sessions;
using Orchestra.Admin.Tests.Infrastructure;
using static Orchestra.Admin.Tests.Sessions.SessionsTestData;

namespace Orchestra.Admin.Tests.Sessions;

/// <summary>The list's filters, sorts and keyset paging, the counts and the detail's masking, on a real PostgreSQL.</summary>
public class SessionsServiceTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>, IAsyncLifetime
{
    public Task InitializeAsync() => ResetAsync(db);
    public Task DisposeAsync() => Task.CompletedTask;

    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    private async Task<List<Guid>> IdsAsync(SessionFilter filter, SessionSort sort = SessionSort.CreatedAt, bool descending = true)
    {
        var page = await Service(db).PageAsync(new SessionPageRequest(filter, sort, descending, PageSize: 100));
        return page.Rows.Select(r => r.SessionId).ToList();
    }

    [Fact]
    public async Task Status_is_active_expired_or_revoked_and_each_filter_finds_exactly_its_own()
    {
        var ids = await InsertAllAsync(db,
            new("u1", ExpiresIn: Hour),
            new("u1", ExpiresIn: -Hour),
            new("u1", ExpiresIn: Hour, DeletedAgo: TimeSpan.FromMinutes(5)),
            new("u1", ExpiresIn: -Hour, DeletedAgo: TimeSpan.FromMinutes(90))); // revoked wins over expired
        Assert.Equal([ids[0]], await IdsAsync(new() { Status = SessionStatus.Active }));
        Assert.Equal([ids[1]], await IdsAsync(new() { Status = SessionStatus.Expired }));
        Assert.Equal(ids[2..].ToHashSet(), (await IdsAsync(new() { Status = SessionStatus.Revoked })).ToHashSet());

        var page = await Service(db).PageAsync(new SessionPageRequest(new SessionFilter()));
        var byId = page.Rows.ToDictionary(r => r.SessionId);
        Assert.Equal([SessionStatus.Active, SessionStatus.Expired, SessionStatus.Revoked, SessionStatus.Revoked], ids.Select(i => byId[i].Status));
        Assert.NotNull(byId[ids[2]].DeletedAt);

        Assert.Equal(new SessionCounts(1, 1, 2), await Service(db).CountsAsync());
    }

    [Fact]
    public async Task User_filter_is_exact_or_a_prefix_whose_percent_and_underscore_match_themselves()
    {
        var ids = await InsertAllAsync(db,
            new("user_1"), new("user_10"), new("userX1"), new("user%1"), new("user%10"), new("userAB"), new("guest_user_1"));
        Assert.Equal([ids[0]], await IdsAsync(new() { UserId = "user_1" }));
        // "user_1" as a prefix: user_1 and user_10, not userX1 (an unescaped _ would match X).
        Assert.Equal(new[] { ids[0], ids[1] }.ToHashSet(), (await IdsAsync(new() { UserId = "user_1", UserMatch = UserMatch.Prefix })).ToHashSet());
        // "user%" as a prefix: only the ids that really start with user% (an unescaped % would match them all).
        Assert.Equal(new[] { ids[3], ids[4] }.ToHashSet(), (await IdsAsync(new() { UserId = "user%", UserMatch = UserMatch.Prefix })).ToHashSet());
        Assert.Equal(new[] { ids[0], ids[1], ids[2], ids[3], ids[4], ids[5] }.ToHashSet(),
            (await IdsAsync(new() { UserId = "user", UserMatch = UserMatch.Prefix })).ToHashSet());
        Assert.Empty(await IdsAsync(new() { UserId = "user" })); // exact
    }

    [Fact]
    public async Task Network_filter_uses_inet_containment_for_v4_and_v6_networks_and_single_addresses()
    {
        var ids = await InsertAllAsync(db,
            new("a", Ip: "10.0.0.1"), new("b", Ip: "10.255.3.4"), new("c", Ip: "11.0.0.1"), new("d", Ip: "192.168.1.20"),
            new("e", Ip: "2001:db8::5"), new("f", Ip: "2001:db9::5"), new("g", Ip: null));
        Assert.Equal(new[] { ids[0], ids[1] }.ToHashSet(), (await IdsAsync(new() { Network = "10.0.0.0/8" })).ToHashSet());
        Assert.Equal(new[] { ids[0], ids[1] }.ToHashSet(), (await IdsAsync(new() { Network = "10.9.9.9/8" })).ToHashSet()); // host bits: the network part counts
        Assert.Equal([ids[3]], await IdsAsync(new() { Network = "192.168.1.20" }));
        Assert.Equal([ids[3]], await IdsAsync(new() { Network = "192.168.0.0/16" }));
        Assert.Equal([ids[4]], await IdsAsync(new() { Network = "2001:db8::/32" }));
        Assert.Equal(new[] { ids[0], ids[1], ids[2], ids[3] }.ToHashSet(), (await IdsAsync(new() { Network = "0.0.0.0/0" })).ToHashSet()); // IPv4 only

        var e = await Assert.ThrowsAsync<SessionFilterException>(() => IdsAsync(new() { Network = "10.0.0.0/33" }));
        Assert.Equal("network", e.Field);
    }

    /// <summary>
    /// Any user of the stack sets their own User-Agent: rows with 64 KB ones (long runs of letters with no bot token, of dots
    /// and digits, a real bot padded) list with the first 512 characters read and parsed, and parse as their start says.
    /// </summary>
    [Fact]
    public async Task Sessions_with_64_KB_user_agents_list_their_first_512_characters_parsed()
    {
        static string Padded(string start, string run) => start + string.Concat(Enumerable.Repeat(run, 64 * 1024 / run.Length));
        var agents = new[]
        {
            Padded("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html) ", "a"),
            Padded("Mozilla/5.0 (X11; Linux x86_64) ", "a"),
            Padded("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 ", "1."),
            Padded("", "a"),
        };
        var ids = await InsertAllAsync(db, agents.Select((a, i) => new SessionsTestData.Session("long-ua", Agent: a, CreatedAgo: TimeSpan.FromMinutes(10 - i))).ToArray());

        var rows = (await Service(db).PageAsync(new SessionPageRequest(new SessionFilter { UserId = "long-ua" }, PageSize: 100))).Rows.ToDictionary(r => r.SessionId);
        Assert.Equal(ids.ToHashSet(), rows.Keys.ToHashSet());
        for (var i = 0; i < agents.Length; i++)
            Assert.Equal(agents[i][..UserAgentParser.MaxLength] + "…", rows[ids[i]].UserAgent);
        Assert.Equal(("Googlebot 2.1", "unknown", true), Parsed(rows[ids[0]]));
        Assert.Equal(("other", "Linux", false), Parsed(rows[ids[1]]));
        Assert.Equal(("Chrome 124", "Windows 10/11", false), Parsed(rows[ids[2]]));
        Assert.Equal(("other", "unknown", false), Parsed(rows[ids[3]]));

        // The detail still shows the whole user agent.
        Assert.Equal(agents[0], (await Service(db).GetAsync(ids[0]))!.Session.UserAgent);

        static (string, string, bool) Parsed(SessionRow row) => (row.Agent.Browser, row.Agent.Os, row.Agent.IsBot);
    }

    [Fact]
    public async Task User_agent_filter_is_case_insensitive_text_with_wildcards_escaped()
    {
        var ids = await InsertAllAsync(db,
            new("a", Agent: "Mozilla/5.0 (Windows NT 10.0) Chrome/124.0 Safari/537.36"),
            new("b", Agent: "curl/8.5.0"),
            new("c", Agent: "Tool 100% real"),
            new("d", Agent: "Tool 1000 real"),
            new("e", Agent: null));
        Assert.Equal([ids[0]], await IdsAsync(new() { UserAgent = "chrome/124" }));
        Assert.Equal([ids[2]], await IdsAsync(new() { UserAgent = "100%" }));
        Assert.Equal([ids[1]], await IdsAsync(new() { UserAgent = "CURL" }));
    }

    [Fact]
    public async Task Created_and_expires_ranges_are_inclusive_bounds_and_a_reversed_range_is_refused()
    {
        var ids = await InsertAllAsync(db,
            new("a", CreatedAgo: 3 * Day, ExpiresIn: Hour),
            new("b", CreatedAgo: Day, ExpiresIn: 5 * Day),
            new("c", CreatedAgo: Hour, ExpiresIn: -Day));
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(new[] { ids[1], ids[2] }.ToHashSet(), (await IdsAsync(new() { CreatedFrom = now - 2 * Day })).ToHashSet());
        Assert.Equal([ids[0]], await IdsAsync(new() { CreatedTo = now - 2 * Day }));
        Assert.Equal([ids[1]], await IdsAsync(new() { ExpiresFrom = now + 2 * Day, ExpiresTo = now + 10 * Day }));
        Assert.Equal([ids[2]], await IdsAsync(new() { ExpiresTo = now }));
        var e = await Assert.ThrowsAsync<SessionFilterException>(() => IdsAsync(new() { ExpiresFrom = now, ExpiresTo = now - Day }));
        Assert.Equal("expires", e.Field);
    }

    [Theory]
    [InlineData(SessionSort.CreatedAt, true)]
    [InlineData(SessionSort.CreatedAt, false)]
    [InlineData(SessionSort.UpdatedAt, true)]
    [InlineData(SessionSort.ExpiresAt, true)]
    [InlineData(SessionSort.ExpiresAt, false)]
    public async Task Keyset_pages_forwards_and_back_visit_every_session_once_in_order_despite_ties(SessionSort sort, bool descending)
    {
        // 23 sessions on 4 created, 3 updated and 5 expiry values: many ties, broken by the session id.
        for (var i = 0; i < 23; i++)
            await InsertAsync(db, new($"u{i}", CreatedAgo: (i % 4 + 1) * Hour, UpdatedAgo: (i % 3 + 1) * Hour, ExpiresIn: (i % 5 - 2) * Day));
        var service = Service(db);
        var all = new List<SessionRow>();
        var pages = new List<SessionPage>();
        var request = new SessionPageRequest(new SessionFilter(), sort, descending, PageSize: 5);
        var page = await service.PageAsync(request);
        Assert.Null(page.Previous);
        while (true)
        {
            pages.Add(page);
            all.AddRange(page.Rows);
            if (page.Next is null) break;
            page = await service.PageAsync(request with { After = page.Next });
        }
        Assert.Equal(5, pages.Count);
        Assert.Equal(23, all.Select(r => r.SessionId).Distinct().Count());
        DateTimeOffset Key(SessionRow r) => sort switch { SessionSort.UpdatedAt => r.UpdatedAt, SessionSort.ExpiresAt => r.ExpiresAt, _ => r.CreatedAt };
        var expected = descending
            ? all.OrderByDescending(Key).ThenByDescending(r => r.SessionId.ToString(), StringComparer.Ordinal).ToList()
            : all.OrderBy(Key).ThenBy(r => r.SessionId.ToString(), StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Select(r => r.SessionId), all.Select(r => r.SessionId));

        // Back from the last page: the same pages, in reverse.
        for (var i = pages.Count - 1; i > 0; i--)
        {
            var previous = await service.PageAsync(request with { Before = pages[i].Previous });
            Assert.Equal(pages[i - 1].Rows.Select(r => r.SessionId), previous.Rows.Select(r => r.SessionId));
        }
    }

    [Fact]
    public async Task Breakdowns_count_active_sessions_by_user_ip_and_user_agent()
    {
        await InsertAllAsync(db,
            new("heavy", Ip: "10.0.0.1", Agent: "A"), new("heavy", Ip: "10.0.0.1", Agent: "A"), new("heavy", Ip: "10.0.0.2", Agent: "B"),
            new("light", Ip: "10.0.0.1", Agent: "A"),
            new("gone", Ip: "10.0.0.9", Agent: "Z", DeletedAgo: Hour), new("gone", Ip: "10.0.0.9", Agent: "Z", ExpiresIn: -Hour));
        var b = await Service(db).BreakdownsAsync(top: 10);
        Assert.Equal([("heavy", 3L), ("light", 1L)], b.Users.Select(e => (e.Value!, e.Sessions)));
        Assert.Equal([("10.0.0.1", 3L), ("10.0.0.2", 1L)], b.Addresses.Select(e => (e.Value!, e.Sessions)));
        Assert.Equal([("A", 3L), ("B", 1L)], b.UserAgents.Select(e => (e.Value!, e.Sessions)));
        Assert.Single((await Service(db).BreakdownsAsync(top: 1)).Users);
    }

    [Fact]
    public async Task The_detail_masks_sensitive_keys_in_nested_objects_and_arrays()
    {
        var id = await InsertAsync(db, new("u", Data: """
            {"csrf_token": "t-123", "locale": "de-DE", "auth": {"method": "password", "access_token": "eyJ"},
             "profile": {"name": "Zoë", "settings": {"apiKey": "k-9"}}, "cart": {"items": [{"sku": "S1", "card_last4": "4242"}]}}
            """));
        var detail = await Service(db).GetAsync(id);
        Assert.NotNull(detail);
        Assert.DoesNotContain("t-123", detail.Data);
        Assert.DoesNotContain("eyJ", detail.Data);
        Assert.DoesNotContain("k-9", detail.Data);
        Assert.DoesNotContain("4242", detail.Data);
        Assert.Contains("\"Zoë\"", detail.Data);
        Assert.Contains("\"S1\"", detail.Data);
        Assert.Equal(["$.auth", "$.cart.items[0].card_last4", "$.csrf_token", "$.profile.settings.apiKey"], detail.MaskedPaths.Order());
        Assert.Equal("u", detail.Session.UserId);
        Assert.Equal("curl 8.5.0", detail.Session.Agent.Browser);

        // Configured parts replace the defaults.
        var custom = await Service(db, new SessionsOptions { MaskedKeyParts = ["locale"] }).GetAsync(id);
        Assert.Equal(["$.locale"], custom!.MaskedPaths);
        Assert.Contains("t-123", custom.Data);

        Assert.Null(await Service(db).GetAsync(Guid.NewGuid()));
    }
}
