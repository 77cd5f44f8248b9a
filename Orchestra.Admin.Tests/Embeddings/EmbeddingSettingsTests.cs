using Microsoft.Extensions.Configuration;
using Orchestra.Admin.Data.Embeddings;
using Orchestra.Admin.Hosting;

namespace Orchestra.Admin.Tests.Embeddings;

/// <summary>The embedding settings as start-up reads them: the resolved profiles, and one clear line for each mistake.</summary>
public sealed class EmbeddingSettingsTests
{
    private static OrchestraAdminOptions Load(params (string Key, string Value)[] settings) => SettingsLoader.Load(new ConfigurationBuilder()
        .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))
            .Append(new(SettingsLoader.PostgresDsnKey, "postgresql://u:p@localhost:5432/orchestra")))
        .Build());

    private static string Refused(params (string Key, string Value)[] settings)
    {
        var e = Assert.Throws<SettingsException>(() => Load(settings));
        Assert.DoesNotContain("\n", e.Message);
        return e.Message;
    }

    [Fact]
    public void Without_settings_every_class_uses_the_local_model_with_its_384_dimensions()
    {
        var profile = EmbeddingSettings.Resolve(Load().Embeddings, "Memory");
        Assert.Equal(new EmbeddingProfile("local", "all-MiniLM-L6-v2", 384, null), profile);
    }

    [Fact]
    public void The_stacks_variables_choose_an_openai_compatible_endpoint_and_a_url_ending_in_embeddings_is_taken_as_its_base()
    {
        var profile = EmbeddingSettings.Resolve(Load(("EMBEDDING_URL", "http://embedder:8000/v1/embeddings/"), ("EMBEDDING_MODEL", "bge-small"),
            ("EMBEDDING_API_KEY", "sk-secret"), ("EMBEDDING_DIMENSIONS", "384")).Embeddings, "Memory");
        Assert.Equal("openai", profile.Provider);
        Assert.Equal("bge-small", profile.Model);
        Assert.Equal(384, profile.Dimensions);
        Assert.Equal(new Uri("http://embedder:8000/v1"), profile.Url);
        Assert.DoesNotContain("sk-secret", profile.ToString()); // a profile in a log line never shows the key
    }

    [Fact]
    public void A_class_maps_to_its_own_provider_model_and_text_property_and_takes_the_defaults_for_the_rest()
    {
        var options = Load(("EMBEDDING_URL", "http://embedder:8000/v1"), ("EMBEDDING_MODEL", "bge-small"), ("EMBEDDING_API_KEY", "k"),
            ("OrchestraAdmin:Embeddings:Classes:Memory:Provider", "local"),
            ("OrchestraAdmin:Embeddings:Classes:Memory:TextProperty", "content"),
            ("OrchestraAdmin:Embeddings:Classes:Article:Model", "bge-large"),
            ("OrchestraAdmin:Embeddings:Classes:Article:Dimensions", "1024")).Embeddings;

        Assert.Equal(new EmbeddingProfile("local", "all-MiniLM-L6-v2", 384, "content"), EmbeddingSettings.Resolve(options, "Memory"));
        var article = EmbeddingSettings.Resolve(options, "Article");
        Assert.Equal(("openai", "bge-large", (int?)1024), (article.Provider, article.Model, article.Dimensions));
        Assert.Equal(("openai", "bge-small"), (EmbeddingSettings.Resolve(options, "Other").Provider, EmbeddingSettings.Resolve(options, "Other").Model));
    }

    [Fact]
    public void None_turns_search_by_text_off()
    {
        Assert.Equal("none", EmbeddingSettings.Resolve(Load(("OrchestraAdmin:Embeddings:Provider", "None")).Embeddings, "Memory").Provider);
    }

    [Theory]
    [InlineData("OrchestraAdmin:Embeddings:Provider", "cohere", "OrchestraAdmin:Embeddings:Provider must be local, openai or none (is 'cohere')")]
    [InlineData("EMBEDDING_URL", "embedder:8000", "EMBEDDING_URL is not valid: expected an http:// or https:// URL such as https://api.openai.com/v1 (value: embedder:8000)")]
    [InlineData("EMBEDDING_DIMENSIONS", "384d", "EMBEDDING_DIMENSIONS must be a whole number (is '384d')")]
    public void A_bad_value_stops_start_up_with_one_line_naming_the_setting(string key, string value, string message)
    {
        Assert.Equal(message, Refused((key, value), ("EMBEDDING_MODEL", "m"), ("EMBEDDING_API_KEY", "k")));
    }

    [Fact]
    public void An_openai_provider_without_a_key_a_model_or_a_url_is_named_at_start_up()
    {
        Assert.StartsWith("OrchestraAdmin:Embeddings:ApiKey (or EMBEDDING_API_KEY) is not set",
            Refused(("EMBEDDING_URL", "http://embedder:8000/v1"), ("EMBEDDING_MODEL", "bge-small")));
        Assert.StartsWith("OrchestraAdmin:Embeddings:Model (or EMBEDDING_MODEL) is not set",
            Refused(("EMBEDDING_URL", "http://embedder:8000/v1"), ("EMBEDDING_API_KEY", "k")));
        Assert.StartsWith("OrchestraAdmin:Embeddings:Classes:Memory:Url is not set",
            Refused(("OrchestraAdmin:Embeddings:Classes:Memory:Provider", "openai")));
    }

    [Fact]
    public void A_url_with_credentials_is_refused_without_echoing_them()
    {
        var message = Refused(("EMBEDDING_URL", "http://user:hunter2@embedder:8000/v1"), ("EMBEDDING_MODEL", "m"), ("EMBEDDING_API_KEY", "k"));
        Assert.Equal("EMBEDDING_URL must not hold credentials: put the key in EMBEDDING_API_KEY", message);
    }

    [Fact]
    public void The_local_provider_refuses_another_model_name_rather_than_pretend_to_run_it()
    {
        Assert.Equal("OrchestraAdmin:Embeddings:Classes:Memory:Model is 'text-embedding-3-small', but the local provider runs all-MiniLM-L6-v2 only",
            Refused(("OrchestraAdmin:Embeddings:Classes:Memory:Provider", "local"), ("OrchestraAdmin:Embeddings:Classes:Memory:Model", "text-embedding-3-small")));
    }
}
