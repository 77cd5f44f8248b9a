using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Orchestra.Admin.Components.Controls;
using Orchestra.Admin.Data.Embeddings;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Data.Weaviate;
using Orchestra.Admin.Features.VectorSearch;

namespace Orchestra.Admin.Features.VectorConsistency;

/// <summary>A check that started: its row's id, and the task that ends when it has ended and been recorded.</summary>
public sealed record StartedCheck(long Id, Task Completion);

/// <summary>
/// Starts, watches and records the consistency checks of this instance of the dashboard (a singleton), with
/// orchestra_admin.vector_consistency_runs as the one place every instance looks: a row per run; only one running per
/// class (a unique partial index, so a second start on any instance is refused); a heartbeat each
/// <see cref="HeartbeatEvery"/> that also carries the progress and picks up a Cancel made on another instance; a run whose
/// heartbeat stopped for <see cref="StaleAfter"/> (its process died) is shown as interrupted and blocks nothing. Runs do
/// not belong to a page: closing it leaves the check running, and any page shows it.
/// </summary>
public sealed class ConsistencyRuns(PostgresQueryRunner queries, EmbeddingProviders embeddings, IServiceProvider services,
    ILogger<ConsistencyRuns> logger) : IAsyncDisposable
{
    public static readonly TimeSpan HeartbeatEvery = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(30);
    public const int RunsKeptPerClass = 20;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentDictionary<long, CancellationTokenSource> active = new();

    /// <summary>Which process runs a check, as its row names it: host, process id and this service.</summary>
    public string Instance { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>The newest check of the class (running or not); null when it was never checked.</summary>
    public async Task<ConsistencyRun?> LastRunAsync(string className, CancellationToken ct = default)
    {
        var rows = await queries.QueryAsync<ConsistencyRun>("vectors/consistency_last_run",
            new { class_name = className, stale_seconds = StaleAfter.TotalSeconds }, ct: ct);
        return rows.Count == 0 ? null
            : rows[0] with { Result = rows[0].ResultJson is { } json ? JsonSerializer.Deserialize<ConsistencyResult>(json, Json) : null };
    }

    /// <summary>
    /// Checks the request against the class (a <see cref="ConsistencyInputException"/> names the field), refuses a provider
    /// that cannot serve the class (<see cref="EmbeddingException"/>) and a class already being checked
    /// (<see cref="ConsistencyBusyException"/>), then starts the check in the background.
    /// </summary>
    public async Task<StartedCheck> StartAsync(ConsistencyRequest request, ClassSearchInfo info, string actor, CancellationToken ct = default)
    {
        Validate(request, info);
        var profile = embeddings.ProfileFor(info.ClassName);
        if (embeddings.Refusal(info.ClassName, profile, info.VectorDimensions) is { } refusal) throw refusal;
        var client = services.GetService<IWeaviateClient>() ?? throw new InvalidOperationException("Weaviate is not configured: set WEAVIATE_URL.");

        await queries.QueryAsync<long>("vectors/consistency_interrupt_stale",
            new { class_name = request.ClassName, stale_seconds = StaleAfter.TotalSeconds }, ct: ct);
        var started = await queries.QueryAsync<long>("vectors/consistency_start", new
        {
            class_name = request.ClassName,
            text_property = request.TextProperty,
            provider = profile.Provider,
            model = profile.Model,
            class_dimensions = info.VectorDimensions,
            sample_size = request.SampleSize,
            threshold = request.Threshold,
            actor,
            instance = Instance,
            keep = RunsKeptPerClass,
        }, ct: ct);
        if (started.Count == 0)
        {
            var running = await LastRunAsync(request.ClassName, ct);
            var who = running is { IsRunning: true }
                ? $" (started by {running.Actor} at {running.StartedAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC, {running.Compared} of {running.SampleSize} objects compared)"
                : "";
            throw new ConsistencyBusyException(running, $"A check of {request.ClassName} is already running{who}: one runs at a time per class. Wait for it, or cancel it.");
        }

        var id = started[0];
        var cts = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
        active[id] = cts;
        var completion = Task.Run(() => RunAsync(id, new ConsistencyCheck(client, embeddings), request, profile, info.VectorDimensions, cts), CancellationToken.None);
        return new StartedCheck(id, completion);
    }

    /// <summary>Asks a running check to stop, whichever instance runs it; false when it is not running (any more).</summary>
    public async Task<bool> CancelAsync(long id, string actor, CancellationToken ct = default)
    {
        var asked = await queries.QueryAsync<long>("vectors/consistency_cancel", new { id, actor }, ct: ct);
        // Here at once; on another instance at its next heartbeat.
        try
        {
            if (active.TryGetValue(id, out var cts)) await cts.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // it ended meanwhile
        }
        return asked.Count > 0;
    }

    internal static void Validate(ConsistencyRequest request, ClassSearchInfo info)
    {
        if (request.ClassName != info.ClassName) throw new ConsistencyInputException("class", $"Pick the class again ({request.ClassName} was asked, {info.ClassName} described).");
        if (info.VectorDimensions == null)
            throw new ConsistencyInputException("class", $"Class {info.ClassName} has no object with a vector yet: there is nothing to check.");
        var texts = info.Properties.Where(IsText).Select(p => p.Name!).ToList();
        if (!texts.Contains(request.TextProperty, StringComparer.Ordinal))
            throw new ConsistencyInputException("textProperty", texts.Count == 0
                ? $"Class {info.ClassName} has no text property: there is no text to embed."
                : $"Class {info.ClassName} has no text property '{request.TextProperty}': pick one of {string.Join(", ", texts)}.");
        if (request.SampleSize is < ConsistencyRequest.MinSampleSize or > ConsistencyRequest.MaxSampleSize)
            throw new ConsistencyInputException("sampleSize",
                $"Sample from {ConsistencyRequest.MinSampleSize} to {ConsistencyRequest.MaxSampleSize:N0} objects (not {request.SampleSize:N0}).");
        if (!(request.Threshold > 0 && request.Threshold <= ConsistencyRequest.MaxThreshold))
            throw new ConsistencyInputException("threshold",
                $"The threshold is a cosine distance above 0 and at most {ConsistencyRequest.MaxThreshold.ToString(CultureInfo.InvariantCulture)}, e.g. 0.05.");
    }

    /// <summary>A property holding one text (text or string): what a vector can have been made from.</summary>
    public static bool IsText(Property p) => p.Name != null && p.DataType.Count == 1 && p.DataType[0] is "text" or "string";

    private async Task RunAsync(long id, ConsistencyCheck check, ConsistencyRequest request, EmbeddingProfile profile, int? classDimensions,
        CancellationTokenSource cts)
    {
        var tally = new ConsistencyTally();
        var state = new HeartbeatState();
        using var heartbeatStop = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(id, tally, state, cts, heartbeatStop.Token);
        string status;
        string? error = null;
        try
        {
            await check.RunAsync(request, profile, classDimensions, Random.Shared, tally, cts.Token);
            status = ConsistencyStatus.Completed;
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            (status, error) = stopping.IsCancellationRequested ? (ConsistencyStatus.Interrupted, "the dashboard stopped")
                : state.Lost is { } lost ? (ConsistencyStatus.Interrupted, lost)
                : (ConsistencyStatus.Cancelled, null);
        }
        catch (Exception e)
        {
            status = ConsistencyStatus.Failed;
            error = ErrorMessages.Describe(e);
            logger.LogWarning("The consistency check {RunId} of class {ClassName} failed: {Error}", id, request.ClassName, error);
        }
        await heartbeatStop.CancelAsync();
        await heartbeat;

        var result = tally.ToResult(request.Threshold);
        try
        {
            var recorded = await queries.QueryAsync<long>("vectors/consistency_finish", new
            {
                id,
                status,
                sampled = result.Sampled,
                compared = result.Checked,
                error,
                result = JsonSerializer.Serialize(result, Json),
            });
            if (recorded.Count == 0)
                logger.LogWarning("The consistency check {RunId} of class {ClassName} ended ({Status}) after it had been marked interrupted: its result is not kept",
                    id, request.ClassName, status);
        }
        catch (Exception e)
        {
            logger.LogError("The end of consistency check {RunId} of class {ClassName} ({Status}) could not be recorded; it will show as interrupted: {Error}",
                id, request.ClassName, status, PostgresQueryRunner.LoggableError(e));
        }
        finally
        {
            active.TryRemove(id, out _);
            cts.Dispose();
        }
    }

    private sealed class HeartbeatState
    {
        /// <summary>Why the run lost its row (set before the run is cancelled for it).</summary>
        public volatile string? Lost;
    }

    /// <summary>
    /// Every <see cref="HeartbeatEvery"/>: the progress and "still alive" into the run's row. The run stops when it is asked to
    /// (Cancel on any instance), when its row is no longer running, and when no heartbeat could be written for half of
    /// <see cref="StaleAfter"/>: by then another instance may take it for dead and start the class again.
    /// </summary>
    private async Task HeartbeatAsync(long id, ConsistencyTally tally, HeartbeatState state, CancellationTokenSource run, CancellationToken stop)
    {
        var lastBeat = DateTimeOffset.UtcNow;
        using var timer = new PeriodicTimer(HeartbeatEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    var rows = await queries.QueryAsync<string?>("vectors/consistency_heartbeat",
                        new { id, sampled = tally.Sampled, compared = tally.Compared }, ct: stop);
                    lastBeat = DateTimeOffset.UtcNow;
                    if (rows.Count == 0)
                    {
                        state.Lost = "it was marked interrupted while it ran (its heartbeat had stopped)";
                        await run.CancelAsync();
                        return;
                    }
                    if (rows[0] != null)
                    {
                        await run.CancelAsync();
                        return;
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning("The heartbeat of consistency check {RunId} could not be written: {Error}", id, PostgresQueryRunner.LoggableError(e));
                    if (DateTimeOffset.UtcNow - lastBeat > StaleAfter / 2)
                    {
                        state.Lost = $"its heartbeat could not be written for {(StaleAfter / 2).TotalSeconds:0} s";
                        await run.CancelAsync();
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>At shutdown: the checks of this instance stop and are recorded as interrupted (briefly waited for).</summary>
    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        var deadline = Task.Delay(TimeSpan.FromSeconds(5));
        while (!active.IsEmpty && !deadline.IsCompleted) await Task.Delay(50);
        stopping.Dispose();
    }
}
