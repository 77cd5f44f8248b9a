using Dapper;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Features.VectorConsistency;
using Orchestra.Admin.Features.VectorSearch;
using Orchestra.Admin.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestra.Admin.Tests.VectorConsistency;

/// <summary>
/// The consistency check against a real PostgreSQL (the runs' table, as the Viewer role where it matters) and the
/// in-process Weaviate emulator holding vectors the test made with the real local model (<see cref="ConsistencyStack"/>):
/// it finds exactly the planted vectors, samples at random windows without reading the class whole, runs once per class
/// across instances, cancels, survives a dead run, and records a failure.
/// </summary>
public sealed class ConsistencyCheckTests(PostgresDatabaseWithRoles db, ConsistencyStack stack, ITestOutputHelper output)
    : IClassFixture<PostgresDatabaseWithRoles>, IClassFixture<ConsistencyStack>, IAsyncLifetime
{
    private readonly List<ConsistencyRuns> services = [];
    private ConsistencyRuns owner = null!;

    public Task InitializeAsync()
    {
        owner = Service(TestServices.QueryRunner(db));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        stack.Emulator.Faults.Reset();
        foreach (var s in services) await s.DisposeAsync();
    }

    private ConsistencyRuns Service(PostgresQueryRunner runner)
    {
        var service = stack.Runs(runner);
        services.Add(service);
        return service;
    }

    /// <summary>A second instance of the dashboard on the same database, logged in with the Viewer role's grants only.</summary>
    private async Task<ConsistencyRuns> ViewerInstanceAsync() =>
        Service(TestServices.QueryRunner(await db.ConnectAsRoleAsync("orchestra_admin_viewer"), TestServices.Options(db)));

    private Task<ClassSearchInfo> InfoAsync() =>
        new GraphQLVectorSearch(stack.Services).DescribeClassAsync(ConsistencyStack.ClassName);

    [Fact]
    public async Task A_check_finds_exactly_the_vectors_replaced_by_noise_or_by_another_models_and_skips_what_has_no_text_or_vector()
    {
        Assert.Equal(384, stack.OtherModelDimensions); // arctic-embed-xs: same length as MiniLM, so only the distances tell
        var viewer = await ViewerInstanceAsync();

        var started = await viewer.StartAsync(new ConsistencyRequest(ConsistencyStack.ClassName, "content"), await InfoAsync(), "vera");
        await started.Completion;

        var run = (await viewer.LastRunAsync(ConsistencyStack.ClassName))!;
        Assert.Equal(started.Id, run.Id);
        Assert.Equal(ConsistencyStatus.Completed, run.Status);
        Assert.Equal(("local", "all-MiniLM-L6-v2", 384, "vera"), (run.Provider, run.Model, run.ClassDimensions, run.Actor));
        var r = run.Result!;
        var total = stack.Notes.Count + stack.WithoutText.Count + stack.WithoutVector.Count;
        Assert.Equal(total, r.Sampled); // the class is smaller than the sample of 200: read whole
        Assert.Equal(stack.Notes.Count, r.Checked);
        Assert.Equal(stack.WithoutText.Count, r.SkippedWithoutText);
        Assert.Equal(stack.WithoutVector.Count, r.SkippedWithoutVector);
        Assert.Equal(stack.Planted.Count, r.Mismatched);
        var mismatched = r.Worst.Where(o => o.Distance > ConsistencyRequest.DefaultThreshold).Select(o => o.Id).ToHashSet();
        Assert.True(stack.Planted.SetEquals(mismatched), "the mismatched objects are exactly the planted ones");
        // Everything else was made by this model from this text: the same vector up to float rounding.
        var firstGood = r.Worst.First(o => !stack.Planted.Contains(o.Id));
        Assert.True(firstGood.Distance < 1e-4, $"the furthest good object is at {firstGood.Distance}");
        Assert.Equal(stack.Planted.Count, r.Histogram.Where(b => b.From >= ConsistencyRequest.DefaultThreshold).Sum(b => b.Count));
        Assert.Equal(r.Checked, r.Histogram.Sum(b => b.Count));
        Assert.True(r.Median < 1e-4);
        Assert.Equal(r.Worst[0].Distance, r.Max);
        output.WriteLine($"{r.Checked} compared in {r.ElapsedSeconds:0.00} s (embedding {r.EmbeddingSeconds:0.00} s); median {r.Median:E2}, p95 {r.P95:0.0000}, max {r.Max:0.0000}; "
            + $"arctic-embed-xs vs MiniLM, nearest: {stack.NearestOtherModelDistance:0.0000}; furthest good: {firstGood.Distance:E2}");
    }

    [Fact]
    public async Task A_sample_smaller_than_the_class_comes_from_random_windows_not_the_first_ids_and_finds_the_planted_ones_in_it()
    {
        var check = new ConsistencyCheck(stack.Client, stack.Embeddings);
        var firstById = (await stack.Client.ListObjectsAsync(ConsistencyStack.ClassName, 40, null)).Objects.Select(o => o.Id!.Value).ToHashSet();

        var tally = new ConsistencyTally();
        var sample = (await check.SampleAsync(ConsistencyStack.ClassName, 40, new Random(11), tally, default)).Select(o => o.Id!.Value).ToList();
        var again = (await check.SampleAsync(ConsistencyStack.ClassName, 40, new Random(12), new ConsistencyTally(), default)).Select(o => o.Id!.Value).ToList();

        Assert.Equal(40, sample.Count);
        Assert.Equal(40, sample.Distinct().Count());
        Assert.Equal(40, tally.Sampled);
        Assert.False(firstById.SetEquals(sample), "not the first 40 by id");
        Assert.False(sample.ToHashSet().SetEquals(again), "another seed, another sample");

        // The check on the same sample (same seed) reports exactly the planted objects that are in it.
        var request = new ConsistencyRequest(ConsistencyStack.ClassName, "content", SampleSize: 40);
        var checkedTally = new ConsistencyTally();
        await check.RunAsync(request, stack.Embeddings.ProfileFor(ConsistencyStack.ClassName), 384, new Random(11), checkedTally, default);
        var result = checkedTally.ToResult(request.Threshold);
        var expected = stack.Planted.Intersect(sample).ToHashSet();
        Assert.Equal(expected.Count, result.Mismatched);
        Assert.True(expected.SetEquals(result.Worst.Where(o => o.Distance > request.Threshold).Select(o => o.Id)));
    }

    [Fact]
    public async Task Only_one_check_per_class_runs_at_a_time_across_two_instances_and_Cancel_from_the_other_instance_stops_it()
    {
        var viewer = await ViewerInstanceAsync();
        var info = await InfoAsync();
        // Every Weaviate answer takes 1.5 s: the check reads for several seconds, long enough to be met while running.
        stack.Emulator.Faults.LatencyMs = 1500;

        var started = await owner.StartAsync(new ConsistencyRequest(ConsistencyStack.ClassName, "content"), info, "otto");

        var refused = await Assert.ThrowsAsync<ConsistencyBusyException>(() =>
            viewer.StartAsync(new ConsistencyRequest(ConsistencyStack.ClassName, "content"), info, "vera"));
        Assert.Contains("already running", refused.Message);
        Assert.Contains("otto", refused.Message);
        Assert.Equal(started.Id, refused.Running!.Id);
        await Assert.ThrowsAsync<ConsistencyBusyException>(() =>
            owner.StartAsync(new ConsistencyRequest(ConsistencyStack.ClassName, "content"), info, "otto"));
        Assert.True((await viewer.LastRunAsync(ConsistencyStack.ClassName))!.IsRunning);

        Assert.True(await viewer.CancelAsync(started.Id, "vera")); // the other instance: seen at the run's next heartbeat
        await started.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        var run = (await owner.LastRunAsync(ConsistencyStack.ClassName))!;
        Assert.Equal((started.Id, ConsistencyStatus.Cancelled, "vera"), (run.Id, run.Status, run.CancelRequestedBy));
        Assert.NotNull(run.FinishedAt);
        Assert.False(await viewer.CancelAsync(started.Id, "vera")); // nothing running any more

        stack.Emulator.Faults.Reset();
        var next = await viewer.StartAsync(new ConsistencyRequest(ConsistencyStack.ClassName, "content", SampleSize: 10), info, "vera");
        await next.Completion;
        Assert.Equal(ConsistencyStatus.Completed, (await owner.LastRunAsync(ConsistencyStack.ClassName))!.Status);
    }

    [Fact]
    public async Task Cancel_on_the_instance_that_runs_it_stops_it_at_once_and_keeps_what_was_compared()
    {
        var info = await InfoAsync();
        stack.Emulator.Faults.LatencyMs = 1000;
        var started = await owner.StartAsync(new ConsistencyRequest(ConsistencyStack.ClassName, "content"), info, "otto");

        Assert.True(await owner.CancelAsync(started.Id, "otto"));
        await started.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        var run = (await owner.LastRunAsync(ConsistencyStack.ClassName))!;
        Assert.Equal(ConsistencyStatus.Cancelled, run.Status);
        Assert.NotNull(run.Result);
        Assert.True(run.Result!.Checked < stack.Notes.Count);
    }

    [Fact]
    public async Task A_run_whose_process_died_shows_as_interrupted_and_does_not_block_the_next_one()
    {
        var viewer = await ViewerInstanceAsync();
        var info = await InfoAsync();
        await using (var conn = await db.OpenOtherConnectionAsync())
        {
            // A run whose process died: still 'running', its last heartbeat ten minutes old (started "now" so that it is the newest run).
            await conn.ExecuteAsync("""
                INSERT INTO orchestra_admin.vector_consistency_runs
                    (class_name, text_property, provider, model, sample_size, threshold, actor, instance, started_at, heartbeat_at)
                VALUES ('Note', 'content', 'local', 'all-MiniLM-L6-v2', 200, 0.05, 'gone', 'dead-host:1:abc', now(), now() - interval '10 minutes')
                """);
        }
        var shown = (await viewer.LastRunAsync(ConsistencyStack.ClassName))!;
        Assert.Equal(("gone", ConsistencyStatus.Interrupted), (shown.Actor, shown.Status));

        var started = await viewer.StartAsync(new ConsistencyRequest(ConsistencyStack.ClassName, "content", SampleSize: 10), info, "vera");
        await started.Completion;

        await using var check = await db.OpenOtherConnectionAsync();
        var dead = await check.QuerySingleAsync<(string Status, string Error)>(
            "SELECT status, error FROM orchestra_admin.vector_consistency_runs WHERE actor = 'gone'");
        Assert.Equal(ConsistencyStatus.Interrupted, dead.Status);
        Assert.Contains("no heartbeat since", dead.Error);
        Assert.Equal(ConsistencyStatus.Completed, (await viewer.LastRunAsync(ConsistencyStack.ClassName))!.Status);
    }

    [Fact]
    public async Task A_Weaviate_failure_during_the_run_ends_it_as_failed_with_the_message_kept_and_the_next_run_works()
    {
        var info = await InfoAsync();
        stack.Emulator.Faults.StatusCode = 500;
        stack.Emulator.Faults.StatusMessage = "disk quota exceeded";
        stack.Emulator.Faults.PathPrefix = "/v1/objects";

        var started = await owner.StartAsync(new ConsistencyRequest(ConsistencyStack.ClassName, "content"), info, "otto");
        await started.Completion;

        var failed = (await owner.LastRunAsync(ConsistencyStack.ClassName))!;
        Assert.Equal(ConsistencyStatus.Failed, failed.Status);
        Assert.Contains("disk quota exceeded", failed.Error);

        stack.Emulator.Faults.Reset();
        var next = await owner.StartAsync(new ConsistencyRequest(ConsistencyStack.ClassName, "content", SampleSize: 10), info, "otto");
        await next.Completion;
        Assert.Equal(ConsistencyStatus.Completed, (await owner.LastRunAsync(ConsistencyStack.ClassName))!.Status);
    }

    [Fact]
    public async Task Bad_input_is_refused_at_its_field_and_starts_nothing()
    {
        var info = await InfoAsync();
        var before = await owner.LastRunAsync(ConsistencyStack.ClassName);

        var field = await Assert.ThrowsAsync<ConsistencyInputException>(() => owner.StartAsync(new ConsistencyRequest("Note", "nope"), info, "otto"));
        Assert.Equal("textProperty", field.Field);
        Assert.Contains("pick one of content, source", field.Message);
        Assert.Equal("sampleSize", (await Assert.ThrowsAsync<ConsistencyInputException>(() =>
            owner.StartAsync(new ConsistencyRequest("Note", "content", SampleSize: 5), info, "otto"))).Field);
        Assert.Equal("sampleSize", (await Assert.ThrowsAsync<ConsistencyInputException>(() =>
            owner.StartAsync(new ConsistencyRequest("Note", "content", SampleSize: 50_000), info, "otto"))).Field);
        Assert.Equal("threshold", (await Assert.ThrowsAsync<ConsistencyInputException>(() =>
            owner.StartAsync(new ConsistencyRequest("Note", "content", Threshold: 0), info, "otto"))).Field);
        Assert.Equal("threshold", (await Assert.ThrowsAsync<ConsistencyInputException>(() =>
            owner.StartAsync(new ConsistencyRequest("Note", "content", Threshold: double.NaN), info, "otto"))).Field);

        Assert.Equal(before?.Id, (await owner.LastRunAsync(ConsistencyStack.ClassName))?.Id);
    }
}
