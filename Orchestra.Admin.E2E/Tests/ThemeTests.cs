using Microsoft.Playwright;
using Orchestra.Admin.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestra.Admin.E2E.Tests;

/// <summary>The theme toggle switches between light and dark, and the browser remembers the choice.</summary>
public sealed class ThemeTests(AppFixture app) : E2ETest(app)
{
    [Fact]
    public Task Dark_theme_survives_a_reload_and_so_does_switching_back() => WithPageAsync(async page =>
    {
        var toDark = ThemeButton(page, "Switch to dark theme");
        var toLight = ThemeButton(page, "Switch to light theme");
        var body = page.Locator("body");

        // The browser prefers light (see AppFixture.NewContextAsync) and nothing is stored yet.
        await page.GotoAsync("/");
        await WaitForInteractiveAsync(page);
        await Expect(toDark).ToBeVisibleAsync();
        Assert.Null(await StoredThemeAsync(page));
        var lightBackground = await BackgroundAsync(page);

        await toDark.ClickAsync();
        await Expect(toLight).ToBeVisibleAsync();
        await Expect(body).Not.ToHaveCSSAsync("background-color", lightBackground);
        Assert.Equal("dark", await StoredThemeAsync(page));

        // The prerendered page is light; the stored choice is applied once the circuit connects.
        await page.ReloadAsync();
        await WaitForInteractiveAsync(page);
        await Expect(toLight).ToBeVisibleAsync();
        await Expect(body).Not.ToHaveCSSAsync("background-color", lightBackground);

        await toLight.ClickAsync();
        await Expect(toDark).ToBeVisibleAsync();
        await Expect(body).ToHaveCSSAsync("background-color", lightBackground);
        Assert.Equal("light", await StoredThemeAsync(page));

        // An explicit "light" wins over the browser's preference: prefer dark now, reload, stay light.
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Dark });
        await page.ReloadAsync();
        await WaitForInteractiveAsync(page);
        await Expect(toDark).ToBeVisibleAsync();
        await Expect(body).ToHaveCSSAsync("background-color", lightBackground);
        Assert.Equal("light", await StoredThemeAsync(page));
    });

    [Fact]
    public Task Without_a_stored_choice_the_browsers_preference_is_followed() => WithPageAsync(async page =>
    {
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Dark });
        await page.GotoAsync("/");
        await WaitForInteractiveAsync(page);
        await Expect(ThemeButton(page, "Switch to light theme")).ToBeVisibleAsync();
        Assert.Null(await StoredThemeAsync(page));
    });

    private static ILocator ThemeButton(IPage page, string name) =>
        page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = name, Exact = true });

    private static Task<string> BackgroundAsync(IPage page) =>
        page.Locator("body").EvaluateAsync<string>("b => getComputedStyle(b).backgroundColor");

    // Read without Storage.getItem, so the interactivity probe's count is not disturbed.
    private static Task<string?> StoredThemeAsync(IPage page) =>
        page.EvaluateAsync<string?>("key => Object.prototype.hasOwnProperty.call(localStorage, key) ? localStorage[key] : null",
            InteractivityProbe.ThemeStorageKey);
}
