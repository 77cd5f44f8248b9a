using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Orchestra.WeaviateEmulator.Tests;

/// <summary>POST /v1/embeddings with a plain HttpClient: OpenAI's contract, backed by the local MiniLM model.</summary>
public sealed class EmbeddingsEndpointTests : IAsyncLifetime
{
    private const string Key = "sk-emulator-test";
    private const string Model = "sentence-transformers/all-MiniLM-L6-v2";
    private RunningEmulator _emulator = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _emulator = await RunningEmulator.StartAsync(new EmulatorOptions { ApiKey = Key });
        _client = _emulator.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _emulator.DisposeAsync();
    }

    private async Task<(int Status, JsonObject Body, HttpResponseMessage Response)> Post(JsonObject request, HttpClient? client = null)
    {
        var response = await (client ?? _client).PostAsync("v1/embeddings", TestHttp.Json(request));
        return ((int)response.StatusCode, (await response.ReadJson())!.AsObject(), response);
    }

    private static void AssertError(JsonObject body, string type, string? param, string? code, string messagePart)
    {
        var error = body["error"]!.AsObject();
        Assert.Equal(["message", "type", "param", "code"], error.Select(p => p.Key));
        Assert.Equal(type, error["type"]!.GetValue<string>());
        Assert.Equal(param, error["param"]?.GetValue<string>());
        Assert.Equal(code, error["code"]?.GetValue<string>());
        Assert.Contains(messagePart, error["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_batch_comes_back_in_input_order_as_the_models_unit_vectors_in_float_and_in_base64()
    {
        string[] texts = ["Maya prefers dark editor themes.", "The sourdough needs a warmer kitchen.", "Comet 12P is visible this week."];
        var expected = await MiniLmEmbedder.Shared.EmbedAsync(texts);

        var (status, body, _) = await Post(new JsonObject { ["model"] = Model, ["input"] = new JsonArray(texts.Select(t => (JsonNode?)t).ToArray()), ["dimensions"] = 384 });
        Assert.Equal(200, status);
        Assert.Equal("list", body["object"]!.GetValue<string>());
        Assert.Equal(Model, body["model"]!.GetValue<string>());
        var data = body["data"]!.AsArray();
        Assert.Equal([0, 1, 2], data.Select(d => d!["index"]!.GetValue<int>()));
        Assert.All(data, d => Assert.Equal("embedding", d!["object"]!.GetValue<string>()));
        var floats = data.Select(d => d!["embedding"]!.AsArray().Select(v => v!.GetValue<float>()).ToArray()).ToArray();
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(384, floats[i].Length);
            Assert.Equal(1.0, Math.Sqrt(floats[i].Sum(x => (double)x * x)), 1e-4);
            Assert.Equal(expected[i], floats[i]); // its own text's vector, not a neighbour's
        }
        var tokens = texts.Sum(t => MiniLmEmbedder.Shared.CountTokens(t) - 2);
        Assert.Equal(tokens, body["usage"]!["prompt_tokens"]!.GetValue<int>());
        Assert.Equal(tokens, body["usage"]!["total_tokens"]!.GetValue<int>());

        // base64 (what the OpenAI .NET SDK asks for by default): the same float32 values, little-endian.
        var (status64, body64, _) = await Post(new JsonObject { ["model"] = "all-MiniLM-L6-v2", ["input"] = new JsonArray(texts.Select(t => (JsonNode?)t).ToArray()), ["encoding_format"] = "base64" });
        Assert.Equal(200, status64);
        var decoded = body64["data"]!.AsArray().Select(d =>
        {
            var bytes = Convert.FromBase64String(d!["embedding"]!.GetValue<string>());
            return Enumerable.Range(0, bytes.Length / 4).Select(i => BitConverter.ToSingle(bytes, i * 4)).ToArray();
        }).ToArray();
        Assert.Equal(floats, decoded);

        // A single string is one input.
        var (statusOne, one, _) = await Post(new JsonObject { ["model"] = Model, ["input"] = texts[1] });
        Assert.Equal(200, statusOne);
        Assert.Equal(floats[1], one["data"]![0]!["embedding"]!.AsArray().Select(v => v!.GetValue<float>()).ToArray());
    }

    [Fact]
    public async Task Concurrent_requests_each_get_their_own_texts_vectors()
    {
        string[] texts = ["guitar chords", "mortgage rate", "glacier melt", "marathon pace"];
        var expected = await MiniLmEmbedder.Shared.EmbedAsync(texts);
        var answers = await Task.WhenAll(texts.Select(t => Post(new JsonObject { ["model"] = Model, ["input"] = t })));
        for (var i = 0; i < texts.Length; i++)
            Assert.Equal(expected[i], answers[i].Body["data"]![0]!["embedding"]!.AsArray().Select(v => v!.GetValue<float>()).ToArray());
    }

    [Fact]
    public async Task A_missing_or_wrong_key_is_401_in_OpenAIs_shape()
    {
        using var anonymous = _emulator.CreateClient(withApiKey: false);
        var (status, body, _) = await Post(new JsonObject { ["model"] = Model, ["input"] = "x" }, anonymous);
        Assert.Equal(401, status);
        AssertError(body, "invalid_request_error", null, null, "You didn't provide an API key");

        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sk-wrong");
        (status, body, _) = await Post(new JsonObject { ["model"] = Model, ["input"] = "x" }, anonymous);
        Assert.Equal(401, status);
        AssertError(body, "invalid_request_error", null, "invalid_api_key", "Incorrect API key provided");
        Assert.DoesNotContain("sk-wrong", body.ToJsonString());
    }

    [Fact]
    public async Task The_429_fault_answers_rate_limit_exceeded_with_Retry_After_only_on_its_path()
    {
        using var control = new HttpClient { BaseAddress = _emulator.Url };
        using var set = await control.PostAsync("_emulator/faults", TestHttp.Json("""{"statusCode": 429, "retryAfterSeconds": 7, "pathPrefix": "/v1/embeddings"}"""));
        Assert.Equal(200, (int)set.StatusCode);
        Assert.Equal(7, (await set.ReadJson())!["retryAfterSeconds"]!.GetValue<int>());

        var (status, body, response) = await Post(new JsonObject { ["model"] = Model, ["input"] = "x" });
        Assert.Equal(429, status);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter!.Delta);
        AssertError(body, "requests", null, "rate_limit_exceeded", "Rate limit reached");

        using var meta = await _client.GetAsync("v1/meta"); // Weaviate's paths are not hit
        Assert.Equal(200, (int)meta.StatusCode);

        _emulator.Faults.Reset();
        Assert.Null(_emulator.Faults.RetryAfterSeconds);
        Assert.Equal(200, (await Post(new JsonObject { ["model"] = Model, ["input"] = "x" })).Status);
    }

    [Fact]
    public async Task An_input_over_the_models_510_tokens_is_400_context_length_exceeded_and_510_is_accepted()
    {
        var (status, body, _) = await Post(new JsonObject { ["model"] = Model, ["input"] = string.Join(' ', Enumerable.Repeat("telescope", 511)) });
        Assert.Equal(400, status);
        AssertError(body, "invalid_request_error", "input", "context_length_exceeded", "maximum context length is 510 tokens, however you requested 511 tokens");

        (status, body, _) = await Post(new JsonObject { ["model"] = Model, ["input"] = new JsonArray("short", string.Join(' ', Enumerable.Repeat("orbit", 600))) });
        Assert.Equal(400, status);
        AssertError(body, "invalid_request_error", "input[1]", "context_length_exceeded", "you requested 600 tokens");

        (status, body, _) = await Post(new JsonObject { ["model"] = Model, ["input"] = string.Join(' ', Enumerable.Repeat("telescope", 510)) });
        Assert.Equal(200, status);
        Assert.Equal(510, body["usage"]!["prompt_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_unknown_model_is_404_model_not_found()
    {
        var (status, body, _) = await Post(new JsonObject { ["model"] = "text-embedding-3-small", ["input"] = "x" });
        Assert.Equal(404, status);
        AssertError(body, "invalid_request_error", null, "model_not_found", "The model `text-embedding-3-small` does not exist");

        (status, body, _) = await Post(new JsonObject { ["input"] = "x" });
        Assert.Equal(400, status);
        AssertError(body, "invalid_request_error", null, null, "you must provide a model parameter");
    }

    [Theory]
    [InlineData(256)]
    [InlineData(1536)]
    public async Task Dimensions_other_than_384_are_400(int dimensions)
    {
        var (status, body, _) = await Post(new JsonObject { ["model"] = Model, ["input"] = "x", ["dimensions"] = dimensions });
        Assert.Equal(400, status);
        AssertError(body, "invalid_request_error", "dimensions", "invalid_value", $"'dimensions' = {dimensions}");
    }

    [Theory]
    [InlineData("""{"model": "all-MiniLM-L6-v2"}""", "input", "missing_required_parameter", "Missing required parameter: 'input'")]
    [InlineData("""{"model": "all-MiniLM-L6-v2", "input": null}""", "input", "missing_required_parameter", "Missing required parameter: 'input'")]
    [InlineData("""{"model": "all-MiniLM-L6-v2", "input": ""}""", "input", null, "'$.input' is invalid")]
    [InlineData("""{"model": "all-MiniLM-L6-v2", "input": []}""", "input", null, "'$.input' is invalid")]
    [InlineData("""{"model": "all-MiniLM-L6-v2", "input": ["a", ""]}""", "input", null, "'$.input' is invalid")]
    [InlineData("""{"model": "all-MiniLM-L6-v2", "input": [[101, 2023]]}""", "input", null, "token arrays are not supported")]
    [InlineData("""{"model": "all-MiniLM-L6-v2", "input": "x", "encoding_format": "int8"}""", "encoding_format", "invalid_value", "Supported values are: 'float' and 'base64'")]
    [InlineData("""not json""", null, null, "could not parse the JSON body")]
    public async Task A_missing_empty_or_malformed_input_is_400(string request, string? param, string? code, string messagePart)
    {
        using var response = await _client.PostAsync("v1/embeddings", TestHttp.Json(request));
        Assert.Equal(400, (int)response.StatusCode);
        AssertError((await response.ReadJson())!.AsObject(), "invalid_request_error", param, code, messagePart);
    }
}
