using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Features.Postgres;
using Orchestra.Admin.Features.Postgres.Tabs;
using Orchestra.Admin.Security;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Components;

public class ExplainTabTests : BunitSetup
{
    private sealed class FakeExplainService : IExplainService
    {
        public List<(string Query, bool Analyze)> Calls { get; } = [];
        public Func<string, bool, ExplainResult> Answer { get; set; } = (q, a) => Plan(q, a);
        public TimeSpan StatementTimeout => TimeSpan.FromSeconds(5);
        public string? AnalyzeUnavailable { get; set; }
        public Task<string?> AnalyzeUnavailableAsync(CancellationToken ct = default) => Task.FromResult(AnalyzeUnavailable);

        public Task<ExplainResult> ExplainAsync(string query, bool analyze = false, CancellationToken ct = default)
        {
            Calls.Add((query, analyze));
            return Task.FromResult(Answer(query, analyze));
        }
    }

    // A real plan shape, through the real parser: Aggregate over a Seq Scan that takes most of the cost.
    private static ExplainResult Plan(string query, bool analyze)
    {
        var parsed = ExplainPlan.Parse("""
            [{"Plan": {"Node Type": "Aggregate", "Strategy": "Plain", "Startup Cost": 95, "Total Cost": 100, "Plan Rows": 1, "Plan Width": 8,
              "Plans": [{"Node Type": "Seq Scan", "Parent Relationship": "Outer", "Relation Name": "documents", "Schema": "public", "Alias": "documents",
                         "Startup Cost": 0, "Total Cost": 90, "Plan Rows": 5000, "Plan Width": 0, "Filter": "(collection = 'x'::text)"}]}}]
            """);
        return new ExplainResult { Statement = query, Analyzed = analyze, Plan = parsed.Root, PlanJson = "[{}]" };
    }

    private readonly FakeExplainService service = new();
    private readonly FakeStatementChecks statements = new();

    public ExplainTabTests()
    {
        Services.AddSingleton<IExplainService>(service);
        Services.AddSingleton<IStatementChecks>(statements);
        Services.AddSingleton<IDatabasePrivileges, AllowedPrivileges>();
    }

    private void SignIn(string role)
    {
        var auth = AddAuthorization();
        auth.SetAuthorized(role == AdminRoles.Operator ? "otto" : "vera");
        auth.SetRoles(role);
    }

    private static AngleSharp.Dom.IElement Button(IRenderedComponent<ExplainTab> tab, string text) =>
        tab.FindAll("button").Single(b => b.TextContent.Trim() == text);

    [Fact]
    public void The_query_field_is_labelled_and_explain_shows_the_tree_with_the_costly_node_highlighted()
    {
        SignIn(AdminRoles.Viewer);
        var tab = Render<ExplainTab>();

        var textarea = tab.Find("textarea");
        Assert.Equal("Query", tab.Find($"label[for='{textarea.Id}']").TextContent);
        textarea.Change("SELECT count(*) FROM documents WHERE collection = 'x'");
        tab.Find("form").Submit();

        tab.WaitForAssertion(() => Assert.Equal(2, tab.FindAll("[data-testid=plan-node]").Count));
        Assert.Equal([("SELECT count(*) FROM documents WHERE collection = 'x'", false)], service.Calls);
        var nodes = tab.FindAll("[data-testid=plan-node]");
        Assert.Equal("Aggregate", nodes[0].QuerySelector("[data-testid=plan-node-title]")!.TextContent);
        Assert.Equal("false", nodes[0].GetAttribute("data-costly"));
        Assert.Equal("Seq Scan on public.documents", nodes[1].QuerySelector("[data-testid=plan-node-title]")!.TextContent);
        Assert.Equal("true", nodes[1].GetAttribute("data-costly"));
        Assert.Contains("costly", nodes[1].TextContent);
        Assert.Contains("Filter: (collection = 'x'::text)", nodes[1].TextContent);
        Assert.Contains("rolled back", tab.Markup); // the note on ANALYZE is always there
    }

    [Fact]
    public void Bad_input_is_shown_next_to_the_field_and_what_was_typed_stays()
    {
        SignIn(AdminRoles.Viewer);
        service.Answer = (_, _) => throw new InvalidInputException("query",
            "Only one statement can be explained, but a second one starts at line 1, column 11 (after the ';' at line 1, column 9).");
        var tab = Render<ExplainTab>();

        tab.Find("textarea").Change("SELECT 1; SELECT 2");
        Button(tab, "Explain").Click();

        tab.WaitForAssertion(() => Assert.Contains("a second one starts at line 1, column 11", tab.Find(".mud-input-helper-text.mud-input-error").TextContent));
        Assert.Equal("SELECT 1; SELECT 2", tab.Find("textarea").GetAttribute("value") ?? tab.Find("textarea").TextContent);
        Assert.Empty(tab.FindAll("[data-testid=plan-node]"));
    }

    [Fact]
    public void A_viewer_sees_explain_analyze_disabled_with_the_reason()
    {
        SignIn(AdminRoles.Viewer);
        var tab = Render<ExplainTab>();

        tab.WaitForAssertion(() => Assert.True(Button(tab, "Explain analyze").HasAttribute("disabled")));
        Assert.Equal("Explain analyze: Needs the Operator role: you are signed in as a Viewer.",
            tab.Find("span[aria-label^='Explain analyze']").GetAttribute("aria-label"));
        Assert.False(Button(tab, "Explain").HasAttribute("disabled"));
    }

    [Fact]
    public void An_operator_sees_explain_analyze_disabled_when_it_cannot_run_contained()
    {
        SignIn(AdminRoles.Operator);
        service.AnalyzeUnavailable = "orchestra_admin.explain_analyze(text) is missing: run sql/roles.sql as the database owner.";
        var tab = Render<ExplainTab>();

        tab.WaitForAssertion(() => Assert.Equal(
            "Explain analyze: Not possible: orchestra_admin.explain_analyze(text) is missing: run sql/roles.sql as the database owner.",
            tab.Find("span[aria-label^='Explain analyze']").GetAttribute("aria-label")));
        Assert.True(Button(tab, "Explain analyze").HasAttribute("disabled"));
        Assert.False(Button(tab, "Explain").HasAttribute("disabled"));
    }

    [Fact]
    public void An_operator_runs_explain_analyze_and_a_timeout_is_explained()
    {
        SignIn(AdminRoles.Operator);
        service.Answer = (_, analyze) => analyze
            ? throw new QueryTimeoutException(ExplainService.AnalyzeAction, TimeSpan.FromSeconds(5), new Exception())
            : Plan("", false);
        var tab = Render<ExplainTab>();
        tab.WaitForAssertion(() => Assert.False(Button(tab, "Explain analyze").HasAttribute("disabled")));

        tab.Find("textarea").Change("SELECT pg_sleep(60)");
        Button(tab, "Explain analyze").Click();

        tab.WaitForAssertion(() => Assert.Contains("stopped after 5 s", tab.Find("[data-testid=explain-error]").TextContent));
        Assert.Equal([("SELECT pg_sleep(60)", true)], service.Calls);
        Assert.Contains("rolled back", tab.Find("[data-testid=explain-error]").TextContent);
    }

    [Fact]
    public void A_statement_linked_from_the_queries_tab_is_filled_in()
    {
        SignIn(AdminRoles.Viewer);
        Services.GetRequiredService<NavigationManager>().NavigateTo("/postgres?tab=explain&queryid=4242");

        var tab = Render<ExplainTab>();

        tab.WaitForAssertion(() => Assert.Equal(FakeStatementChecks.Slow.Query,
            tab.Find("textarea").GetAttribute("value") ?? tab.Find("textarea").TextContent));
        Assert.Empty(service.Calls); // filled in, not run
    }

    [Fact]
    public void A_top_statement_can_be_picked()
    {
        SignIn(AdminRoles.Viewer);
        var tab = Render<ExplainTab>();

        tab.WaitForAssertion(() => Assert.Contains(tab.FindAll("button"), b => b.TextContent.Trim() == "Use"));
        Button(tab, "Use").Click();

        tab.WaitForAssertion(() => Assert.Equal(FakeStatementChecks.Slow.Query,
            tab.Find("textarea").GetAttribute("value") ?? tab.Find("textarea").TextContent));
    }
}
