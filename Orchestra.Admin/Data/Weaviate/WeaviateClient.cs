namespace Orchestra.Admin.Data.Weaviate;

/// <summary>Weaviate over its REST + GraphQL API. Registered only when WEAVIATE_URL is set.</summary>
public interface IWeaviateClient
{
    /// <summary>GET /v1/.well-known/ready: true on 2xx, false on 503 (alive but not ready); throws when there is no answer.</summary>
    Task<bool> IsReadyAsync(CancellationToken ct = default);
}

/// <summary>Typed HttpClient: base address and the API key (Authorization: Bearer) are set at registration.</summary>
public sealed class WeaviateClient(HttpClient http) : IWeaviateClient
{
    public async Task<bool> IsReadyAsync(CancellationToken ct = default)
    {
        using var response = await http.GetAsync("v1/.well-known/ready", ct);
        return response.IsSuccessStatusCode;
    }
}
