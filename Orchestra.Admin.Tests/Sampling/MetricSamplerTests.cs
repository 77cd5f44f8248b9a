using Dapper;
using Orchestra.Admin.Sampling;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Sampling;

public class MetricSamplerTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private MetricSampler Sampler(TimeProvider clock, int longRunningSeconds = 60)
    {
        var options = TestServices.Options(db);
        options.Postgres.LongRunningSeconds = longRunningSeconds;
        return TestServices.Sampler(db.DataSource, options, clock);
    }

    [Fact]
    public async Task A_round_stores_every_metric_and_sees_a_long_running_query()
    {
        await using var report = PsqlClient.Start(db, "sampler-probe", "SELECT pg_sleep(30)");
        await Task.Delay(1500); // longer than the 1 s threshold below
        var clock = new FixedClock(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));
        var sampler = Sampler(clock, longRunningSeconds: 1);
        SampleRound? raised = null;
        sampler.Sampled += r => raised = r;

        var round = await sampler.SampleOnceAsync();

        Assert.Same(round, raised);
        Assert.Same(round, sampler.Latest);
        Assert.True(round.Values["connections.active"] >= 1);
        Assert.True(round.Values["queries.long_running"] >= 1);
        Assert.True(round.Values["xact.committed"] > 0);
        Assert.True(round.Values["database.size_bytes"] > 1_000_000);
        Assert.True(round.Values["connections.used_on_server"] >= round.Values["connections.active"]);
        Assert.Contains("xact.rolled_back", round.Values.Keys);

        await using var conn = await db.OpenOtherConnectionAsync();
        var stored = (await conn.QueryAsync<(string Metric, double Value)>(
            "SELECT metric, value FROM orchestra_admin.metric_samples WHERE sampled_at = @at", new { at = clock.Now.UtcDateTime })).ToDictionary(r => r.Metric, r => r.Value);
        Assert.Equal(round.Values.OrderBy(v => v.Key), stored.OrderBy(v => v.Key));
    }

    [Fact]
    public async Task A_round_deletes_samples_past_the_retention_and_keeps_the_rest()
    {
        var now = new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
        await using (var conn = await db.OpenOtherConnectionAsync())
            await conn.ExecuteAsync("""
                INSERT INTO orchestra_admin.metric_samples (metric, sampled_at, value) VALUES
                    ('test.old', @old, 1), ('test.recent', @recent, 2)
                """, new { old = now.UtcDateTime.AddDays(-8), recent = now.UtcDateTime.AddDays(-6) });

        await Sampler(new FixedClock(now)).SampleOnceAsync(); // retention: 7 days by default

        await using var check = await db.OpenOtherConnectionAsync();
        Assert.Equal(["test.recent"], await check.QueryAsync<string>("SELECT metric FROM orchestra_admin.metric_samples WHERE metric LIKE 'test.%'"));
    }

    [Fact]
    public async Task Two_rounds_at_the_same_instant_store_it_once()
    {
        var clock = new FixedClock(new DateTimeOffset(2026, 11, 26, 11, 0, 0, TimeSpan.Zero));
        var sampler = Sampler(clock);
        var first = await sampler.SampleOnceAsync();
        await sampler.SampleOnceAsync();

        await using var conn = await db.OpenOtherConnectionAsync();
        Assert.Equal(first.Values.Count, await conn.ExecuteScalarAsync<int>(
            "SELECT count(*) FROM orchestra_admin.metric_samples WHERE sampled_at = @at", new { at = clock.Now.UtcDateTime }));
    }
}
