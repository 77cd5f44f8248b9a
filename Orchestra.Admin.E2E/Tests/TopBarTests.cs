using Microsoft.Playwright;
using Orchestra.Admin.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestra.Admin.E2E.Tests;

/// <summary>The top bar tells at a glance which backends answer.</summary>
public sealed class TopBarTests(AppFixture app) : E2ETest(app)
{
    [Fact]
    public Task Shows_PostgreSQL_connected_and_Weaviate_not_configured() => WithPageAsync(async page =>
    {
        await page.GotoAsync("/");
        var backends = page.GetByRole(AriaRole.Status, new PageGetByRoleOptions { Name = "Backend connections" });
        await Expect(backends.GetByLabel("PostgreSQL: connected", new LocatorGetByLabelOptions { Exact = true })).ToBeVisibleAsync();
        await Expect(backends.GetByLabel("Weaviate: not configured", new LocatorGetByLabelOptions { Exact = true })).ToBeVisibleAsync();
    });
}
