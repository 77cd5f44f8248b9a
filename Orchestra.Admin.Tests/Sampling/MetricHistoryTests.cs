using Dapper;
using Orchestra.Admin.Sampling;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Sampling;

public class MetricHistoryTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    private MetricHistory History(TimeProvider clock)
    {
        var options = TestServices.Options(db);
        var sampler = TestServices.Sampler(db.DataSource, options, clock);
        return new MetricHistory(TestServices.QueryRunner(db), new PerRoundCache(sampler, clock),
            clock, Microsoft.Extensions.Options.Options.Create(options));
    }

    private async Task InsertAsync(string metric, params (DateTimeOffset At, double Value)[] samples)
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        await conn.ExecuteAsync("DELETE FROM orchestra_admin.metric_samples WHERE metric = @metric", new { metric });
        foreach (var (at, value) in samples)
            await conn.ExecuteAsync("INSERT INTO orchestra_admin.metric_samples (metric, sampled_at, value) VALUES (@metric, @at, @value)",
                new { metric, at = at.UtcDateTime, value });
    }

    [Fact]
    public async Task Buckets_average_the_samples_they_hold_and_leave_out_older_ones()
    {
        var history = History(new FixedClock(Now));
        var bucket = history.BucketFor(HistoryRange.LastDay);
        Assert.Equal(TimeSpan.FromMinutes(6), bucket); // 24 h in 240 points
        // 12:00 is a multiple of 6 min, so 11:30:00-11:35:59 is one bucket.
        var start = Now.AddMinutes(-30);
        await InsertAsync("test.gauge",
            (Now.AddDays(-2), 1000), // before the range
            (start, 2), (start.AddSeconds(15), 4), (start.AddSeconds(30), 6), (start.AddSeconds(45), 8),
            (start.AddMinutes(6), 10));

        var snapshot = await history.GetAsync(HistoryRange.LastDay, ["test.gauge"]);

        Assert.Equal(
            [(start.UtcDateTime, 5.0), (start.AddMinutes(6).UtcDateTime, 10.0)],
            snapshot["test.gauge"].Select(p => (p.Bucket, p.Value)));
        Assert.Equal(DateTimeKind.Utc, snapshot["test.gauge"][0].Bucket.Kind);
    }

    [Fact]
    public async Task Transactions_per_second_come_from_counter_steps_and_a_reset_is_left_out()
    {
        var t = Now.AddMinutes(-10);
        // 150 commits and 15 rollbacks per 15 s round = 11/s; the fourth round follows a statistics reset.
        await InsertAsync("xact.committed", (t, 1000), (t.AddSeconds(15), 1150), (t.AddSeconds(30), 1300), (t.AddSeconds(45), 100), (t.AddSeconds(60), 250));
        await InsertAsync("xact.rolled_back", (t, 0), (t.AddSeconds(15), 15), (t.AddSeconds(30), 30), (t.AddSeconds(45), 0), (t.AddSeconds(60), 15));

        var snapshot = await History(new FixedClock(Now)).GetAsync(HistoryRange.LastHour, [MetricHistory.TransactionsPerSecond]);

        Assert.Equal(
            [(t.AddSeconds(15).UtcDateTime, 11.0), (t.AddSeconds(30).UtcDateTime, 11.0), (t.AddSeconds(60).UtcDateTime, 11.0)],
            snapshot[MetricHistory.TransactionsPerSecond].Select(p => (p.Bucket, Math.Round(p.Value, 6))));
        Assert.DoesNotContain("xact.committed", snapshot.Series.Keys); // the raw counters are not charted
    }

    [Fact]
    public async Task Only_the_metrics_asked_for_are_returned_and_a_metric_without_samples_is_empty()
    {
        await InsertAsync("test.asked", (Now.AddMinutes(-1), 1));
        await InsertAsync("test.not_asked", (Now.AddMinutes(-1), 2));

        var snapshot = await History(new FixedClock(Now)).GetAsync(HistoryRange.LastHour, ["test.asked", "test.never_sampled"]);

        Assert.Equal(["test.asked"], snapshot.Series.Keys);
        Assert.Empty(snapshot["test.never_sampled"]);
    }

    [Fact]
    public async Task The_sampler_own_rounds_chart_as_connections_and_a_rate()
    {
        await InsertAsync("xact.committed"); // clears what other tests of this class stored
        await InsertAsync("xact.rolled_back");
        await InsertAsync("connections.active");
        var clock = new FixedClock(Now);
        var options = TestServices.Options(db);
        var sampler = TestServices.Sampler(db.DataSource, options, clock);
        await sampler.SampleOnceAsync();
        clock.Now = Now.AddSeconds(15);
        await using (var conn = await db.OpenOtherConnectionAsync())
        {
            for (var i = 0; i < 20; i++) await conn.ExecuteAsync("SELECT 1"); // autocommit transactions between the rounds
            // A backend reports its counters at most once a second; make this one report now (PostgreSQL 15+).
            await conn.ExecuteAsync("SELECT pg_stat_force_next_flush()");
        }
        await sampler.SampleOnceAsync();
        var history = new MetricHistory(TestServices.QueryRunner(db), new PerRoundCache(sampler, clock), clock,
            Microsoft.Extensions.Options.Options.Create(options));

        var snapshot = await history.GetAsync(HistoryRange.LastHour, ["connections.active", MetricHistory.TransactionsPerSecond]);

        Assert.Equal(2, snapshot["connections.active"].Count);
        var rate = Assert.Single(snapshot[MetricHistory.TransactionsPerSecond]);
        Assert.True(rate.Value >= 20 / 15.0, $"rate {rate.Value}");
    }
}
