using Orchestra.Admin.Sampling;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Sampling;

public class PerRoundCacheTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private readonly FixedClock clock = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));

    private (PerRoundCache Cache, MetricSampler Sampler) Create()
    {
        var sampler = TestServices.Sampler(db.DataSource, TestServices.Options(db), clock);
        return (new PerRoundCache(sampler, clock), sampler);
    }

    [Fact]
    public async Task Many_viewers_share_one_load_until_the_next_sampler_round()
    {
        var (cache, sampler) = Create();
        var loads = 0;
        var release = new TaskCompletionSource();
        async Task<int> Load(CancellationToken ct)
        {
            var n = Interlocked.Increment(ref loads);
            await release.Task;
            return n;
        }

        var viewers = Enumerable.Range(0, 20).Select(_ => Task.Run(() => cache.GetAsync("k", Load))).ToList();
        await Task.Delay(100);
        release.SetResult();
        Assert.All(await Task.WhenAll(viewers), v => Assert.Equal(1, v));
        Assert.Equal(1, await cache.GetAsync("k", Load));

        await sampler.SampleOnceAsync();

        Assert.Equal(2, await cache.GetAsync("k", Load));
        Assert.Equal(2, loads);
    }

    [Fact]
    public async Task A_failed_load_is_not_kept()
    {
        var (cache, _) = Create();
        var calls = 0;
        Task<string> Load(CancellationToken ct) =>
            ++calls == 1 ? Task.FromException<string>(new InvalidOperationException("down")) : Task.FromResult("up");

        await Assert.ThrowsAsync<InvalidOperationException>(() => cache.GetAsync("k", Load));
        Assert.Equal("up", await cache.GetAsync("k", Load));
    }

    [Fact]
    public async Task An_entry_with_a_max_age_outlives_rounds_until_it_is_that_old()
    {
        var (cache, sampler) = Create();
        var calls = 0;
        Task<int> Load(CancellationToken ct) => Task.FromResult(++calls);

        Assert.Equal(1, await cache.GetAsync("slow", Load, maxAge: TimeSpan.FromMinutes(6)));
        await sampler.SampleOnceAsync();
        clock.Now = clock.Now.AddMinutes(5);
        Assert.Equal(1, await cache.GetAsync("slow", Load, maxAge: TimeSpan.FromMinutes(6)));
        clock.Now = clock.Now.AddMinutes(2);
        Assert.Equal(2, await cache.GetAsync("slow", Load, maxAge: TimeSpan.FromMinutes(6)));
    }

    [Fact]
    public async Task Forget_drops_the_entries_under_a_prefix_only()
    {
        var (cache, _) = Create();
        var calls = 0;
        Task<int> Load(CancellationToken ct) => Task.FromResult(++calls);
        await cache.GetAsync("overview/a", Load);
        await cache.GetAsync("other/b", Load);

        cache.Forget("overview/");

        Assert.Equal(3, await cache.GetAsync("overview/a", Load));
        Assert.Equal(2, await cache.GetAsync("other/b", Load));
    }

    [Fact]
    public async Task A_viewer_that_leaves_does_not_cancel_the_load_others_wait_for()
    {
        var (cache, _) = Create();
        var release = new TaskCompletionSource<int>();
        using var leaving = new CancellationTokenSource();

        var first = cache.GetAsync("k", _ => release.Task, ct: leaving.Token);
        var second = cache.GetAsync("k", _ => Task.FromResult(-1));
        leaving.Cancel();
        release.SetResult(7);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.Equal(7, await second);
    }
}
