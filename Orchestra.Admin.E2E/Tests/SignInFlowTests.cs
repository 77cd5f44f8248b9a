using Microsoft.Playwright;
using Orchestra.Admin.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestra.Admin.E2E.Tests;

/// <summary>Signing in and out through the form, as an operator does.</summary>
public sealed class SignInFlowTests(AppFixture app) : E2ETest(app)
{
    private static ILocator Field(IPage page, string label) => page.GetByLabel(label, new PageGetByLabelOptions { Exact = true });

    private static ILocator Button(IPage page, string name) => page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = name, Exact = true });

    [Fact]
    public async Task A_wrong_password_is_answered_at_the_form_and_the_right_one_opens_the_page_asked_for()
    {
        await using var context = await App.NewContextAsync(signedIn: false);
        var page = await context.NewPageAsync();

        await page.GotoAsync("/audit");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login\\?returnUrl=%2Faudit$"));
        await Field(page, "User name").FillAsync(App.OperatorUserName);
        await Field(page, "Password").FillAsync("not-the-password");
        await Button(page, "Sign in").ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("User name or password is wrong.");
        await Expect(Field(page, "User name")).ToHaveValueAsync(App.OperatorUserName);
        await Expect(Field(page, "Password")).ToBeEmptyAsync();

        await Field(page, "Password").FillAsync(App.OperatorPassword);
        await Button(page, "Sign in").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new PageGetByRoleOptions { Name = "Audit log", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("signed-in-user")).ToContainTextAsync($"{App.OperatorUserName} · Operator");
    }

    [Fact]
    public async Task Sign_out_ends_the_session_for_every_page()
    {
        // Its own sign-in: signing out must not end the shared one the other tests use.
        await using var context = await App.NewContextAsync(signedIn: false);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/login");
        await Field(page, "User name").FillAsync(App.OperatorUserName);
        await Field(page, "Password").FillAsync(App.OperatorPassword);
        await Button(page, "Sign in").ClickAsync();
        await WaitForInteractiveAsync(page);

        await Button(page, "Sign out").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("You are signed out.");

        await page.GotoAsync("/");
        await Expect(Field(page, "User name")).ToBeVisibleAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login\\?returnUrl=%2F$"));
    }

    /// <summary>
    /// A page left open keeps its circuit, and the circuit kept the sign-in it started with. Signing out in another tab
    /// (or the sign-in expiring) must end it: at its next revalidation (AppFixture sets 2 s) it goes to the sign-in page.
    /// </summary>
    [Fact]
    public async Task Signing_out_in_another_tab_ends_the_page_left_open()
    {
        await using var context = await App.NewContextAsync(signedIn: false);
        var left = await context.NewPageAsync();
        await left.GotoAsync("/login?returnUrl=%2Faudit");
        await Field(left, "User name").FillAsync(App.OperatorUserName);
        await Field(left, "Password").FillAsync(App.OperatorPassword);
        await Button(left, "Sign in").ClickAsync();
        await Expect(left.GetByRole(AriaRole.Heading, new PageGetByRoleOptions { Name = "Audit log", Level = 1 })).ToBeVisibleAsync();
        await WaitForInteractiveAsync(left);

        var other = await context.NewPageAsync();
        await other.GotoAsync("/");
        await WaitForInteractiveAsync(other);
        await Button(other, "Sign out").ClickAsync();
        await Expect(other.GetByRole(AriaRole.Status)).ToHaveTextAsync("You are signed out.");

        await Expect(left).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login\\?returnUrl=%2Faudit$"));
        await Expect(Field(left, "User name")).ToBeVisibleAsync();
    }
}

/// <summary>A Viewer account (configured, not the dev login) signs in and is shown as a Viewer.</summary>
[Collection(AppCollection.Name)]
public sealed class ViewerSignInTests(AppFixture app, SignInApp viewerApp) : IClassFixture<SignInApp>
{
    [Fact]
    public async Task A_viewer_signs_in_and_the_top_bar_says_so()
    {
        await using var context = await app.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = viewerApp.App.BaseUrl.ToString() });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        await page.GetByLabel("User name", new PageGetByLabelOptions { Exact = true }).FillAsync(SignInApp.ViewerName);
        await page.GetByLabel("Password", new PageGetByLabelOptions { Exact = true }).FillAsync(SignInApp.ViewerPassword);
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Sign in", Exact = true }).ClickAsync();

        await Expect(page.GetByTestId("signed-in-user")).ToContainTextAsync($"{SignInApp.ViewerName} · Viewer");
        await Expect(page.GetByRole(AriaRole.Heading, new PageGetByRoleOptions { Name = "Overview", Level = 1 })).ToBeVisibleAsync();
    }
}
