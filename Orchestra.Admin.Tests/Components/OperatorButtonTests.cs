using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Orchestra.Admin.Components.Controls;
using Orchestra.Admin.Security;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Components;

public class OperatorButtonTests : BunitSetup
{
    private sealed class FakePrivileges : IDatabasePrivileges
    {
        public string? Missing { get; set; }
        public List<(string, string)> Asked { get; } = [];
        public Task<string?> MissingAsync(string table, string privilege, CancellationToken ct = default)
        {
            Asked.Add((table, privilege));
            return Task.FromResult(Missing);
        }
    }

    private readonly FakePrivileges privileges = new();

    public OperatorButtonTests() => Services.AddSingleton<IDatabasePrivileges>(privileges);

    private IRenderedComponent<OperatorButton> RenderButton(Action clicked) =>
        Render<OperatorButton>(p => p
            .Add(b => b.Label, "Requeue")
            .Add(b => b.Requires, ("task_queue", "UPDATE"))
            .Add(b => b.OnClick, _ => clicked())
            .AddChildContent("Requeue"));

    [Fact]
    public void An_operator_gets_a_working_button_once_the_database_role_may_do_it()
    {
        var auth = AddAuthorization();
        auth.SetAuthorized("otto");
        auth.SetRoles(AdminRoles.Operator);
        var clicks = 0;

        var cut = RenderButton(() => clicks++);
        cut.WaitForAssertion(() => Assert.False(cut.Find("button").HasAttribute("disabled")));
        cut.Find("button").Click();

        Assert.Equal(1, clicks);
        Assert.Equal([("task_queue", "UPDATE")], privileges.Asked);
    }

    [Fact]
    public void A_viewer_sees_it_disabled_with_the_reason()
    {
        var auth = AddAuthorization();
        auth.SetAuthorized("vic");
        auth.SetRoles(AdminRoles.Viewer);

        var cut = RenderButton(() => throw new Xunit.Sdk.XunitException("a viewer's click must not run the action"));
        cut.WaitForAssertion(() => Assert.True(cut.Find("button").HasAttribute("disabled")));
        Assert.Equal("Requeue: Needs the Operator role: you are signed in as a Viewer.", cut.Find("span[aria-label]").GetAttribute("aria-label"));
        Assert.Empty(privileges.Asked);
    }

    [Fact]
    public void An_operator_on_a_read_only_database_role_sees_why()
    {
        var auth = AddAuthorization();
        auth.SetAuthorized("otto");
        auth.SetRoles(AdminRoles.Operator);
        privileges.Missing = "the database role orchestra_admin_app may not UPDATE task_queue (see sql/roles.sql)";

        var cut = RenderButton(() => { });
        cut.WaitForAssertion(() => Assert.Contains("may not UPDATE task_queue", cut.Find("span[aria-label]").GetAttribute("aria-label")));
        Assert.True(cut.Find("button").HasAttribute("disabled"));
    }
}
