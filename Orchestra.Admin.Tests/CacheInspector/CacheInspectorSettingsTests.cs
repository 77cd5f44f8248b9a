using Microsoft.Extensions.Configuration;
using Orchestra.Admin.Hosting;

namespace Orchestra.Admin.Tests.CacheInspector;

/// <summary>OrchestraAdmin:Cache settings: read, defaulted and validated at start-up.</summary>
public class CacheInspectorSettingsTests
{
    private static OrchestraAdminOptions Load(params (string Key, string? Value)[] values) =>
        SettingsLoader.Load(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))
                .Append(new("POSTGRES_DSN", "postgresql://u:p@h/db")))
            .Build());

    [Fact]
    public void Defaults_and_overrides()
    {
        var defaults = Load();
        Assert.Equal((10_000, 1_000), (defaults.Cache.MaxPatternDeleteKeys, defaults.Cache.PurgeBatchSize));
        var set = Load(("OrchestraAdmin:Cache:MaxPatternDeleteKeys", "50"), ("OrchestraAdmin:Cache:PurgeBatchSize", "200"));
        Assert.Equal((50, 200), (set.Cache.MaxPatternDeleteKeys, set.Cache.PurgeBatchSize));
    }

    [Theory]
    [InlineData("OrchestraAdmin:Cache:MaxPatternDeleteKeys", "0")]
    [InlineData("OrchestraAdmin:Cache:PurgeBatchSize", "0")]
    [InlineData("OrchestraAdmin:Cache:PurgeBatchSize", "1000000")]
    public void Bad_values_stop_the_start_naming_the_setting(string key, string value)
    {
        var e = Assert.Throws<SettingsException>(() => Load((key, value)));
        Assert.Contains(key, e.Message);
    }
}
