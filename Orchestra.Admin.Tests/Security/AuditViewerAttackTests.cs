using System.Net;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestra.Admin.Features.Audit;
using Orchestra.Admin.Hosting;
using Orchestra.Admin.Security;
using Orchestra.Admin.Tests.Infrastructure;
using Orchestra.Admin.Tests.Sessions;
using static Orchestra.Admin.Tests.Sessions.SessionsTestData;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace Orchestra.Admin.Tests.Security;

/// <summary>
/// A Viewer reads <c>/audit</c>, rendered by the real audit service on a real PostgreSQL, after operators deleted and changed
/// rows holding secrets and after someone typed a password into the user name field: the markup the server sends holds none of it.
/// </summary>
public class AuditViewerAttackTests : BunitSetup, IClassFixture<PostgresDatabase>
{
    private readonly PostgresDatabase db;
    private readonly SwitchableOperator who = new();
    private readonly OrchestraAdminOptions options;

    public AuditViewerAttackTests(PostgresDatabase db)
    {
        this.db = db;
        options = TestServices.Options(db);
        options.Accounts = [new AdminAccount("otto", AdminRoles.Operator, PasswordHashing.Hash("otto-pw")), new AdminAccount("vera", AdminRoles.Viewer, PasswordHashing.Hash("vera-pw"))];
        Services.AddSingleton(MsOptions.Create(options));
        Services.AddSingleton<IAuditService>(new AuditService(TestServices.QueryRunner(db)));
        Services.AddSingleton<ICurrentOperator>(who);
    }

    private sealed class SwitchableOperator : ICurrentOperator
    {
        public ICurrentOperator Current { get; set; } = FakeCurrentOperator.Viewer;
        public Task<OperatorIdentity> GetAsync() => Current.GetAsync();
    }

    /// <summary>The audit page as <paramref name="role"/> shows it, filtered by the URL, every entry's details opened.</summary>
    private string AuditMarkup(string query, ICurrentOperator role)
    {
        who.Current = role;
        Services.GetRequiredService<NavigationManager>().NavigateTo("audit" + query);
        var cut = Render<AuditLogPage>();
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("tbody tr")), TimeSpan.FromSeconds(15));
        // Find and click on the renderer's thread: a render between the two (the page's own refresh) would drop the handler found.
        while (cut.InvokeAsync(() =>
               {
                   if (cut.FindAll("button").FirstOrDefault(b => b.TextContent.Trim() == "Details") is not { } details) return false;
                   details.Click();
                   return true;
               }).GetAwaiter().GetResult()) { }
        return cut.Markup;
    }

    [Fact]
    public async Task A_viewer_reading_the_audit_log_after_sessions_were_cleaned_up_and_rows_of_every_table_were_changed_sees_no_secret()
    {
        var jwt = SecretSamples.Jwt();
        var t = Enumerable.Range(0, 10).Select(_ => SecretSamples.RandomToken(40)).ToArray();
        var basic = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("svc:" + t[9][..12]));
        var user = "gone-" + Guid.NewGuid().ToString("N")[..8];
        var deleted = await InsertAllAsync(db,
            new(user, ExpiresIn: -TimeSpan.FromDays(40), CreatedAgo: TimeSpan.FromDays(41), Data: $$$"""
                {"locale": "fr-FR", "prefs": "{\"oauth\": {\"access_token\": \"{{{t[0]}}}\"}}", "note": "Bearer {{{t[1]}}}", "x": "{{{jwt}}}", "api_key": "{{{t[2]}}}"}
                """),
            new(user, ExpiresIn: -TimeSpan.FromDays(40), CreatedAgo: TimeSpan.FromDays(41)));
        var live = await InsertAsync(db, new("alive", Data: """{"csrf_token": "c"}"""));
        var operatorActions = Actions(db, FakeCurrentOperator.Operator);
        var plan = await operatorActions.PlanCleanupAsync(30);
        Assert.Equal(2, (await operatorActions.CleanupAsync(plan)).Deleted);
        await operatorActions.RevealAsync(live); // a live session's id in the audit entry's targets
        await operatorActions.ExtendAsync(live, TimeSpan.FromHours(1), (await Service(db).GetAsync(live))!.Session.ExpiresAt);

        // The other tables' entries as their actions write them: the rows before the change, the operator's parameters, an error.
        var audit = new AuditLog(db.DataSource, NullLogger<AuditLog>.Instance);
        await audit.TryWriteAsync(new AuditEntry("document.delete", "otto", AdminRoles.Operator, IPAddress.Loopback, true, "documents", [Guid.NewGuid().ToString()],
            new { collection = "notes", comment = $"asked by ticket with Bearer {t[3]}" },
            $$$"""{"id": "1", "collection": "notes", "data": {"title": "Q3 plan", "blob": "{\"refresh_token\": \"{{{t[4]}}}\"}"}, "metadata": {"auth": "{{{t[5]}}}"}}""", 1));
        await audit.TryWriteAsync(new AuditEntry("task.delete", "otto", AdminRoles.Operator, IPAddress.Loopback, true, "task_queue", ["t1"],
            new { filter = new { payload = new { webhook_secret = t[6] } } },
            $$$"""[{"id": "t1", "task_type": "send_email", "payload": {"callback": "https://hooks.example.com/cb?sig={{{t[7]}}}"}, "error": "HTTP 401 for {{{jwt}}}"}]""", 1));
        await audit.TryWriteAsync(new AuditEntry("cache.delete", "otto", AdminRoles.Operator, IPAddress.Loopback, false, "cache.default_cache", ["user:7:profile"],
            new { key = "user:7:profile" }, $$$"""[{"key": "user:7:profile", "value": {"name": "Ada", "session": "{{{t[8]}}}"}}]""",
            Error: $"upstream said: Authorization: Basic {basic} was refused"));

        var markup = AuditMarkup("", FakeCurrentOperator.Viewer);

        Assert.Contains("fr-FR", markup); // what is not secret is still shown
        Assert.Contains("Q3 plan", markup);
        Assert.Contains("user:7:profile", markup);
        Assert.Contains("hooks.example.com", markup);
        foreach (var secret in t[..9].Append(jwt)) Assert.DoesNotContain(secret, markup);
        Assert.DoesNotContain(basic, markup);
        foreach (var id in deleted.Append(live)) SecretSamples.AssertNoFullId(id, markup);
    }

    [Fact]
    public async Task A_password_typed_as_the_user_name_is_never_shown_to_a_viewer_and_only_its_start_to_an_operator()
    {
        const string typed = "Correct-Horse-Battery-Staple-42";
        var login = new LoginService(MsOptions.Create(options), new AuditLog(db.DataSource, NullLogger<AuditLog>.Instance),
            new SignIns(TestServices.QueryRunner(db), MsOptions.Create(options), TimeProvider.System, NullLogger<SignIns>.Instance), NullLogger<LoginService>.Instance);
        Assert.Equal(LoginResult.Invalid, await login.SignInAsync(new DefaultHttpContext(), $"  {typed} ", "whatever"));
        Assert.Equal(LoginResult.Invalid, await login.SignInAsync(new DefaultHttpContext(), "VERA", "wrong")); // a known account's name is no secret

        var asViewer = AuditMarkup("?action=sign-in", FakeCurrentOperator.Viewer);
        Assert.DoesNotContain("Cor", asViewer);
        Assert.Contains("vera", asViewer);

        var asOperator = AuditMarkup("?action=sign-in", FakeCurrentOperator.Operator);
        Assert.Contains("Cor…", asOperator);
        Assert.DoesNotContain("Corr", asOperator);

        // What the log keeps: not the typed text.
        await using var conn = await db.OpenOtherConnectionAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("SELECT count(*) FROM orchestra_admin.audit_log WHERE actor LIKE '%Horse%' OR parameters::text LIKE '%Horse%'", conn);
        Assert.Equal(0L, await cmd.ExecuteScalarAsync());
    }
}
