using System.Net;
using System.Text.Json;
using Orchestra.Admin.E2E.Infrastructure;

namespace Orchestra.Admin.E2E.Tests;

/// <summary>/healthz and /readyz as a load balancer or an orchestrator sees them: plain HTTP, no browser.</summary>
public sealed class HealthEndpointTests(AppFixture app) : E2ETest(app)
{
    [Fact]
    public Task Healthz_says_ok() => WithAppDiagnosticsAsync(async () =>
    {
        using var response = await App.Http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
    });

    [Fact]
    public Task Readyz_reports_PostgreSQL_and_Weaviate_up() => WithAppDiagnosticsAsync(async () =>
    {
        using var response = await App.Http.GetAsync("/readyz");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"/readyz answered {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);

        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        Assert.Equal("ready", root.GetProperty("status").GetString());

        var postgres = root.GetProperty("postgres");
        Assert.Equal("up", postgres.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Number, postgres.GetProperty("latencyMs").ValueKind);
        Assert.True(postgres.GetProperty("latencyMs").GetDouble() >= 0);

        var weaviate = root.GetProperty("weaviate");
        Assert.Equal("up", weaviate.GetProperty("status").GetString()); // the emulator (see AppFixture)

        // Nothing secret in it: the DSN's user name or database never appear.
        Assert.DoesNotContain(App.DatabaseName, body);
        Assert.DoesNotContain("postgresql://", body);
    });
}
