using System.Net.Http.Headers;

namespace Orchestra.WeaviateEmulator.Tests;

/// <summary>API keys as Weaviate checks them (ENDPOINTS.md §0).</summary>
public sealed class AuthTests : IAsyncLifetime
{
    private const string Key = "s3cret-key";
    private RunningEmulator _emulator = null!;
    private HttpClient _anonymous = null!;

    public async Task InitializeAsync()
    {
        _emulator = await RunningEmulator.StartAsync(new EmulatorOptions { ApiKey = Key, DemoObjects = 20 });
        _anonymous = _emulator.CreateClient(withApiKey: false);
    }

    public async Task DisposeAsync()
    {
        _anonymous.Dispose();
        await _emulator.DisposeAsync();
    }

    private Task<HttpResponseMessage> Send(string path, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        configure?.Invoke(request);
        return _anonymous.SendAsync(request);
    }

    [Fact]
    public async Task Without_credentials_the_answer_is_the_anonymous_401()
    {
        using var response = await Send("v1/meta");
        Assert.Equal(401, (int)response.StatusCode);
        Assert.Equal("{\"code\":401,\"message\": \"anonymous access not enabled. Please authenticate through one of the available methods: [API-keys]\" }",
            await response.Content.ReadAsStringAsync());
        // Written without a Content-Type, which Go's server then sniffs: text/plain, not application/json.
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        await OpenApiContract.Instance.AssertResponse(response, "/meta", "get");
    }

    [Fact]
    public async Task A_wrong_key_is_a_401_invalid_api_key()
    {
        using var response = await Send("v1/schema", r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "wrong"));
        Assert.Equal(401, (int)response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("{\"code\":401,\"message\":\"unauthorized: invalid api key\"}", (await response.Content.ReadAsStringAsync()).TrimEnd('\n'));
    }

    [Fact]
    public async Task X_Weaviate_Api_Key_is_not_a_credential()
    {
        using var response = await Send("v1/meta", r => r.Headers.Add("X-Weaviate-Api-Key", Key));
        Assert.Equal(401, (int)response.StatusCode);
        Assert.Contains("anonymous access not enabled", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_right_bearer_key_is_accepted_everywhere()
    {
        using var client = _emulator.CreateClient();
        foreach (var path in new[] { "v1/meta", "v1/schema", "v1/nodes", "v1/objects?class=Memory&limit=1" })
        {
            using var response = await client.GetAsync(path);
            Assert.True(200 == (int)response.StatusCode, path);
        }
        var result = await client.GraphQL("{ Aggregate { Memory { meta { count } } } }");
        Assert.Equal(20, result["data"]!["Aggregate"]!["Memory"]![0]!["meta"]!["count"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_key_may_come_as_access_token()
    {
        using var response = await Send($"v1/meta?access_token={Key}");
        Assert.Equal(200, (int)response.StatusCode);
    }

    [Theory]
    [InlineData("v1/.well-known/live")]
    [InlineData("v1/.well-known/ready")]
    public async Task Health_endpoints_need_no_key(string path)
    {
        using var response = await Send(path);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Health_with_a_query_string_is_not_the_exempt_path()
    {
        using var response = await Send("v1/.well-known/ready?x=1");
        Assert.Equal(401, (int)response.StatusCode);
    }

    [Fact]
    public async Task The_control_endpoint_needs_no_key()
    {
        using var response = await Send("_emulator/faults");
        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task Without_a_configured_key_an_authorization_header_is_refused()
    {
        await using var open = await RunningEmulator.StartAsync(new EmulatorOptions());
        using var client = open.CreateClient();
        using var plain = await client.GetAsync("v1/meta");
        Assert.Equal(200, (int)plain.StatusCode);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "anything");
        using var withHeader = await client.GetAsync("v1/meta");
        Assert.Equal(401, (int)withHeader.StatusCode);
        Assert.Equal("no authentication scheme is configured (API Key or OIDC), but an 'Authorization' header was provided. " +
            "Please configure an auth scheme or remove the header for anonymous access", (await withHeader.ReadJson())!["message"]!.GetValue<string>());
    }
}
