using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Hosting;
using Orchestra.Admin.Sampling;

namespace Orchestra.Admin.Features.Tasks;

/// <summary>
/// The task queue's reads (sql/tasks): the overview from the sampler's latest round (read once, cached per round, only
/// before the first round), stuck tasks and error groups cached per round, the failed list by keyset, one task with its
/// earlier attempts. Everything through <see cref="PostgresQueryRunner"/>, under the statement timeout.
/// </summary>
public sealed class TasksService(
    PostgresQueryRunner queries,
    MetricSampler sampler,
    PerRoundCache cache,
    TasksMetricSource source,
    IOptions<OrchestraAdminOptions> options,
    TimeProvider clock) : ITasksService
{
    /// <summary>Keys of this service's entries in <see cref="PerRoundCache"/>: the actions forget them after a change.</summary>
    public const string CachePrefix = "tasks/";
    public static readonly IReadOnlyList<int> PageSizes = [25, 50, 100];
    internal const int MaxStuck = 500;
    internal const int MaxGroups = 500;

    private TasksOptions Settings => options.Value.Tasks;
    /// <summary>Reads that fingerprint every matching failed task (the groups, a list filtered by group) get the requeue's
    /// longer timeout: about 20–60 µs per task, seconds on 100,000 failed tasks.</summary>
    private TimeSpan ScanTimeout => TimeSpan.FromSeconds(Settings.RequeueScanTimeoutSeconds);

    public async Task<QueueOverview> OverviewAsync(CancellationToken ct = default)
    {
        if (sampler.Latest is { } round && TasksMetricSource.HasTaskMetrics(round.Values))
            return TasksMetricSource.ToOverview(round.Values, round.SampledAt);
        // Before the first round (or a round whose task read failed): one read shared by every viewer until the next round.
        return await cache.GetAsync(CachePrefix + "overview", async load =>
        {
            var values = await source.ReadOrThrowAsync(load);
            return TasksMetricSource.ToOverview(values, clock.GetUtcNow());
        }, ct: ct);
    }

    public async Task<IReadOnlyList<string>> TaskTypesAsync(CancellationToken ct = default)
    {
        var overview = await OverviewAsync(ct);
        return overview.Counts.Select(c => c.TaskType).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    public Task<IReadOnlyList<StuckTask>> StuckAsync(CancellationToken ct = default) =>
        cache.GetAsync<IReadOnlyList<StuckTask>>(CachePrefix + "stuck", async load =>
        {
            var rows = await queries.QueryAsync<StuckRow>("tasks/stuck", new
            {
                thresholds = Settings.ThresholdsJson(),
                default_seconds = Settings.StuckThresholdMinutes * 60.0,
                limit = MaxStuck,
            }, ct: load);
            return rows.Select(r => new StuckTask(r.Id, r.TaskType, r.Priority, Utc(r.StartedAt), r.RunningFor, r.Threshold)).ToList();
        }, ct: ct);

    public async Task<IReadOnlyList<IndexAdvice>> IndexAdviceAsync(CancellationToken ct = default)
    {
        var indexes = await queries.QueryAsync<TaskIndexAdvice.IndexRow>("tasks/index_catalog", ct: ct);
        return TaskIndexAdvice.Advise(indexes);
    }

    public async Task<FailedTaskPage> FailedAsync(FailedTaskPageRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!PageSizes.Contains(request.PageSize))
            throw new TaskFilterException("pageSize", $"The page size must be 25, 50 or 100 (is {request.PageSize}).");
        if (request.After != null && request.Before != null)
            throw new ArgumentException("A page request has After or Before, not both.", nameof(request));
        var built = TaskFilterSql.Build(request.Filter);
        var backward = request.Before != null;
        if ((request.After ?? request.Before) is { } cursor)
            TaskFilterSql.AddKeyset(built, cursor, olderThan: !backward);
        built.Parameters.Add("limit", request.PageSize + 1);
        var sql = TaskFilterSql.Compose("tasks/failed_page", built.Lines, backward ? "ASC" : "DESC");
        var timeout = string.IsNullOrWhiteSpace(request.Filter?.Fingerprint) ? (TimeSpan?)null : ScanTimeout;
        var rows = await RunFilteredAsync<FailedRow>("tasks/failed_page", sql, built, request.Filter, timeout, ct);

        var more = rows.Count > request.PageSize;
        var page = rows.Take(request.PageSize).ToList();
        if (backward)
        {
            // Short at the start (tasks before it were requeued meanwhile): show the first page, full.
            if (!more && page.Count < request.PageSize)
                return await FailedAsync(request with { Before = null, After = null }, ct);
            page.Reverse();
            return new FailedTaskPage(page.Select(ToRow).ToList(), Cursor(page[^1]), more ? Cursor(page[0]) : null);
        }
        return new FailedTaskPage(page.Select(ToRow).ToList(),
            more ? Cursor(page[^1]) : null,
            request.After != null && page.Count > 0 ? Cursor(page[0]) : null);
    }

    public Task<IReadOnlyList<ErrorGroup>> ErrorGroupsAsync(FailedTaskFilter filter, int limit = 50, CancellationToken ct = default)
    {
        filter ??= new FailedTaskFilter();
        var built = TaskFilterSql.Build(filter); // bad input fails here, for this caller only
        if (limit is < 1 or > MaxGroups)
            throw new TaskFilterException("limit", $"From 1 to {MaxGroups} groups (asked for {limit}).");
        built.Parameters.Add("limit", limit);
        var sql = TaskFilterSql.Compose("tasks/error_groups", built.Lines);
        // Grouping reads every matching failed task: shared by all viewers until the next round (the actions forget it).
        return cache.GetAsync<IReadOnlyList<ErrorGroup>>(CachePrefix + "groups/" + JsonSerializer.Serialize(filter) + "/" + limit, async load =>
        {
            var rows = await RunFilteredAsync<GroupRow>("tasks/error_groups", sql, built, filter, ScanTimeout, load);
            return rows.Select(r => new ErrorGroup(r.Fingerprint, r.Count, Utc(r.FirstSeen), Utc(r.LastSeen), r.SampleError, r.SampleId, r.TaskTypes ?? [])).ToList();
        }, ct: ct);
    }

    public async Task<TaskDetail?> GetAsync(Guid id, CancellationToken ct = default)
    {
        var row = (await queries.QueryAsync<DetailRow>("tasks/get", new { id }, ct: ct)).SingleOrDefault();
        if (row == null) return null;
        var attempts = await queries.QueryAsync<AttemptRow>("tasks/attempts", new { id }, ct: ct);
        return new TaskDetail(row.Id, row.TaskType, row.Status, row.Priority, row.PayloadJson, Utc(row.CreatedAt), Utc(row.StartedAt),
            Utc(row.CompletedAt), row.Error,
            attempts.Select(a => new TaskAttempt(a.Id, a.TaskId, a.Status, a.Error, Utc(a.StartedAt), Utc(a.FinishedAt), Utc(a.RequeuedAt), a.RequeuedBy, a.AuditId)).ToList());
    }

    /// <summary>Runs a statement built from the operator's filter; a data error PostgreSQL raises can only come from the payload JSON.</summary>
    internal async Task<IReadOnlyList<T>> RunFilteredAsync<T>(string name, string sql, TaskFilterSql.Built built, FailedTaskFilter? filter, TimeSpan? timeout, CancellationToken ct)
    {
        try
        {
            return await queries.QuerySqlAsync<T>(name, sql, built.Parameters, timeout, ct);
        }
        catch (PostgresException e) when (e.SqlState.StartsWith("22", StringComparison.Ordinal))
        {
            throw Rejected(filter, e);
        }
    }

    internal static TaskFilterException Rejected(FailedTaskFilter? filter, PostgresException e) =>
        new(string.IsNullOrWhiteSpace(filter?.PayloadContains) ? "filter" : "payloadContains", $"PostgreSQL cannot use this filter: {e.MessageText}");

    internal static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc), TimeSpan.Zero);
    internal static DateTimeOffset? Utc(DateTime? value) => value is { } v ? Utc(v) : null;

    private static TaskCursor Cursor(FailedRow r) => new(Utc(r.SortAt), r.Id);

    private static FailedTaskRow ToRow(FailedRow r) =>
        new(r.Id, r.TaskType, r.Priority, Utc(r.CreatedAt), Utc(r.FailedAt), r.ErrorFirstLine, r.Fingerprint);

    private sealed record StuckRow
    {
        public Guid Id { get; init; }
        public string TaskType { get; init; } = "";
        public int Priority { get; init; }
        public DateTime StartedAt { get; init; }
        public TimeSpan RunningFor { get; init; }
        public TimeSpan Threshold { get; init; }
    }

    private sealed record FailedRow
    {
        public Guid Id { get; init; }
        public string TaskType { get; init; } = "";
        public int Priority { get; init; }
        public DateTime CreatedAt { get; init; }
        public DateTime? FailedAt { get; init; }
        public DateTime SortAt { get; init; }
        public string? ErrorFirstLine { get; init; }
        public string Fingerprint { get; init; } = "";
    }

    private sealed record GroupRow
    {
        public string Fingerprint { get; init; } = "";
        public long Count { get; init; }
        public DateTime FirstSeen { get; init; }
        public DateTime LastSeen { get; init; }
        public Guid SampleId { get; init; }
        public string SampleError { get; init; } = "";
        public string[]? TaskTypes { get; init; }
    }

    private sealed record DetailRow
    {
        public Guid Id { get; init; }
        public string TaskType { get; init; } = "";
        public string Status { get; init; } = "";
        public int Priority { get; init; }
        public string PayloadJson { get; init; } = "";
        public DateTime CreatedAt { get; init; }
        public DateTime? StartedAt { get; init; }
        public DateTime? CompletedAt { get; init; }
        public string? Error { get; init; }
    }

    private sealed record AttemptRow
    {
        public long Id { get; init; }
        public Guid TaskId { get; init; }
        public string? Status { get; init; }
        public string? Error { get; init; }
        public DateTime? StartedAt { get; init; }
        public DateTime? FinishedAt { get; init; }
        public DateTime RequeuedAt { get; init; }
        public string RequeuedBy { get; init; } = "";
        public long? AuditId { get; init; }
    }
}
