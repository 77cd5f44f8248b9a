using Orchestra.Admin.Features.Overview;
using Orchestra.Admin.Features.Postgres;

namespace Orchestra.Admin.Tests.Monitoring;

public class StatusRulesTests
{
    private static readonly StatusThresholds T = new();

    [Theory]
    [InlineData(0.999, StatusLevel.Ok)]
    [InlineData(0.99, StatusLevel.Ok)]
    [InlineData(0.97, StatusLevel.Warning)]
    [InlineData(0.90, StatusLevel.Critical)]
    public void Cache_hit_ratio(double ratio, StatusLevel expected) => Assert.Equal(expected, StatusRules.CacheHitRatio(ratio, T).Level);

    [Fact]
    public void No_reads_yet_is_not_an_alarm() => Assert.Equal((StatusLevel.Ok, "n/a"), (StatusRules.CacheHitRatio(null, T).Level, StatusRules.CacheHitRatio(null, T).Value));

    [Theory]
    [InlineData(10, 100, StatusLevel.Ok)]
    [InlineData(75, 100, StatusLevel.Warning)]
    [InlineData(181, 200, StatusLevel.Critical)]
    public void Connections(long used, int max, StatusLevel expected)
    {
        var tile = StatusRules.Connections(used, max, T);
        Assert.Equal(expected, tile.Level);
        Assert.Equal($"{used} / {max}", tile.Value);
    }

    [Theory]
    [InlineData(0, StatusLevel.Ok)]
    [InlineData(1, StatusLevel.Warning)]
    [InlineData(5, StatusLevel.Critical)]
    public void Long_running_and_blocked(double count, StatusLevel expected)
    {
        Assert.Equal(expected, StatusRules.LongRunning(count, T, 60).Level);
        Assert.Equal(expected, StatusRules.Blocked(count, T).Level);
    }

    [Theory]
    [InlineData(10, StatusLevel.Ok)]
    [InlineData(55, StatusLevel.Warning)]
    [InlineData(85, StatusLevel.Critical)]
    public void Wraparound_by_the_worst_database(double percent, StatusLevel expected)
    {
        var tile = StatusRules.Wraparound(new DatabaseWraparound { DatabaseName = "orchestra", PercentOfFreezeMaxAge = percent }, T);
        Assert.Equal(expected, tile.Level);
        Assert.Contains("orchestra", tile.Reason);
    }

    [Fact]
    public void Thresholds_are_configurable()
    {
        var strict = new StatusThresholds { CacheHitRatioWarning = 0.999, LongRunningWarning = 3, LongRunningCritical = 10 };
        Assert.Equal(StatusLevel.Warning, StatusRules.CacheHitRatio(0.995, strict).Level);
        Assert.Equal(StatusLevel.Ok, StatusRules.LongRunning(2, strict, 60).Level);
    }

    [Fact]
    public void Invalid_or_duplicate_indexes_warn()
    {
        Assert.Equal(StatusLevel.Ok, StatusRules.Indexes(0, 0).Level);
        Assert.Equal(StatusLevel.Warning, StatusRules.Indexes(1, 0).Level);
        Assert.Contains("duplicate", StatusRules.Indexes(0, 2).Reason);
    }
}
