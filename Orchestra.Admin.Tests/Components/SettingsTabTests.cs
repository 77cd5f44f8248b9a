using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Orchestra.Admin.Features.Postgres;
using Orchestra.Admin.Features.Postgres.Tabs;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Components;

public class SettingsTabTests : BunitSetup
{
    private sealed class FakeSettingsChecks(IReadOnlyList<SettingCheck> checks) : ISettingsChecks
    {
        public Task<IReadOnlyList<SettingCheck>> RecommendedAsync(CancellationToken ct = default) => Task.FromResult(checks);
    }

    [Fact]
    public void Differences_are_highlighted_with_both_values_in_readable_units()
    {
        var sharedBuffers = SettingsChecks.Compare(RecommendedSettings.All.Single(r => r.Name == "shared_buffers"),
            new PgSetting { Name = "shared_buffers", Setting = "16384", Unit = "8kB", Source = "command line", Context = "postmaster" });
        var completion = SettingsChecks.Compare(RecommendedSettings.All.Single(r => r.Name == "checkpoint_completion_target"),
            new PgSetting { Name = "checkpoint_completion_target", Setting = "0.9", Source = "default", Context = "sighup" });
        var walBuffers = SettingsChecks.Compare(RecommendedSettings.All.Single(r => r.Name == "wal_buffers"),
            new PgSetting { Name = "wal_buffers", Setting = "2048", Unit = "8kB", Source = "configuration file", Context = "postmaster", PendingRestart = true });
        Services.AddSingleton<ISettingsChecks>(new FakeSettingsChecks([sharedBuffers, completion, walBuffers]));

        var tab = Render<SettingsTab>();

        Assert.Equal("Recommended settings", tab.Find("section h2").TextContent);
        var shared = tab.Find("[data-setting=shared_buffers]");
        Assert.Equal("true", shared.GetAttribute("data-differs"));
        Assert.Equal("128 MB", shared.QuerySelector("[data-testid=setting-current]")!.TextContent);
        Assert.Contains("16384 × 8kB", shared.TextContent);
        Assert.Contains("4.0 GB", shared.TextContent);
        Assert.Contains("differs", shared.TextContent);
        Assert.Contains("restart to change", shared.TextContent);
        Assert.Equal("false", tab.Find("[data-setting=checkpoint_completion_target]").GetAttribute("data-differs"));
        Assert.Contains("as recommended", tab.Find("[data-setting=checkpoint_completion_target]").TextContent);
        Assert.Contains("pending restart", tab.Find("[data-setting=wal_buffers]").TextContent);
        Assert.Contains("1 of 3 settings differ", tab.Find("[data-testid=settings-summary]").TextContent);
        Assert.Contains("1 changed but waiting for a restart", tab.Find("[data-testid=settings-summary]").TextContent);
    }
}
