using Microsoft.Extensions.Configuration;
using Npgsql;
using Orchestra.Admin.Hosting;

namespace Orchestra.Admin.Tests.Hosting;

public class SettingsLoaderTests
{
    private static OrchestraAdminOptions Load(params (string Key, string? Value)[] values) =>
        SettingsLoader.Load(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build());

    [Fact]
    public void Missing_dsn_names_the_variable_and_shows_an_example()
    {
        var e = Assert.Throws<SettingsException>(() => Load());
        Assert.StartsWith("POSTGRES_DSN is not set", e.Message);
        Assert.Contains("postgresql://", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Bad_dsn_names_the_variable_and_masks_the_password()
    {
        var e = Assert.Throws<SettingsException>(() => Load(("POSTGRES_DSN", "postgresql://admin:Hunter2@db:port/orchestra")));
        Assert.StartsWith("POSTGRES_DSN is not valid: port 'port'", e.Message);
        Assert.Contains("postgresql://admin:***@db:port/orchestra", e.Message);
        Assert.DoesNotContain("Hunter2", e.Message);
    }

    [Fact]
    public void Pool_sizes_and_timeouts_go_into_the_connection_string()
    {
        var o = Load(("POSTGRES_DSN", "postgresql://u:p@h/db"),
            ("OrchestraAdmin:Postgres:MaxPoolSize", "7"),
            ("OrchestraAdmin:Postgres:MinPoolSize", "2"),
            ("OrchestraAdmin:Postgres:CommandTimeoutSeconds", "9"));
        var b = new NpgsqlConnectionStringBuilder(o.Postgres.ConnectionString);
        Assert.Equal(7, b.MaxPoolSize);
        Assert.Equal(2, b.MinPoolSize);
        Assert.Equal(9, b.CommandTimeout);
        Assert.Equal("orchestra-admin", b.ApplicationName);
    }

    [Theory]
    [InlineData("OrchestraAdmin:Postgres:MaxPoolSize", "0", "OrchestraAdmin:Postgres:MaxPoolSize must be at least 1")]
    [InlineData("OrchestraAdmin:Postgres:MinPoolSize", "50", "OrchestraAdmin:Postgres:MinPoolSize must be from 0 to MaxPoolSize")]
    [InlineData("OrchestraAdmin:Postgres:StatementTimeoutSeconds", "0", "StatementTimeoutSeconds must be at least 1")]
    [InlineData("OrchestraAdmin:Postgres:MaxPoolSize", "many", "OrchestraAdmin:")]
    [InlineData("OrchestraAdmin:TrustedProxies:0", "10.0.0.0/8", "OrchestraAdmin:TrustedProxies '10.0.0.0/8' is not an IP address")]
    public void Bad_numbers_are_named(string key, string value, string expected)
    {
        var e = Assert.Throws<SettingsException>(() => Load(("POSTGRES_DSN", "postgresql://u:p@h/db"), (key, value)));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Missing_weaviate_url_is_not_an_error()
    {
        var o = Load(("POSTGRES_DSN", "postgresql://u:p@h/db"));
        Assert.False(o.Weaviate.IsConfigured);
    }

    [Theory]
    [InlineData("localhost:8080")]
    [InlineData("ftp://weaviate")]
    [InlineData("not a url")]
    public void Bad_weaviate_url_names_the_variable(string url)
    {
        var e = Assert.Throws<SettingsException>(() => Load(("POSTGRES_DSN", "postgresql://u:p@h/db"), ("WEAVIATE_URL", url)));
        Assert.StartsWith("WEAVIATE_URL is not valid", e.Message);
    }

    [Fact]
    public void Weaviate_url_and_key_are_read()
    {
        var o = Load(("POSTGRES_DSN", "postgresql://u:p@h/db"), ("WEAVIATE_URL", "http://weaviate:8080"), ("WEAVIATE_API_KEY", " k-123 "));
        Assert.Equal(new Uri("http://weaviate:8080/"), o.Weaviate.Url);
        Assert.Equal("k-123", o.Weaviate.ApiKey);
    }

    [Fact]
    public void Credentials_in_the_weaviate_url_are_refused_without_echoing_them()
    {
        var e = Assert.Throws<SettingsException>(() => Load(("POSTGRES_DSN", "postgresql://u:p@h/db"), ("WEAVIATE_URL", "http://user:Hunter2@weaviate:8080")));
        Assert.DoesNotContain("Hunter2", e.Message);
        Assert.Contains("WEAVIATE_API_KEY", e.Message);
    }
}
