namespace Orchestra.Admin.Features.Health;

/// <summary><c>/healthz</c>: the process is alive. <c>/readyz</c>: its backends answer. Both unauthenticated, fast, secret-free.</summary>
public static class HealthEndpoints
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    public static void MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Text("ok")).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/readyz", async (BackendHealth health, CancellationToken ct) =>
        {
            var probes = await Task.WhenAll(health.ProbePostgresAsync(ProbeTimeout, ct), health.ProbeWeaviateAsync(ProbeTimeout, ct));
            var (postgres, weaviate) = (probes[0], probes[1]);
            var ready = postgres.Status is BackendStatus.Up or BackendStatus.Degraded
                        && weaviate.Status is BackendStatus.Up or BackendStatus.Degraded or BackendStatus.NotConfigured;
            return Results.Json(new
            {
                status = ready ? "ready" : "not ready",
                postgres = Describe(postgres),
                weaviate = Describe(weaviate),
            }, statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        }).AllowAnonymous().ExcludeFromDescription();
    }

    private static object Describe(BackendState s) => new
    {
        status = s.Status switch
        {
            BackendStatus.Up => "up",
            BackendStatus.Degraded => "degraded",
            BackendStatus.Down => "down",
            BackendStatus.NotConfigured => "not configured",
            _ => "checking",
        },
        detail = s.Detail,
        latencyMs = s.LatencyMs is { } ms ? Math.Round(ms, 1) : (double?)null,
    };
}
