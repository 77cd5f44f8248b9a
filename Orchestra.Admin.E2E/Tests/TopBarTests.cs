using Microsoft.Playwright;
using Orchestra.Admin.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestra.Admin.E2E.Tests;

/// <summary>The top bar tells at a glance which backends answer.</summary>
public sealed class TopBarTests(AppFixture app) : E2ETest(app)
{
    [Fact]
    public Task Shows_both_backends_connected_and_marks_the_Weaviate_emulator() => WithPageAsync(async page =>
    {
        await page.GotoAsync("/");
        var backends = page.GetByRole(AriaRole.Status, new PageGetByRoleOptions { Name = "Backend connections" });
        await Expect(backends.GetByLabel("PostgreSQL: connected", new LocatorGetByLabelOptions { Exact = true })).ToBeVisibleAsync();
        var weaviate = backends.GetByLabel("Weaviate: connected", new LocatorGetByLabelOptions { Exact = true });
        await Expect(weaviate).ToBeVisibleAsync();
        await Expect(weaviate).ToHaveTextAsync("Weaviate (emulator)");
    });
}
