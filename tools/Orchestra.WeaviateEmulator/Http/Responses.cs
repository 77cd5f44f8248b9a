using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Orchestra.WeaviateEmulator;

/// <summary>
/// The three error formats of ENDPOINTS.md §1 and JSON bodies the way Go writes them
/// (application/json, a trailing newline).
/// </summary>
internal static class Responses
{
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Task Json(HttpContext context, int status, JsonNode? body)
    {
        var bytes = Encoding.UTF8.GetBytes((body?.ToJsonString(JsonOptions) ?? "null") + "\n");
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = bytes.Length;
        return context.Response.Body.WriteAsync(bytes, context.RequestAborted).AsTask();
    }

    /// <summary>ErrorResponse: <c>{"error":[{"message":"…"}]}</c> (handlers' 4xx/5xx).</summary>
    public static Task Error(HttpContext context, int status, string message) =>
        Json(context, status, ErrorBody(message));

    public static JsonObject ErrorBody(string message) =>
        new() { ["error"] = new JsonArray(new JsonObject { ["message"] = message }) };

    /// <summary>go-openapi framework error: <c>{"code":…,"message":"…"}</c> (401, unknown route, validation).</summary>
    public static Task OpenApi(HttpContext context, int status, int code, string message) =>
        Json(context, status, new JsonObject { ["code"] = code, ["message"] = message });

    /// <summary>
    /// A body a Go handler writes without setting a Content-Type: Go's server sniffs it (http.DetectContentType),
    /// and for text, JSON-looking or not, that is <c>text/plain; charset=utf-8</c>.
    /// </summary>
    public static Task Text(HttpContext context, int status, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.ContentLength = bytes.Length;
        return context.Response.Body.WriteAsync(bytes, context.RequestAborted).AsTask();
    }

    /// <summary>Empty body (documented for some 404s, 401s described in the spec and /.well-known/*).</summary>
    public static Task Empty(HttpContext context, int status)
    {
        context.Response.StatusCode = status;
        context.Response.ContentLength = 0;
        return Task.CompletedTask;
    }

    /// <summary>
    /// Reads a JSON request body. On failure writes what go-openapi answers and returns null:
    /// 422 code 602 "body in body is required" when empty, 400 when it does not parse.
    /// </summary>
    public static async Task<JsonNode?> ReadBody(HttpContext context, bool required = true)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(context.RequestAborted);
        if (string.IsNullOrWhiteSpace(text))
        {
            if (required)
                await OpenApi(context, 422, 602, "body in body is required");
            return null;
        }
        try
        {
            var node = JsonNode.Parse(text);
            if (node is null && required)
                await OpenApi(context, 422, 602, "body in body is required");
            return node;
        }
        catch (JsonException e)
        {
            await OpenApi(context, 400, 400, $"parsing body body from \"\" failed, because {e.Message}");
            return null;
        }
    }
}
