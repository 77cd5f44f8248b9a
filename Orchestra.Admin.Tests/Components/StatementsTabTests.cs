using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Orchestra.Admin.Features.Postgres;
using Orchestra.Admin.Features.Postgres.Tabs;
using Orchestra.Admin.Security;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Components;

/// <summary>Fakes shared by the PostgreSQL tab tests.</summary>
internal sealed class AllowedPrivileges : IDatabasePrivileges
{
    public Task<string?> MissingAsync(string table, string privilege, CancellationToken ct = default) => Task.FromResult<string?>(null);
}

internal sealed class FakeStatementChecks : IStatementChecks
{
    public static readonly TopStatement Slow = new()
    {
        QueryId = 4242, UserName = "orchestra", Query = "SELECT * FROM documents WHERE data->>'kind' = $1",
        Calls = 250, TotalMs = 12_500, MeanMs = 50, MaxMs = 900, Rows = 1_000,
        SharedBlocksHit = 990, SharedBlocksRead = 10, HitRatio = 0.99, ShareOfTotalTime = 0.8,
    };

    public List<StatementOrder> Asked { get; } = [];
    public int Resets { get; private set; }
    public Func<StatementsReport> Report { get; set; } = () => new StatementsReport { Availability = StatementsAvailability.Available, Statements = [Slow] };
    public Func<ActionResult> Reset { get; set; } = () => new ActionResult(3, 77);
    public Dictionary<long, string> Texts { get; } = new() { [4242] = Slow.Query! };

    public Task<StatementsReport> TopStatementsAsync(StatementOrder order, int limit, CancellationToken ct = default)
    {
        Asked.Add(order);
        return Task.FromResult(Report());
    }

    public Task<string?> StatementTextAsync(long queryId, CancellationToken ct = default) => Task.FromResult(Texts.GetValueOrDefault(queryId));

    public Task<ActionResult> ResetAsync(CancellationToken ct = default)
    {
        Resets++;
        return Task.FromResult(Reset());
    }
}

public class StatementsTabTests : BunitSetup
{
    private readonly FakeStatementChecks checks = new();

    public StatementsTabTests()
    {
        Services.AddSingleton<IStatementChecks>(checks);
        Services.AddSingleton<IDatabasePrivileges, AllowedPrivileges>();
    }

    private void SignIn(string role)
    {
        var auth = AddAuthorization();
        auth.SetAuthorized(role == AdminRoles.Operator ? "otto" : "vera");
        auth.SetRoles(role);
    }

    [Fact]
    public void Shows_the_top_statements_with_their_numbers()
    {
        SignIn(AdminRoles.Viewer);
        var tab = Render<StatementsTab>();

        Assert.Equal("Top statements", tab.Find("section h2").TextContent);
        var row = tab.Find("[data-testid=statement-row]");
        Assert.Contains("SELECT * FROM documents WHERE data->>'kind' = $1", row.TextContent);
        Assert.Contains("250", row.TextContent);
        Assert.Contains("12.50 s", row.TextContent);
        Assert.Contains("50.00 ms", row.TextContent);
        Assert.Contains("99.0 %", row.TextContent);
        Assert.Equal([StatementOrder.TotalTime], checks.Asked);
    }

    [Fact]
    public void Without_pg_stat_statements_it_says_how_to_enable_it_instead_of_failing()
    {
        SignIn(AdminRoles.Viewer);
        checks.Report = () => new StatementsReport
        {
            Availability = StatementsAvailability.NotInstalled,
            HowToEnable = "The pg_stat_statements extension is not created in this database. " + StatementChecks.EnableSteps,
        };
        var tab = Render<StatementsTab>();

        var info = tab.Find("[data-testid=statements-unavailable]");
        Assert.Contains("not available", info.TextContent);
        Assert.Contains("shared_preload_libraries = 'pg_stat_statements'", info.TextContent);
        Assert.Contains("CREATE EXTENSION pg_stat_statements;", info.TextContent);
        Assert.Empty(tab.FindAll("[role=alert]"));
    }

    [Fact]
    public void No_statements_yet_says_why()
    {
        SignIn(AdminRoles.Viewer);
        checks.Report = () => new StatementsReport { Availability = StatementsAvailability.Available };
        var tab = Render<StatementsTab>();
        Assert.Contains("No statement of this database has been recorded", tab.Markup);
    }

    [Fact]
    public void Choosing_another_order_reloads_and_puts_it_in_the_url()
    {
        SignIn(AdminRoles.Viewer);
        var tab = Render<StatementsTab>();

        tab.FindAll("button").Single(b => b.TextContent.Trim() == "Mean time").Click();

        tab.WaitForAssertion(() => Assert.Equal([StatementOrder.TotalTime, StatementOrder.MeanTime], checks.Asked));
        Assert.Contains("order=mean", Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Fact]
    public void The_order_is_read_from_the_url()
    {
        SignIn(AdminRoles.Viewer);
        Services.GetRequiredService<NavigationManager>().NavigateTo("/postgres?tab=queries&order=calls");
        Render<StatementsTab>();
        Assert.Equal([StatementOrder.Calls], checks.Asked);
    }

    [Fact]
    public void Explain_opens_the_explain_tab_with_the_statement()
    {
        SignIn(AdminRoles.Viewer);
        var tab = Render<StatementsTab>();

        tab.Find("button[aria-label='Explain statement 4242']").Click();

        var uri = Services.GetRequiredService<NavigationManager>().Uri;
        Assert.Contains("tab=explain", uri);
        Assert.Contains("queryid=4242", uri);
    }

    [Fact]
    public void A_viewer_sees_reset_disabled_with_the_reason()
    {
        SignIn(AdminRoles.Viewer);
        var tab = Render<StatementsTab>();

        tab.WaitForAssertion(() => Assert.Equal("Reset statistics: Needs the Operator role: you are signed in as a Viewer.",
            tab.Find("span[aria-label^='Reset statistics']").GetAttribute("aria-label")));
        Assert.True(tab.FindAll("button").Single(b => b.TextContent.Contains("Reset statistics")).HasAttribute("disabled"));
    }

    [Fact]
    public async Task An_operator_confirms_the_reset_and_sees_what_it_cleared()
    {
        SignIn(AdminRoles.Operator);
        var dialogs = Render<MudDialogProvider>();
        var tab = Render<StatementsTab>();

        tab.WaitForAssertion(() => Assert.False(tab.FindAll("button").Single(b => b.TextContent.Contains("Reset statistics")).HasAttribute("disabled")));
        // The click's handler waits for the confirmation: not awaited until the dialog is answered.
        var clicked = tab.FindAll("button").Single(b => b.TextContent.Contains("Reset statistics")).ClickAsync(new());

        dialogs.WaitForAssertion(() => Assert.Contains("Reset statement statistics?", dialogs.Markup));
        Assert.Equal(0, checks.Resets); // nothing before the confirmation
        await dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Reset").ClickAsync(new());
        await clicked.WaitAsync(TimeSpan.FromSeconds(10));

        tab.WaitForAssertion(() => Assert.Contains("3 statements cleared", tab.Find("[data-testid=statements-action]").TextContent));
        Assert.Equal(1, checks.Resets);
        Assert.Equal(2, checks.Asked.Count); // reloaded after the reset
    }

    [Fact]
    public async Task Cancelling_the_confirmation_resets_nothing()
    {
        SignIn(AdminRoles.Operator);
        var dialogs = Render<MudDialogProvider>();
        var tab = Render<StatementsTab>();
        tab.WaitForAssertion(() => Assert.False(tab.FindAll("button").Single(b => b.TextContent.Contains("Reset statistics")).HasAttribute("disabled")));

        var clicked = tab.FindAll("button").Single(b => b.TextContent.Contains("Reset statistics")).ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.Contains("Reset statement statistics?", dialogs.Markup));
        await dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel").ClickAsync(new());
        await clicked.WaitAsync(TimeSpan.FromSeconds(10));

        dialogs.WaitForAssertion(() => Assert.DoesNotContain("Reset statement statistics?", dialogs.Markup));
        Assert.Equal(0, checks.Resets);
    }
}
