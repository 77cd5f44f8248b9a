using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Orchestra.WeaviateEmulator;

/// <summary>
/// <c>POST /v1/embeddings</c> as OpenAI serves it, backed by the local MiniLM model: <c>{"model", "input": string |
/// string[], "encoding_format": "float" | "base64", "dimensions"?}</c> → <c>{"object": "list", "data": [{"object":
/// "embedding", "index", "embedding"}], "model", "usage"}</c>. Errors in OpenAI's shape
/// <c>{"error": {"message", "type", "param", "code"}}</c>.
/// </summary>
internal static class OpenAIEmbeddingsEndpoint
{
    public const string Path = "/v1/embeddings";

    /// <summary>The model names it answers to (the short one is what Ollama and most servers call it).</summary>
    public static readonly string[] ModelNames = [MiniLmEmbedder.ModelName, "all-MiniLM-L6-v2"];

    /// <summary>Tokens of one input, [CLS] and [SEP] left out: the model's 512 positions less those two.</summary>
    public const int MaxInputTokens = MiniLmEmbedder.MaxTokens - 2;

    /// <summary>OpenAI's limit on the number of inputs in one request.</summary>
    public const int MaxInputs = 2048;

    private const string InvalidRequest = "invalid_request_error";

    public static async Task Handle(HttpContext http, EmulatorContext ctx)
    {
        if (!await Authorized(http, ctx))
            return;

        JsonObject? request;
        try
        {
            request = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted) as JsonObject;
        }
        catch (JsonException)
        {
            request = null;
        }
        if (request is null)
        {
            await Error(http, 400, "We could not parse the JSON body of your request. The OpenAI API expects a JSON payload.", InvalidRequest, null, null);
            return;
        }

        if (request["model"] is not JsonValue modelValue || !modelValue.TryGetValue<string>(out var model) || model.Length == 0)
        {
            await Error(http, 400, "you must provide a model parameter", InvalidRequest, null, null);
            return;
        }
        if (!ModelNames.Contains(model, StringComparer.Ordinal))
        {
            await Error(http, 404, $"The model `{model}` does not exist or you do not have access to it.", InvalidRequest, null, "model_not_found");
            return;
        }

        if (!request.ContainsKey("input") || request["input"] is null)
        {
            await Error(http, 400, "Missing required parameter: 'input'.", InvalidRequest, "input", "missing_required_parameter");
            return;
        }
        var inputs = Inputs(request["input"]!);
        if (inputs is null)
        {
            await Error(http, 400, "'$.input' is invalid: give a non-empty string or a non-empty array of non-empty strings " +
                "(token arrays are not supported by this emulator).", InvalidRequest, "input", null);
            return;
        }
        if (inputs.Count > MaxInputs)
        {
            await Error(http, 400, $"'$.input' is invalid: at most {MaxInputs} inputs per request, not {inputs.Count}.", InvalidRequest, "input", null);
            return;
        }

        var format = request["encoding_format"] is JsonValue f && f.TryGetValue<string>(out var given) ? given : request["encoding_format"] is null ? "float" : null;
        if (format is not ("float" or "base64"))
        {
            await Error(http, 400, $"Invalid value: '{request["encoding_format"]?.ToJsonString()}'. Supported values are: 'float' and 'base64'.",
                InvalidRequest, "encoding_format", "invalid_value");
            return;
        }
        if (request["dimensions"] is { } dimensionsNode
            && !(dimensionsNode is JsonValue d && d.TryGetValue<int>(out var dimensions) && dimensions == MiniLmEmbedder.Dimensions))
        {
            await Error(http, 400, $"Invalid value for 'dimensions' = {dimensionsNode.ToJsonString()}: {MiniLmEmbedder.ModelName} makes vectors of " +
                $"{MiniLmEmbedder.Dimensions} dimensions only.", InvalidRequest, "dimensions", "invalid_value");
            return;
        }

        var tokens = new int[inputs.Count];
        for (var i = 0; i < inputs.Count; i++)
        {
            tokens[i] = MiniLmEmbedder.Shared.CountTokens(inputs[i]) - 2;
            if (tokens[i] > MaxInputTokens)
            {
                await Error(http, 400, $"This model's maximum context length is {MaxInputTokens} tokens, however you requested {tokens[i]} tokens " +
                    $"({tokens[i]} in your prompt; 0 for the completion). Please reduce your prompt; or completion length.",
                    InvalidRequest, inputs.Count == 1 ? "input" : $"input[{i}]", "context_length_exceeded");
                return;
            }
        }

        float[][] vectors;
        try
        {
            vectors = await MiniLmEmbedder.Shared.EmbedAsync(inputs, http.RequestAborted);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            return; // the client went away
        }

        var data = new JsonArray();
        for (var i = 0; i < vectors.Length; i++)
            data.Add(new JsonObject
            {
                ["object"] = "embedding",
                ["index"] = i,
                ["embedding"] = format == "base64"
                    ? Convert.ToBase64String(LittleEndianBytes(vectors[i]))
                    : new JsonArray(vectors[i].Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()),
            });
        await Responses.Json(http, 200, new JsonObject
        {
            ["object"] = "list",
            ["data"] = data,
            ["model"] = MiniLmEmbedder.ModelName,
            ["usage"] = new JsonObject { ["prompt_tokens"] = tokens.Sum(), ["total_tokens"] = tokens.Sum() },
        });
    }

    /// <summary>The texts of <c>input</c>, or null when it is not a non-empty string or a non-empty array of them.</summary>
    private static List<string>? Inputs(JsonNode input)
    {
        if (input is JsonValue single)
            return single.TryGetValue<string>(out var text) && text.Length > 0 ? [text] : null;
        if (input is not JsonArray array || array.Count == 0)
            return null;
        var texts = new List<string>(array.Count);
        foreach (var item in array)
        {
            if (item is not JsonValue value || !value.TryGetValue<string>(out var text) || text.Length == 0)
                return null;
            texts.Add(text);
        }
        return texts;
    }

    private static byte[] LittleEndianBytes(float[] vector)
    {
        var bytes = MemoryMarshal.AsBytes(vector.AsSpan()).ToArray();
        if (!BitConverter.IsLittleEndian)
            for (var i = 0; i < bytes.Length; i += 4)
                Array.Reverse(bytes, i, 4);
        return bytes;
    }

    /// <summary>The emulator's API key, when it has one, as OpenAI checks its keys: Bearer only.</summary>
    private static async Task<bool> Authorized(HttpContext http, EmulatorContext ctx)
    {
        var key = ctx.Options.ApiKey;
        if (string.IsNullOrEmpty(key))
            return true;
        var header = http.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : "";
        if (token.Length == 0)
        {
            await Error(http, 401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth " +
                "(i.e. Authorization: Bearer YOUR_KEY).", InvalidRequest, null, null);
            return false;
        }
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(key)))
        {
            await Error(http, 401, "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.",
                InvalidRequest, null, "invalid_api_key");
            return false;
        }
        return true;
    }

    public static JsonObject ErrorBody(string message, string type, string? param, string? code) => new()
    {
        ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = param, ["code"] = code },
    };

    private static Task Error(HttpContext http, int status, string message, string type, string? param, string? code) =>
        Responses.Json(http, status, ErrorBody(message, type, param, code));

    /// <summary>What OpenAI answers when a rate limit is hit (the 429 fault on this path).</summary>
    public static JsonObject RateLimitBody(int? retryAfterSeconds) => ErrorBody(
        $"Rate limit reached for {MiniLmEmbedder.ModelName} on requests per min (RPM): emulated fault. " +
        $"Please try again in {retryAfterSeconds ?? 1}s.", "requests", null, "rate_limit_exceeded");
}
