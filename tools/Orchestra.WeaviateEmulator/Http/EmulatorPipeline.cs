using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Orchestra.WeaviateEmulator;

/// <summary>Marks the emulated Weaviate routes (these need the API key when one is configured).</summary>
internal sealed class WeaviateRouteMetadata
{
    public static readonly WeaviateRouteMetadata Instance = new();
}

/// <summary>
/// The request pipeline: faults (/v1 only) → health endpoints (before auth, exact path) → routing →
/// unknown route / 405 in go-openapi's format → API-key check → the handlers. The control endpoint
/// <c>/_emulator/faults</c> is outside /v1: no faults, no API key.
/// </summary>
internal static class EmulatorPipeline
{
    private const string Live = "/v1/.well-known/live";
    private const string Ready = "/v1/.well-known/ready";

    public static void Configure(WebApplication app, EmulatorContext ctx)
    {
        app.Use((http, next) => FaultsAndHealth(http, next, ctx));
        app.UseRouting();
        app.Use((http, next) => RoutesAndAuth(http, next, ctx));

        var v1 = app.MapGroup("/v1");
        v1.WithMetadata(WeaviateRouteMetadata.Instance);
        v1.MapGet("/.well-known/live", http => Responses.Empty(http, 200));
        v1.MapGet("/.well-known/ready", http => Responses.Empty(http, ctx.Faults.ReadyUnavailable ? 503 : 200));
        v1.MapGet("/meta", http => RestHandlers.Meta(http, ctx));
        v1.MapGet("/nodes", http => RestHandlers.Nodes(http, ctx, null));
        v1.MapGet("/nodes/{className}", http => RestHandlers.Nodes(http, ctx, Route(http, "className")));
        v1.MapGet("/cluster/statistics", http => RestHandlers.ClusterStatistics(http, ctx));
        v1.MapGet("/schema", http => RestHandlers.GetSchema(http, ctx));
        v1.MapPost("/schema", http => RestHandlers.CreateClass(http, ctx));
        v1.MapGet("/schema/{className}", http => RestHandlers.GetClass(http, ctx, Route(http, "className")));
        v1.MapDelete("/schema/{className}", http => RestHandlers.DeleteClass(http, ctx, Route(http, "className")));
        v1.MapGet("/schema/{className}/shards", http => RestHandlers.GetShards(http, ctx, Route(http, "className")));
        v1.MapPut("/schema/{className}/shards/{shardName}", http => RestHandlers.UpdateShard(http, ctx, Route(http, "className"), Route(http, "shardName")));
        v1.MapGet("/objects", http => RestHandlers.ListObjects(http, ctx));
        v1.MapPost("/objects", http => RestHandlers.CreateObject(http, ctx));
        v1.MapGet("/objects/{className}/{id}", http => RestHandlers.GetObject(http, ctx, Route(http, "className"), Route(http, "id")));
        v1.MapDelete("/objects/{className}/{id}", http => RestHandlers.DeleteObject(http, ctx, Route(http, "className"), Route(http, "id")));
        v1.MapMethods("/objects/{className}/{id}", [HttpMethods.Head], http => RestHandlers.ObjectExists(http, ctx, Route(http, "className"), Route(http, "id")));
        v1.MapPost("/batch/objects", http => RestHandlers.BatchObjects(http, ctx));
        v1.MapPost("/graphql", http => RestHandlers.GraphQL(http, ctx));
        foreach (var kind in new[] { "bm25", "hybrid", "near-object", "near-text" })
            v1.MapPost($"/search/{{collection}}/{kind}", http => RestSearchHandlers.Search(http, ctx, Route(http, "collection"), kind));
        // OpenAI's contract, not Weaviate's: outside the group, so it checks the API key itself and answers in OpenAI's shape.
        app.MapPost(OpenAIEmbeddingsEndpoint.Path, http => OpenAIEmbeddingsEndpoint.Handle(http, ctx));
        // GET /v1 lists links and, like the health endpoints, needs no credentials.
        app.MapGet("/v1", http => RestHandlers.Root(http, ctx));

        app.MapGet("/_emulator", http => Responses.Json(http, 200, Info(ctx)));
        app.MapGet("/_emulator/faults", http => WriteFaults(http, ctx));
        app.MapPut("/_emulator/faults", http => SetFaults(http, ctx, replace: true));
        app.MapPost("/_emulator/faults", http => SetFaults(http, ctx, replace: false));
        app.MapDelete("/_emulator/faults", http =>
        {
            ctx.Faults.Reset();
            return WriteFaults(http, ctx);
        });
    }

    private static string Route(HttpContext http, string name) => (string)http.Request.RouteValues[name]!;

    private static bool IsV1(string path) => path == "/v1" || path.StartsWith("/v1/", StringComparison.Ordinal);

    private static async Task FaultsAndHealth(HttpContext http, RequestDelegate next, EmulatorContext ctx)
    {
        var path = http.Request.Path.Value ?? "";
        if (!IsV1(path))
        {
            await next(http);
            return;
        }
        var faults = ctx.Faults;
        var isHealth = path is Live or Ready;

        if (faults.LatencyMs is > 0 and var latency)
        {
            try
            {
                await Task.Delay(latency, http.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return; // the client gave up
            }
        }
        if (faults.DropConnections && faults.Targets(path))
        {
            http.Abort();
            return;
        }
        // middlewares.go: answered before auth, only for the exact path (no query string).
        if (isHealth && HttpMethods.IsGet(http.Request.Method) && !http.Request.QueryString.HasValue)
        {
            await Responses.Empty(http, path == Ready && faults.ReadyUnavailable ? 503 : 200);
            return;
        }
        if (!isHealth && faults.StatusCode is { } status && faults.Targets(path))
        {
            if (faults.RetryAfterSeconds is { } retryAfter)
                http.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await (path == OpenAIEmbeddingsEndpoint.Path ? OpenAIFault(http, status, faults)
                : status == 401 ? Responses.OpenApi(http, 401, 401, "unauthorized: invalid api key")
                : Responses.Error(http, status, faults.StatusMessage ?? $"emulated fault: the emulator was told to answer {status}"));
            return;
        }
        if (!isHealth && faults.MalformedJson && faults.Targets(path))
        {
            await Truncated(http, next);
            return;
        }
        await next(http);
    }

    /// <summary>A status fault on /v1/embeddings, in OpenAI's error shape.</summary>
    private static Task OpenAIFault(HttpContext http, int status, EmulatorFaults faults) => Responses.Json(http, status, status == 429
        ? OpenAIEmbeddingsEndpoint.RateLimitBody(faults.RetryAfterSeconds)
        : OpenAIEmbeddingsEndpoint.ErrorBody(faults.StatusMessage ?? $"emulated fault: the emulator was told to answer {status}",
            status >= 500 ? "server_error" : "invalid_request_error", null, null));

    /// <summary>Runs the request into a buffer and sends only the first half of the body (at least <c>{"</c>).</summary>
    private static async Task Truncated(HttpContext http, RequestDelegate next)
    {
        var original = http.Response.Body;
        using var buffer = new MemoryStream();
        http.Response.Body = buffer;
        try
        {
            await next(http);
        }
        finally
        {
            http.Response.Body = original;
        }
        var bytes = buffer.ToArray();
        var cut = bytes.Length >= 4 ? bytes[..(bytes.Length / 2)] : "{\""u8.ToArray();
        http.Response.ContentLength = cut.Length;
        http.Response.ContentType ??= "application/json";
        await original.WriteAsync(cut, http.RequestAborted);
    }

    private static async Task RoutesAndAuth(HttpContext http, RequestDelegate next, EmulatorContext ctx)
    {
        var path = http.Request.Path.Value ?? "";
        var endpoint = http.GetEndpoint();
        if (endpoint is null)
        {
            // go-openapi's router: unknown route → 404 {code, message}, before any auth.
            await Responses.OpenApi(http, 404, 404, $"path {path} was not found");
            return;
        }
        if (endpoint.Metadata.GetMetadata<WeaviateRouteMetadata>() is null)
        {
            await next(http);
            if (http.Response.StatusCode == 405 && !http.Response.HasStarted)
            {
                var allowed = string.Join(",", http.Response.Headers.Allow.ToString()
                    .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
                await Responses.OpenApi(http, 405, 405, $"method {http.Request.Method} is not allowed, but [{allowed}] are");
            }
            return;
        }
        if (!await Authorized(http, ctx))
            return;
        await next(http);
    }

    /// <summary>ENDPOINTS.md §0: Bearer token (or access_token query) checked as an API key; X-Weaviate-Api-Key is not a credential.</summary>
    private static async Task<bool> Authorized(HttpContext http, EmulatorContext ctx)
    {
        var header = http.Request.Headers.Authorization.ToString();
        var key = ctx.Options.ApiKey;
        if (string.IsNullOrEmpty(key))
        {
            if (header.Length == 0)
                return true;
            await Responses.OpenApi(http, 401, 401,
                "no authentication scheme is configured (API Key or OIDC), but an 'Authorization' header was provided. " +
                "Please configure an auth scheme or remove the header for anonymous access");
            return false;
        }

        string? token = null;
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            token = header["Bearer ".Length..].Trim();
        else if (http.Request.Query["access_token"].FirstOrDefault() is { Length: > 0 } queryToken)
            token = queryToken;

        if (string.IsNullOrEmpty(token))
        {
            // Hand-written by anonymous/middleware.go: a stray space, and no Content-Type set (Go sniffs text/plain).
            await Responses.Text(http, 401,
                "{\"code\":401,\"message\": \"anonymous access not enabled. Please authenticate through one of the available methods: [API-keys]\" }");
            return false;
        }
        if (!System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(key)))
        {
            await Responses.OpenApi(http, 401, 401, "unauthorized: invalid api key");
            return false;
        }
        return true;
    }

    // ---------------------------------------------------------------- control endpoint

    private static readonly JsonSerializerOptions FaultJson = new()
    {
        PropertyNameCaseInsensitive = true,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        WriteIndented = true,
    };

    private static Task WriteFaults(HttpContext http, EmulatorContext ctx) =>
        Responses.Json(http, 200, JsonSerializer.SerializeToNode(ctx.Faults.Snapshot(), FaultJson));

    private static async Task SetFaults(HttpContext http, EmulatorContext ctx, bool replace)
    {
        FaultSettings? settings;
        try
        {
            settings = await JsonSerializer.DeserializeAsync<FaultSettings>(http.Request.Body, FaultJson, http.RequestAborted);
            if (settings is null)
                throw new JsonException("expected a JSON object");
            ctx.Faults.Apply(settings, replace);
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            await Responses.Json(http, 400, new JsonObject { ["error"] = e.Message });
            return;
        }
        await WriteFaults(http, ctx);
    }

    private static JsonObject Info(EmulatorContext ctx) => new()
    {
        ["emulator"] = "orchestra-weaviate-emulator",
        ["version"] = ctx.Options.Version,
        ["nodes"] = new JsonArray(ctx.Store.NodeNames.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray()),
        ["classes"] = new JsonArray(ctx.Store.ClassNames().Select(c => (JsonNode?)new JsonObject
        {
            ["class"] = c,
            ["objects"] = ctx.Store.CountObjects(c),
        }).ToArray()),
        ["apiKeyRequired"] = !string.IsNullOrEmpty(ctx.Options.ApiKey),
    };
}
