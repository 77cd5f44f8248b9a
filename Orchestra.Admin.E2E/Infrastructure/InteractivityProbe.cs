using Microsoft.Playwright;

namespace Orchestra.Admin.E2E.Infrastructure;

/// <summary>
/// Tells when a Blazor Server page has become interactive. Prerendered HTML looks finished before the circuit
/// connects, and a click on it is lost; the layout also settles the theme in its first interactive render, and a
/// click racing that is overwritten. MainLayout marks itself <c>data-interactive="true"</c> once both are done.
/// </summary>
public static class InteractivityProbe
{
    /// <summary>The key MainLayout keeps the operator's theme under.</summary>
    public const string ThemeStorageKey = "orchestra-admin-theme";

    /// <summary>Waits until the page's circuit is interactive and the layout has settled.</summary>
    public static async Task WaitAsync(IPage page, float timeoutMs = 30_000) =>
        await page.Locator("[data-interactive=true]").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached, Timeout = timeoutMs });
}
