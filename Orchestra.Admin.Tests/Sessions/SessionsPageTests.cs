using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Orchestra.Admin.Features.Sessions;
using Orchestra.Admin.Sampling;
using Orchestra.Admin.Security;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Sessions;

/// <summary>The sessions pages' states with fake services: data, empty, error, a filter error at its field, masked data and a Viewer.</summary>
public class SessionsPageTests : BunitSetup
{
    private sealed class FakeSessions : ISessionsService
    {
        public Func<SessionPageRequest, SessionPage> Page { get; set; } = _ => new SessionPage([], null, null);
        public List<SessionPageRequest> Requests { get; } = [];
        public SessionDetail? Detail { get; set; }

        public int CountReads;
        public Task<SessionCounts> CountsAsync(CancellationToken ct = default)
        {
            Interlocked.Increment(ref CountReads);
            return Task.FromResult(new SessionCounts(1200, 34, 5));
        }
        public Task<SessionBreakdowns> BreakdownsAsync(int top = 10, CancellationToken ct = default) => Task.FromResult(new SessionBreakdowns(
            [new("user", "user_7", 4)], [new("ip", "10.0.0.1", 3)], [new("user_agent", "curl/8.5.0", 2)]));
        public Task<SessionPage> PageAsync(SessionPageRequest request, CancellationToken ct = default)
        {
            Requests.Add(request);
            SessionsService.Filters(request.Filter); // the real checks: a bad network throws as the service does
            return Task.FromResult(Page(request));
        }
        public Task<SessionDetail?> GetAsync(Guid id, CancellationToken ct = default) => Task.FromResult(Detail);
    }

    private sealed class FakeActions : ISessionActions
    {
        public int Reveals;
        public int IdReveals;
        public Task<SessionActionOutcome> RevokeAsync(Guid id, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<SessionActionOutcome> RevokeUserAsync(string userId, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<SessionActionOutcome> ExtendAsync(Guid id, TimeSpan by, DateTimeOffset expectedExpiresAt, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<string?> RevealAsync(Guid id, CancellationToken ct = default) { Reveals++; return Task.FromResult<string?>("""{"auth":"real-secret"}"""); }
        public Task<Guid?> RevealIdAsync(Guid id, CancellationToken ct = default) { IdReveals++; return Task.FromResult<Guid?>(id); }
        public Task<CleanupPlan> PlanCleanupAsync(int olderThanDays, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<CleanupOutcome> CleanupAsync(CleanupPlan plan, IProgress<CleanupProgress>? progress = null, CancellationToken ct = default) => throw new NotSupportedException();
    }

    private sealed class AllowAll : IDatabasePrivileges
    {
        public Task<string?> MissingAsync(string table, string privilege, CancellationToken ct = default) => Task.FromResult<string?>(null);
    }

    private readonly FakeSessions sessions = new();
    private readonly FakeActions actions = new();
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    public SessionsPageTests()
    {
        Services.AddSingleton<ISessionsService>(sessions);
        Services.AddSingleton<ISessionActions>(actions);
        Services.AddSingleton<IDatabasePrivileges>(new AllowAll());
        Services.AddDataProtection();
        Services.AddSingleton<SessionReferences>();
    }

    private static string Short(SessionRow row) => SessionReferences.ShortId(row.SessionId);

    private void SignIn(string role)
    {
        var auth = AddAuthorization();
        auth.SetAuthorized("otto");
        auth.SetRoles(role);
    }

    private static SessionRow Row(string user, SessionStatus status, TimeSpan expiresIn) => new(Guid.NewGuid(), user, "10.1.2.3",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        Now.AddDays(-1), Now.AddHours(-1), Now + expiresIn, status == SessionStatus.Revoked ? Now.AddMinutes(-5) : null, status);

    [Fact]
    public void Rows_show_the_parsed_agent_the_expiry_in_words_and_revoke_only_where_it_means_something()
    {
        SignIn(AdminRoles.Operator);
        var active = Row("user_1", SessionStatus.Active, TimeSpan.FromHours(3).Add(TimeSpan.FromMinutes(1)));
        var expired = Row("user_2", SessionStatus.Expired, -(TimeSpan.FromHours(3) + TimeSpan.FromMinutes(1)));
        var revoked = Row("user_3", SessionStatus.Revoked, TimeSpan.FromDays(2));
        sessions.Page = _ => new SessionPage([active, expired, revoked], new SessionCursor(Now, Guid.NewGuid()), null);

        var cut = Render<SessionsPage>();

        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("tr[data-id]").Count));
        var activeRow = cut.Find($"tr[data-id='{Short(active)}']");
        Assert.Contains("Chrome 124", activeRow.TextContent);
        Assert.Contains("Windows 10/11", activeRow.TextContent);
        Assert.Contains("expires in 3 h 0 min", activeRow.TextContent);
        Assert.Contains("expired 3 h", cut.Find($"tr[data-id='{Short(expired)}']").TextContent);
        Assert.Contains("active", activeRow.QuerySelector("td:nth-child(9)")!.TextContent);
        Assert.NotNull(activeRow.QuerySelector("button[aria-label^='Revoke session']"));
        Assert.Null(cut.Find($"tr[data-id='{Short(revoked)}']").QuerySelector("button[aria-label^='Revoke session']"));
        Assert.False(cut.FindAll("button").Single(b => b.TextContent.Trim() == "Next page").HasAttribute("disabled"));
        cut.WaitForAssertion(() => Assert.Contains("1,200", cut.Find("[data-testid=count-active]").TextContent));
        Assert.Contains("user_7", cut.Markup);
    }

    [Fact]
    public void Once_the_sampler_has_counted_the_sessions_the_page_shows_its_counts_and_does_not_count_again()
    {
        SignIn(AdminRoles.Viewer);
        var cut = Render<SessionsPage>();
        cut.WaitForAssertion(() => Assert.Contains("1,200", cut.Find("[data-testid=count-active]").TextContent)); // before any round: its own read

        Sampler.Publish(new SampleRound(DateTimeOffset.UtcNow, new Dictionary<string, double>
        {
            [SessionsMetricSource.Active] = 7, [SessionsMetricSource.Expired] = 8, [SessionsMetricSource.Deleted] = 9,
        }));

        cut.WaitForAssertion(() => Assert.Equal("7", cut.Find("[data-testid=count-active] dd").TextContent));
        Assert.Equal("8", cut.Find("[data-testid=count-expired] dd").TextContent);
        Assert.Equal("9", cut.Find("[data-testid=count-revoked] dd").TextContent);
        Assert.Equal(1, sessions.CountReads);
    }

    [Fact]
    public void The_filter_comes_from_the_url_and_an_exact_user_offers_revoking_all_their_sessions()
    {
        SignIn(AdminRoles.Operator);
        Services.GetRequiredService<NavigationManager>().NavigateTo("sessions?user=user_5&status=revoked&network=10.0.0.0%2F8&sort=expiresat&dir=asc");
        var cut = Render<SessionsPage>();

        cut.WaitForAssertion(() => Assert.NotEmpty(sessions.Requests));
        var request = sessions.Requests[^1];
        Assert.Equal(("user_5", UserMatch.Exact, SessionStatus.Revoked, "10.0.0.0/8"), (request.Filter.UserId, request.Filter.UserMatch, request.Filter.Status, request.Filter.Network));
        Assert.Equal((SessionSort.ExpiresAt, false), (request.Sort, request.Descending));
        cut.WaitForAssertion(() => Assert.Contains("No session matches this filter", cut.Markup));
        Assert.Contains(cut.FindAll("button"), b => b.TextContent.Contains("Revoke all sessions of user_5"));
    }

    [Fact]
    public void A_bad_network_in_the_url_is_shown_at_its_field_and_in_the_list_panel()
    {
        SignIn(AdminRoles.Viewer);
        Services.GetRequiredService<NavigationManager>().NavigateTo("sessions?network=10.0.0.0%2F40");
        var cut = Render<SessionsPage>();

        cut.WaitForAssertion(() => Assert.Contains("must be a number from 0 to 32", cut.Find("[role=alert]").TextContent));
        Assert.Contains(cut.FindAll(".mud-input-helper-text"), e => e.TextContent.Contains("from 0 to 32"));
    }

    [Fact]
    public void A_viewer_sees_the_actions_disabled_with_the_reason()
    {
        SignIn(AdminRoles.Viewer);
        var row = Row("user_1", SessionStatus.Active, TimeSpan.FromHours(1));
        sessions.Page = _ => new SessionPage([row], null, null);
        var cut = Render<SessionsPage>();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("tr[data-id]")));
        Assert.Contains("Needs the Operator role", cut.Markup);
        Assert.True(cut.Find($"tr[data-id='{Short(row)}'] button[aria-label^='Revoke session']").HasAttribute("disabled"));
        Assert.True(cut.Find($"tr[data-id='{Short(row)}'] button[aria-label^='Copy the full id']").HasAttribute("disabled"));
        Assert.DoesNotContain(row.SessionId.ToString(), cut.Markup);
    }

    [Fact]
    public void The_detail_shows_masked_data_and_an_operators_reveal_shows_the_values()
    {
        SignIn(AdminRoles.Operator);
        var row = Row("user_1", SessionStatus.Active, TimeSpan.FromHours(1));
        sessions.Detail = new SessionDetail(row, """{"auth":"••••••","locale":"en"}""", ["$.auth"], 40);
        var cut = Render<SessionView>(p => p.Add(v => v.Id, row.SessionId));

        cut.WaitForAssertion(() => Assert.Contains("$.auth", cut.Find("[data-testid=masked-note]").TextContent));
        Assert.DoesNotContain("real-secret", cut.Markup);
        cut.FindAll("button").Single(b => b.TextContent.Contains("Reveal masked values")).Click();

        cut.WaitForAssertion(() => Assert.Contains("real-secret", cut.Markup));
        Assert.Equal(1, actions.Reveals);
        Assert.NotNull(cut.Find("[data-testid=revealed-note]"));
    }

    [Fact]
    public void A_session_that_is_gone_says_so()
    {
        SignIn(AdminRoles.Viewer);
        sessions.Detail = null;
        var id = Guid.NewGuid();
        var cut = Render<SessionView>(p => p.Add(v => v.Id, id));
        cut.WaitForAssertion(() => Assert.Contains($"No session {SessionReferences.ShortId(id)}", cut.Markup));
        Assert.DoesNotContain(id.ToString(), cut.Markup);
    }

    [Fact]
    public void An_operator_copies_a_full_id_through_the_audited_reveal_and_the_row_links_by_an_opaque_reference()
    {
        SignIn(AdminRoles.Operator);
        var row = Row("user_1", SessionStatus.Active, TimeSpan.FromHours(1));
        sessions.Page = _ => new SessionPage([row], null, null);
        var cut = Render<SessionsPage>();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("tr[data-id]")));
        Assert.DoesNotContain(row.SessionId.ToString(), cut.Markup);
        var link = cut.Find($"tr[data-id='{Short(row)}'] a").GetAttribute("href")!;
        Assert.StartsWith("sessions/ref/", link);
        Assert.Equal(row.SessionId, Services.GetRequiredService<SessionReferences>().Resolve(link["sessions/ref/".Length..]));

        cut.Find($"tr[data-id='{Short(row)}'] button[aria-label^='Copy the full id']").Click();
        cut.WaitForAssertion(() => Assert.Equal(1, actions.IdReveals));
        Assert.Equal(row.SessionId.ToString(), JSInterop.Invocations["navigator.clipboard.writeText"].Single().Arguments[0]);
    }

    [Fact]
    public void The_detail_names_the_session_by_its_short_id_and_an_operator_reveals_the_full_one()
    {
        SignIn(AdminRoles.Operator);
        var row = Row("user_1", SessionStatus.Active, TimeSpan.FromHours(1));
        sessions.Detail = new SessionDetail(row, """{"locale":"en"}""", [], 20);
        var reference = Services.GetRequiredService<SessionReferences>().Link(row.SessionId)["sessions/ref/".Length..];
        var cut = Render<SessionView>(p => p.Add(v => v.Reference, reference));

        cut.WaitForAssertion(() => Assert.Contains(Short(row), cut.Find("[data-testid=session-id]").TextContent));
        Assert.DoesNotContain(row.SessionId.ToString(), cut.Markup);
        Assert.Contains($"Session {Short(row)}", cut.Find("h1").TextContent);
        cut.FindAll("button").Single(b => b.TextContent.Contains("Reveal full id")).Click();

        cut.WaitForAssertion(() => Assert.Contains(row.SessionId.ToString(), cut.Find("[data-testid=session-id]").TextContent));
        Assert.Equal(1, actions.IdReveals);
    }

    [Fact]
    public void A_reference_that_was_altered_names_no_session()
    {
        SignIn(AdminRoles.Viewer);
        var cut = Render<SessionView>(p => p.Add(v => v.Reference, "CfDJ8-not-a-reference"));
        cut.WaitForAssertion(() => Assert.Contains("This link does not name a session", cut.Markup));
    }
}
