using Orchestra.Admin.Data.Embeddings;
using Orchestra.Admin.Features.VectorSearch;
using Orchestra.Admin.Hosting;
using EmulatorOptions = Orchestra.WeaviateEmulator.EmulatorOptions;
using MsOptions = Microsoft.Extensions.Options.Options;
using RunningEmulator = Orchestra.WeaviateEmulator.RunningEmulator;

namespace Orchestra.Admin.Tests.Embeddings;

/// <summary>
/// The openai provider (Microsoft.Extensions.AI.OpenAI over the OpenAI .NET SDK) against a real HTTP server speaking the
/// <c>/v1/embeddings</c> contract: the Weaviate emulator's endpoint, backed by the same MiniLM model as the local provider.
/// </summary>
public sealed class OpenAIProviderTests : IAsyncLifetime
{
    private const string Key = "sk-test-embeddings";
    private const string Model = "sentence-transformers/all-MiniLM-L6-v2";
    private RunningEmulator emulator = null!;

    public async Task InitializeAsync() => emulator = await RunningEmulator.StartAsync(new EmulatorOptions { ApiKey = Key });

    public async Task DisposeAsync() => await emulator.DisposeAsync();

    private EmbeddingProviders Providers(Action<EmbeddingsOptions>? change = null, Uri? url = null)
    {
        var options = new EmbeddingsOptions { Url = url ?? new Uri(emulator.Url, "v1/embeddings"), Model = Model, ApiKey = Key, RetryCount = 0, TimeoutSeconds = 10 };
        change?.Invoke(options);
        return new EmbeddingProviders(MsOptions.Create(new OrchestraAdminOptions { Embeddings = options }));
    }

    private static Task<TextEmbeddings> EmbedAsync(EmbeddingProviders providers, int? classDimensions, params string[] texts) =>
        providers.EmbedAsync("Memory", providers.ProfileFor("Memory"), classDimensions, texts);

    [Fact]
    public async Task The_endpoint_gives_the_same_vectors_as_the_local_model_in_input_order()
    {
        using var openai = Providers();
        using var local = new EmbeddingProviders(MsOptions.Create(new OrchestraAdminOptions()));
        string[] texts = ["why did the deploy fail last week?", "The user prefers a dark theme.", "日本語"];

        var remote = await EmbedAsync(openai, 384, texts);
        var own = await EmbedAsync(local, 384, texts);

        Assert.Equal("openai", remote.Profile.Provider);
        Assert.Equal(Model, remote.Profile.Model);
        Assert.Equal(384, remote.Dimensions);
        for (var i = 0; i < texts.Length; i++)
            for (var d = 0; d < 384; d++)
                Assert.Equal(own.Vectors[i][d], remote.Vectors[i][d], 1e-5);
    }

    [Fact]
    public async Task A_wrong_key_is_named_as_such_with_the_endpoints_words_and_never_shown()
    {
        using var providers = Providers(o => o.ApiKey = "sk-wrong-key-1234");
        var e = await Assert.ThrowsAsync<EmbeddingException>(() => EmbedAsync(providers, 384, "text"));
        Assert.Equal(EmbeddingErrorKind.Unauthorized, e.Kind);
        Assert.StartsWith($"the embedding endpoint {emulator.Url.ToString().TrimEnd('/')}/v1 refused the API key (HTTP 401): Incorrect API key provided", e.Message);
        Assert.DoesNotContain("sk-wrong-key-1234", e.Message);
    }

    [Fact]
    public async Task A_rate_limit_asking_for_a_longer_wait_than_allowed_is_reported_at_once_with_the_wait()
    {
        emulator.Faults.StatusCode = 429;
        emulator.Faults.RetryAfterSeconds = 7;
        emulator.Faults.PathPrefix = "/v1/embeddings";
        using var providers = Providers(o => { o.RetryCount = 3; o.MaxRetryAfterSeconds = 5; });

        var e = await Assert.ThrowsAsync<EmbeddingException>(() => EmbedAsync(providers, 384, "text"));

        Assert.Equal(EmbeddingErrorKind.RateLimited, e.Kind);
        Assert.Contains("is rate limiting (HTTP 429, asks to wait 7 s)", e.Message);
    }

    [Fact]
    public async Task Text_longer_than_the_model_takes_is_refused_at_the_query_field_with_the_endpoints_words()
    {
        using var providers = Providers();
        var text = new TextQueries(providers);
        var info = new ClassSearchInfo("Memory", "cosine", 384, [], null);

        var e = await Assert.ThrowsAsync<SearchInputException>(() => text.EmbedAsync(
            new SearchRequest { ClassName = "Memory", Mode = SearchMode.Text, QueryText = string.Join(' ', Enumerable.Repeat("telescope", 600)) }, info));

        Assert.Equal("query", e.Field);
        Assert.StartsWith("The embedding endpoint refused the text (HTTP 400): This model's maximum context length is", e.Message);
    }

    [Fact]
    public async Task A_model_the_endpoint_does_not_serve_is_named()
    {
        using var providers = Providers(o => o.Model = "text-embedding-3-large");
        var e = await Assert.ThrowsAsync<EmbeddingException>(() => EmbedAsync(providers, 384, "text"));
        Assert.Equal(EmbeddingErrorKind.ModelNotFound, e.Kind);
        Assert.Contains("does not serve model text-embedding-3-large (HTTP 404)", e.Message);
    }

    [Fact]
    public async Task A_configured_dimension_that_differs_from_the_class_is_refused_before_anything_is_sent()
    {
        // Nothing listens on this endpoint: had anything been sent, the error would be "no answer".
        using var providers = Providers(o => o.Dimensions = 1536, url: new Uri("http://127.0.0.1:9/v1"));
        var e = await Assert.ThrowsAsync<EmbeddingException>(() => EmbedAsync(providers, 384, "text"));
        Assert.Equal(EmbeddingErrorKind.DimensionMismatch, e.Kind);
        Assert.StartsWith($"class Memory's vectors have 384 dimensions, but openai {Model} makes vectors of 1536", e.Message);
    }

    [Fact]
    public async Task Without_a_configured_dimension_the_first_answer_teaches_it_and_a_mismatch_is_refused_before_the_vector_is_used()
    {
        using var providers = Providers();
        var profile = providers.ProfileFor("Wide");
        Assert.Null(providers.Refusal("Wide", profile, 768)); // unknown until the endpoint answers

        var e = await Assert.ThrowsAsync<EmbeddingException>(() => providers.EmbedAsync("Wide", profile, 768, ["text"]));
        Assert.Equal(EmbeddingErrorKind.DimensionMismatch, e.Kind);
        Assert.Contains("vectors have 768 dimensions, but openai", e.Message);
        Assert.Contains("makes vectors of 384", e.Message);
        Assert.Equal(EmbeddingErrorKind.DimensionMismatch, providers.Refusal("Wide", profile, 768)!.Kind); // now known: refused before sending
    }

    [Fact]
    public async Task No_answer_in_time_and_no_server_are_told_apart()
    {
        emulator.Faults.LatencyMs = 3_000;
        using (var slow = Providers(o => o.TimeoutSeconds = 1))
        {
            var e = await Assert.ThrowsAsync<EmbeddingException>(() => EmbedAsync(slow, 384, "text"));
            Assert.Equal(EmbeddingErrorKind.Timeout, e.Kind);
            Assert.EndsWith("within 1 s", e.Message);
        }
        emulator.Faults.LatencyMs = 0;

        using var nowhere = Providers(url: new Uri("http://127.0.0.1:9/v1"));
        var down = await Assert.ThrowsAsync<EmbeddingException>(() => EmbedAsync(nowhere, 384, "text"));
        Assert.Equal(EmbeddingErrorKind.Unreachable, down.Kind);
        Assert.StartsWith("no answer from the embedding endpoint http://127.0.0.1:9/v1", down.Message);
    }
}
