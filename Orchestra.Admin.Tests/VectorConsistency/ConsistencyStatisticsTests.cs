using Orchestra.Admin.Features.VectorConsistency;

namespace Orchestra.Admin.Tests.VectorConsistency;

/// <summary>The numbers the consistency check shows: cosine distance, quantiles, the histogram's edges.</summary>
public sealed class ConsistencyStatisticsTests
{
    [Fact]
    public void Cosine_distance_is_0_for_the_same_direction_1_for_orthogonal_2_for_opposite_and_ignores_length()
    {
        Assert.Equal(0, ConsistencyStatistics.CosineDistance([1, 2, 3], [2, 4, 6])!.Value, 12);
        Assert.Equal(1, ConsistencyStatistics.CosineDistance([1, 0], [0, 5])!.Value, 12);
        Assert.Equal(2, ConsistencyStatistics.CosineDistance([1, 1], [-3, -3])!.Value, 12);
        Assert.Null(ConsistencyStatistics.CosineDistance([0, 0], [1, 0])); // no direction to compare
        Assert.Throws<ArgumentException>(() => ConsistencyStatistics.CosineDistance([1, 0], [1, 0, 0]));
    }

    [Fact]
    public void Median_interpolates_between_the_two_middle_values_of_an_even_count_and_is_the_middle_one_of_an_odd_count()
    {
        Assert.Equal(2.5, ConsistencyStatistics.Quantile([1, 2, 3, 4], 0.5));
        Assert.Equal(3, ConsistencyStatistics.Quantile([1, 2, 3, 4, 100], 0.5));
        Assert.Equal(7, ConsistencyStatistics.Quantile([7], 0.5));
        Assert.Equal(7, ConsistencyStatistics.Quantile([7], 0.95));
        Assert.Null(ConsistencyStatistics.Quantile([], 0.5));
    }

    [Fact]
    public void P95_of_0_to_100_is_95_and_of_twenty_values_lies_between_the_19th_and_20th()
    {
        var hundred = Enumerable.Range(0, 101).Select(i => (double)i).ToList();
        Assert.Equal(95, ConsistencyStatistics.Quantile(hundred, 0.95)!.Value, 9);
        var twenty = Enumerable.Range(1, 20).Select(i => (double)i).ToList(); // position 0.95 × 19 = 18.05
        Assert.Equal(19.05, ConsistencyStatistics.Quantile(twenty, 0.95)!.Value, 9);
        Assert.Equal(1, ConsistencyStatistics.Quantile(twenty, 0));
        Assert.Equal(20, ConsistencyStatistics.Quantile(twenty, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConsistencyStatistics.Quantile(twenty, 1.5));
    }

    [Fact]
    public void A_distance_on_an_edge_counts_in_the_bar_that_ends_there_so_one_equal_to_the_threshold_is_not_above_it()
    {
        var bins = ConsistencyStatistics.Histogram([0.05, 0.0500001, 0.01, 0], threshold: 0.05);

        Assert.Equal(3, bins.Where(b => b.To <= 0.05).Sum(b => b.Count));            // 0, 0.01 and 0.05: not above the threshold
        Assert.Equal(1, bins.Single(b => b.From == 0.02 && b.To == 0.05).Count);   // 0.05 exactly
        Assert.Equal(1, bins.Single(b => b.From == 0.05 && b.To == 0.1).Count);    // just above the threshold
        Assert.Equal(1, bins.Single(b => b.From == 0.001 && b.To == 0.01).Count);  // 0.01 exactly
        Assert.Equal(1, bins.Single(b => b.From == 0 && b.To == 0.001).Count);     // 0 is in the first bar
        Assert.Equal(4, bins.Sum(b => b.Count));
    }

    [Fact]
    public void The_threshold_becomes_an_edge_so_the_bars_above_it_count_exactly_the_mismatches()
    {
        double[] distances = [0.001, 0.02, 0.029, 0.03, 0.031, 0.4, 1.2];
        var bins = ConsistencyStatistics.Histogram(distances, threshold: 0.03);

        Assert.Contains(bins, b => b.To == 0.03);
        Assert.Contains(bins, b => b.From == 0.03);
        Assert.Equal(distances.Count(d => d > 0.03), bins.Where(b => b.From >= 0.03).Sum(b => b.Count));
        // Edges ascend without gaps from 0 to 2.
        Assert.Equal(0, bins[0].From);
        Assert.Equal(2, bins[^1].To);
        Assert.All(bins.Zip(bins.Skip(1)), pair => Assert.Equal(pair.First.To, pair.Second.From));
    }

    [Fact]
    public void Rounding_below_0_counts_in_the_first_bar_and_beyond_2_in_the_last()
    {
        var bins = ConsistencyStatistics.Histogram([-1e-7, 2.0000001, 2], threshold: 0.05);
        Assert.Equal(1, bins[0].Count);
        Assert.Equal(2, bins[^1].Count);
    }

    [Fact]
    public void No_distances_give_empty_bars()
    {
        var bins = ConsistencyStatistics.Histogram([], threshold: 0.05);
        Assert.NotEmpty(bins);
        Assert.All(bins, b => Assert.Equal(0, b.Count));
    }
}
