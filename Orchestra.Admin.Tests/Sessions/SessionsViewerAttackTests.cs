using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Orchestra.Admin.Features.Sessions;
using Orchestra.Admin.Security;
using Orchestra.Admin.Tests.Infrastructure;
using static Orchestra.Admin.Tests.Sessions.SessionsTestData;

namespace Orchestra.Admin.Tests.Sessions;

/// <summary>
/// A Viewer reads the sessions pages, rendered by the real services on a real PostgreSQL, and looks for secrets in the markup
/// the server sends: tokens hidden under innocent keys or inside a JSON string, and the full session ids (a session cookie).
/// </summary>
public class SessionsViewerAttackTests : BunitSetup, IClassFixture<PostgresDatabase>
{
    private readonly PostgresDatabase db;

    public SessionsViewerAttackTests(PostgresDatabase db)
    {
        this.db = db;
        Services.AddSingleton<ISessionsService>(Service(db));
        Services.AddSingleton<ISessionActions>(Actions(db, FakeCurrentOperator.Viewer));
        Services.AddSingleton<IDatabasePrivileges>(new AllowAll());
        Services.AddSingleton<ICurrentOperator>(FakeCurrentOperator.Viewer);
        Services.AddDataProtection();
        Services.AddSingleton<SessionReferences>();
        var auth = AddAuthorization();
        auth.SetAuthorized("vera");
        auth.SetRoles(AdminRoles.Viewer);
    }

    /// <summary>How long to wait for a page to load from the database (the first load also opens the pool).</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private static AngleSharp.Dom.IElement NextPage(IRenderedComponent<SessionsPage> page) =>
        page.FindAll("button").Single(b => b.TextContent.Trim() == "Next page");

    private sealed class AllowAll : IDatabasePrivileges
    {
        public Task<string?> MissingAsync(string table, string privilege, CancellationToken ct = default) => Task.FromResult<string?>(null);
    }

    [Fact]
    public async Task A_viewer_reading_a_session_sees_no_token_hidden_under_an_innocent_key_or_inside_a_json_string_and_not_its_full_id()
    {
        var jwt = SecretSamples.Jwt();
        var opaque = SecretSamples.RandomToken(43);
        var inJson = SecretSamples.RandomToken(40);
        var id = await InsertAsync(db, new("victim", Data: $$$"""
            {"locale": "en-GB", "theme": "dark",
             "prefs": "{\"lang\": \"de\", \"oauth\": {\"access_token\": \"{{{inJson}}}\"}}",
             "last_request": "GET /api/me with Authorization: Bearer {{{opaque}}}",
             "x": "{{{jwt}}}", "jwt": "short", "sid": "s-1", "passwd": "p4ss", "private": "pk", "credential": "c", "bearer": "b"}
            """));

        var cut = Render<SessionView>(p => p.Add(v => v.Id, id));
        cut.WaitForAssertion(() => Assert.Contains("en-GB", cut.Markup), Patience);
        cut.WaitForAssertion(() =>
        {
            // Clicked again until it shows: a click on an element of a render that has since been replaced is lost.
            cut.FindAll(".mud-tab").Single(t => t.TextContent.Contains("Raw JSON")).Click();
            Assert.Contains("en-GB", cut.Find("[data-testid=raw-json]").TextContent);
        }, Patience);

        var markup = cut.Markup;
        Assert.Contains("dark", markup);
        Assert.Contains("de", markup);
        foreach (var secret in new[] { jwt, opaque, inJson, "s-1", "p4ss", "\"pk\"", "\"short\"" })
            Assert.DoesNotContain(secret, markup);
        SecretSamples.AssertNoFullId(id, markup);
    }

    [Fact]
    public async Task A_viewer_on_the_sessions_list_gets_no_full_session_id_in_the_rows_the_links_or_the_next_pages_url()
    {
        var user = "list-" + Guid.NewGuid().ToString("N")[..8];
        var ids = new List<Guid>();
        for (var i = 0; i < 30; i++) ids.Add(await InsertAsync(db, new(user, CreatedAgo: TimeSpan.FromMinutes(i + 1))));
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo($"sessions?user={user}");

        var cut = Render<SessionsPage>();
        cut.WaitForAssertion(() => Assert.Equal(25, cut.FindAll("tr[data-id]").Count), Patience);
        foreach (var id in ids) SecretSamples.AssertNoFullId(id, cut.Markup);

        cut.WaitForAssertion(() => Assert.False(NextPage(cut).HasAttribute("disabled")), Patience);
        NextPage(cut).Click();
        cut.WaitForAssertion(() => Assert.Contains("after=", navigation.Uri), Patience);
        foreach (var id in ids) SecretSamples.AssertNoFullId(id, navigation.Uri);

        var secondPage = Render<SessionsPage>(); // the next page's address, opened again: its sealed position still works
        secondPage.WaitForAssertion(() => Assert.Equal(5, secondPage.FindAll("tr[data-id]").Count), Patience);
        foreach (var id in ids) SecretSamples.AssertNoFullId(id, secondPage.Markup);
    }
}
