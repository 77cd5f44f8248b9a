using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orchestra.Admin.Components.Controls;
using Orchestra.Admin.Data.Weaviate;
using Orchestra.Admin.Hosting;

namespace Orchestra.Admin.Tests.Weaviate;

public class WeaviateOptionsTests
{
    private static OrchestraAdminOptions Load(params (string Key, string? Value)[] values) =>
        SettingsLoader.Load(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))
                .Prepend(new("POSTGRES_DSN", "postgresql://u:p@h/db")))
            .Build());

    [Fact]
    public void Defaults()
    {
        var o = Load().Weaviate;
        Assert.Equal(2, o.ConnectTimeoutSeconds);
        Assert.Equal(10, o.RequestTimeoutSeconds);
        Assert.Equal(2, o.RetryCount);
        Assert.Equal(250, o.RetryBaseDelayMilliseconds);
        Assert.Equal(10, o.CircuitBreakerMinimumThroughput);
        Assert.Equal(15, o.CircuitBreakerBreakSeconds);
    }

    [Fact]
    public void Timeouts_retries_and_the_breaker_are_read_from_the_OrchestraAdmin_section()
    {
        var o = Load(("OrchestraAdmin:Weaviate:ConnectTimeoutSeconds", "3"), ("OrchestraAdmin:Weaviate:RequestTimeoutSeconds", "20"),
            ("OrchestraAdmin:Weaviate:RetryCount", "0"), ("OrchestraAdmin:Weaviate:RetryBaseDelayMilliseconds", "100"),
            ("OrchestraAdmin:Weaviate:CircuitBreakerMinimumThroughput", "5"), ("OrchestraAdmin:Weaviate:CircuitBreakerBreakSeconds", "30")).Weaviate;
        Assert.Equal((3, 20, 0, 100, 5, 30),
            (o.ConnectTimeoutSeconds, o.RequestTimeoutSeconds, o.RetryCount, o.RetryBaseDelayMilliseconds, o.CircuitBreakerMinimumThroughput, o.CircuitBreakerBreakSeconds));
    }

    [Theory]
    [InlineData("ConnectTimeoutSeconds", "0", "must be at least 1")]
    [InlineData("RequestTimeoutSeconds", "0", "must be at least 1")]
    [InlineData("RetryCount", "11", "must be from 0 to 10")]
    [InlineData("RetryBaseDelayMilliseconds", "-1", "must be from 0 to 60000")]
    [InlineData("CircuitBreakerMinimumThroughput", "1", "must be at least 2")]
    [InlineData("CircuitBreakerBreakSeconds", "0", "must be at least 1")]
    public void Bad_values_stop_start_up_naming_the_key(string key, string value, string problem)
    {
        var e = Assert.Throws<SettingsException>(() => Load(($"OrchestraAdmin:Weaviate:{key}", value)));
        Assert.StartsWith($"OrchestraAdmin:Weaviate:{key} {problem}", e.Message);
    }

    [Fact]
    public void Without_WEAVIATE_URL_no_client_is_registered()
    {
        var services = new ServiceCollection().AddWeaviateClient(new OrchestraAdminOptions()).BuildServiceProvider();
        Assert.Null(services.GetService<IWeaviateClient>());
    }

    [Fact]
    public void With_WEAVIATE_URL_the_client_uses_it()
    {
        var settings = Load(("WEAVIATE_URL", "http://weaviate:8080"));
        var client = new ServiceCollection().AddLogging().AddWeaviateClient(settings).BuildServiceProvider().GetRequiredService<IWeaviateClient>();
        Assert.Equal(new Uri("http://weaviate:8080/"), client.BaseUrl);
    }

    [Fact]
    public void The_page_error_message_of_a_Weaviate_failure_is_its_own()
    {
        var e = new WeaviateException(WeaviateErrorKind.Unreachable, "no answer from http://weaviate:8080: connection refused");
        Assert.Equal("no answer from http://weaviate:8080: connection refused", ErrorMessages.Describe(e));
    }
}
