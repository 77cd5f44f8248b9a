using Orchestra.Admin.Components.Controls;

namespace Orchestra.Admin.Tests.Components;

public class ChartAxisTests
{
    [Theory]
    [InlineData(new[] { 0.0, 0.18, 0.25 }, 1000, 50)]        // distances: 0–250 plotted, a tick every 0.05
    [InlineData(new[] { 0.0, 1.0, 3.0 }, 100, 50)]           // node counts: a tick every 0.5
    [InlineData(new[] { 64.0, 99.9 }, 10, 50)]                // percentages: a tick every 5 %
    [InlineData(new[] { 1e9, 1.2e11 }, 1e-9, 20)]             // 120 GB: no int overflow, a tick every 20 GB
    public void The_range_is_plotted_in_hundreds_of_units_with_whole_ticks(double[] values, double factor, int ticks)
    {
        var axis = ChartAxis.For(values);
        Assert.Equal(factor, axis.Factor, 12);
        Assert.Equal(ticks, axis.Ticks);
        Assert.All(values, v => Assert.Equal(v, axis.Unplot(axis.Plot(v)), 6));
    }

    [Fact]
    public void A_flat_or_empty_series_still_gets_an_axis()
    {
        Assert.True(ChartAxis.For([118_000_000, 118_000_000]).Ticks >= 1);
        Assert.True(ChartAxis.For([0, 0]).Ticks >= 1);
        Assert.True(ChartAxis.For([]).Ticks >= 1);
        Assert.True(ChartAxis.For([double.NaN]).Ticks >= 1);
    }
}
