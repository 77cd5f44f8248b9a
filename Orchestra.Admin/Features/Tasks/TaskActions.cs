using System.Diagnostics;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Hosting;
using Orchestra.Admin.Sampling;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.Features.Tasks;

/// <summary>
/// The operator actions on tasks. Requeue (one, selected, by filter, a whole error group) is a bulk operation: the tasks
/// it will work through are read once (the dry run's set), then taken in batches of OrchestraAdmin:Tasks:RequeueBatchSize,
/// each batch one short transaction (sql/tasks/requeue_batch.sql: rows locked FOR UPDATE SKIP LOCKED, guarded by
/// status = 'failed', the previous attempt kept in task_attempts first). Cancelling stops between batches; every batch
/// that finished is complete and recorded in task_attempts with the operation's id, so running the same request again
/// continues with what is still failed. One audit entry per operation, written when it ends. The small actions (requeue
/// stuck, cancel, delete) take the one path of <see cref="OperatorActions"/>: one transaction with its audit entry.
/// </summary>
public sealed class TaskActions(
    NpgsqlDataSource dataSource,
    PostgresQueryRunner queries,
    OperatorActions actions,
    AuditLog audit,
    PerRoundCache cache,
    IOptions<OrchestraAdminOptions> options,
    ILogger<TaskActions> logger) : ITaskActions
{
    public const string Requeue = "task.requeue";
    public const string RequeueStuck = "task.requeue-stuck";
    public const string Cancel = "task.cancel";
    public const string Delete = "task.delete";
    internal const string Table = "task_queue";
    /// <summary>At most this many ids per request of ids (select many, or use a filter).</summary>
    public const int MaxIds = 10_000;
    /// <summary>After this many batches failing in a row (PostgreSQL down), the operation stops.</summary>
    internal const int MaxConsecutiveFailedBatches = 3;

    private TasksOptions Settings => options.Value.Tasks;
    private TimeSpan ScanTimeout => TimeSpan.FromSeconds(Settings.RequeueScanTimeoutSeconds);

    public async Task<long> CountRequeueAsync(RequeueRequest request, CancellationToken ct = default)
    {
        var target = Validate(request);
        if (target.Ids is { } ids)
            return (await queries.QueryAsync<Guid>("tasks/failed_ids_of", new { ids }, ScanTimeout, ct)).Count;
        var sql = TaskFilterSql.Compose("tasks/failed_count", target.Filter!.Lines);
        return (await RunFilteredAsync<long>("tasks/failed_count", sql, target.Filter, request.Filter, ct)).Single();
    }

    public async Task<RequeueReport> RequeueAsync(OperatorIdentity actor, RequeueRequest request, IProgress<RequeueProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var parameters = RequestParameters(request);
        await RequireOperatorAsync(actor, Requeue, parameters, ct);
        var target = Validate(request);

        // The set the dry run counted, read once: each batch then takes its tasks by primary key.
        IReadOnlyList<Guid> matched;
        try
        {
            matched = target.Ids is { } ids
                ? await queries.QueryAsync<Guid>("tasks/failed_ids_of", new { ids }, ScanTimeout, ct)
                : await RunFilteredAsync<Guid>("tasks/failed_ids", TaskFilterSql.Compose("tasks/failed_ids", target.Filter!.Lines), target.Filter, request.Filter, ct);
        }
        catch (Exception e) when (e is not (OperationCanceledException or TaskFilterException))
        {
            // Nothing changed; the attempt is recorded as the other actions' failures are.
            await audit.TryWriteAsync(new AuditEntry(Requeue, actor.Name, actor.Role, actor.ClientIp, Succeeded: false, Table, [], parameters,
                Error: e.Message), CancellationToken.None);
            throw;
        }

        var operationId = Guid.NewGuid();
        var batchSize = Settings.RequeueBatchSize;
        long requeued = 0, skipped = 0, failed = 0;
        int batches = 0, failedInARow = 0;
        var cancelled = false;
        var longest = TimeSpan.Zero;
        var requeuedIds = new List<Guid>();
        string? lastError = null;
        for (var start = 0; start < matched.Count; start += batchSize)
        {
            if (ct.IsCancellationRequested) { cancelled = true; break; }
            var batch = matched.Skip(start).Take(batchSize).ToArray();
            try
            {
                var (done, took) = await RequeueBatchAsync(actor, operationId, batch, request.NewPriority);
                if (took > longest) longest = took;
                requeued += done.Count;
                skipped += batch.Length - done.Count;
                if (requeuedIds.Count < Settings.AuditMaxIds) requeuedIds.AddRange(done.Take(Settings.AuditMaxIds - requeuedIds.Count));
                failedInARow = 0;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                // Rolled back: nothing of this batch changed. Running the request again picks these tasks up.
                failed += batch.Length;
                lastError = e.Message;
                logger.LogWarning("Requeue {OperationId}: a batch of {Count} failed: {Error}", operationId, batch.Length, e.Message);
                if (++failedInARow >= MaxConsecutiveFailedBatches)
                {
                    failed += matched.Count - (start + batch.Length);
                    batches++;
                    progress?.Report(new RequeueProgress(matched.Count, requeued, skipped, failed, batches));
                    break;
                }
            }
            batches++;
            progress?.Report(new RequeueProgress(matched.Count, requeued, skipped, failed, batches));
        }

        cache.Forget(TasksService.CachePrefix);
        var auditParameters = new Dictionary<string, object?>(parameters)
        {
            ["operationId"] = operationId,
            ["matched"] = matched.Count,
            ["requeued"] = requeued,
            ["skipped"] = skipped,
            ["failed"] = failed,
            ["batches"] = batches,
            ["batchSize"] = batchSize,
            ["cancelled"] = cancelled,
            ["idsInEntry"] = requeuedIds.Count,
            ["idsNotInEntry"] = requeued - requeuedIds.Count,
            ["longestBatchMs"] = Math.Round(longest.TotalMilliseconds, 1),
        };
        var auditId = await audit.TryWriteAsync(new AuditEntry(Requeue, actor.Name, actor.Role, actor.ClientIp,
            Succeeded: failed == 0, Table, requeuedIds.Select(i => i.ToString()).ToList(), auditParameters,
            PreviousJson: JsonSerializer.Serialize(new { keptIn = "orchestra_admin.task_attempts", operationId }),
            RowsAffected: requeued, Error: failed > 0 ? $"{failed} task(s) in failed batches: {lastError}" : null), CancellationToken.None);
        return new RequeueReport(matched.Count, requeued, skipped, failed, batches, cancelled, auditId, longest);
    }

    /// <summary>One batch in its own transaction; returns the ids requeued and how long the transaction (and its row locks) lasted.</summary>
    private async Task<(IReadOnlyList<Guid> Requeued, TimeSpan Took)> RequeueBatchAsync(OperatorIdentity actor, Guid operationId, Guid[] ids, int? priority)
    {
        // Not cancellable midway: a batch is short, and cancelling stops between batches.
        await using var conn = await dataSource.OpenConnectionAsync();
        var started = Stopwatch.GetTimestamp();
        await using var tx = await conn.BeginTransactionAsync();
        var done = (await conn.QueryAsync<Guid>(new CommandDefinition(SqlCatalog.Get("tasks/requeue_batch"),
            new { ids, operation_id = operationId, actor = actor.Name, priority }, tx))).AsList();
        await tx.CommitAsync();
        return (done, Stopwatch.GetElapsedTime(started));
    }

    public async Task<RequeueReport> RequeueStuckAsync(OperatorIdentity actor, IReadOnlyList<Guid> ids, CancellationToken ct = default)
    {
        var distinct = (ids ?? []).Distinct().ToArray();
        var operationId = Guid.NewGuid();
        var result = await actions.RunAsync(actor,
            new OperatorAction(RequeueStuck, Table, distinct.Select(i => i.ToString()).ToList(), new { operationId, count = distinct.Length }),
            async (conn, tx, token) =>
            {
                var rows = (await conn.QueryAsync<ChangedRow>(new CommandDefinition(SqlCatalog.Get("tasks/requeue_stuck"), new
                {
                    ids = distinct,
                    thresholds = Settings.ThresholdsJson(),
                    default_seconds = Settings.StuckThresholdMinutes * 60.0,
                    operation_id = operationId,
                    actor = actor.Name,
                }, tx, cancellationToken: token))).AsList();
                return new ChangeOutcome(rows.Count, Previous(rows));
            },
            () => ValidateIds(distinct), ct);
        cache.Forget(TasksService.CachePrefix);
        return new RequeueReport(distinct.Length, result.RowsAffected, distinct.Length - result.RowsAffected, 0, 1, false, result.AuditId);
    }

    public Task<ActionResult> CancelAsync(OperatorIdentity actor, IReadOnlyList<Guid> ids, CancellationToken ct = default) =>
        SimpleAsync(actor, Cancel, "tasks/cancel", ids, ct);

    public Task<ActionResult> DeleteAsync(OperatorIdentity actor, IReadOnlyList<Guid> ids, CancellationToken ct = default) =>
        SimpleAsync(actor, Delete, "tasks/delete", ids, ct);

    private async Task<ActionResult> SimpleAsync(OperatorIdentity actor, string action, string sqlName, IReadOnlyList<Guid> ids, CancellationToken ct)
    {
        var distinct = (ids ?? []).Distinct().ToArray();
        var result = await actions.RunAsync(actor,
            new OperatorAction(action, Table, distinct.Select(i => i.ToString()).ToList(), new { count = distinct.Length }),
            async (conn, tx, token) =>
            {
                var rows = (await conn.QueryAsync<ChangedRow>(new CommandDefinition(SqlCatalog.Get(sqlName), new { ids = distinct }, tx, cancellationToken: token))).AsList();
                return new ChangeOutcome(rows.Count, Previous(rows));
            },
            () => ValidateIds(distinct), ct);
        cache.Forget(TasksService.CachePrefix);
        return result;
    }

    /// <summary>The rows as they were, as one JSON array (each element is a row's JSON from PostgreSQL).</summary>
    private static string? Previous(IReadOnlyList<ChangedRow> rows) =>
        rows.Count == 0 ? null : "[" + string.Join(",", rows.Select(r => r.PreviousJson)) + "]";

    private sealed record ChangedRow
    {
        public Guid Id { get; init; }
        public string PreviousJson { get; init; } = "null";
    }

    // ---------------------------------------------------------------- checks

    private sealed record Target(Guid[]? Ids, TaskFilterSql.Built? Filter);

    /// <summary>Exactly one of ids and filter; an empty filter only with All; the filter checked (field and position).</summary>
    private static Target Validate(RequeueRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Ids != null && request.Filter != null)
            throw new TaskFilterException("ids", "Give either ids or a filter, not both.");
        if (request.Ids is { } ids)
        {
            var distinct = ids.Distinct().ToArray();
            ValidateIds(distinct);
            return new Target(distinct, null);
        }
        if (request.Filter is not { } filter)
            throw new TaskFilterException("filter", "Give the ids of the tasks to requeue, or a filter.");
        if (filter.IsEmpty && !request.All)
            throw new TaskFilterException("filter", "An empty filter matches every failed task: to requeue them all, say so explicitly (all = true).");
        return new Target(null, TaskFilterSql.Build(filter));
    }

    private static void ValidateIds(Guid[] ids)
    {
        if (ids.Length == 0) throw new TaskFilterException("ids", "No task selected.");
        if (ids.Length > MaxIds) throw new TaskFilterException("ids", $"At most {MaxIds:N0} tasks by id (got {ids.Length:N0}); use a filter for more.");
    }

    private async Task RequireOperatorAsync(OperatorIdentity actor, string action, object parameters, CancellationToken ct)
    {
        if (actor.IsOperator) return;
        await audit.TryWriteAsync(new AuditEntry(action, actor.Name, actor.Role, actor.ClientIp, Succeeded: false, Table, [], parameters,
            Error: "refused: needs the Operator role"), ct);
        throw new OperatorRequiredException(action);
    }

    /// <summary>What the operator asked for, for the audit entry (ids beyond the cap counted, not listed).</summary>
    private Dictionary<string, object?> RequestParameters(RequeueRequest request)
    {
        var p = new Dictionary<string, object?>();
        if (request.Ids is { } ids)
        {
            p["ids"] = ids.Take(Settings.AuditMaxIds).ToList();
            if (ids.Count > Settings.AuditMaxIds) p["idsNotListed"] = ids.Count - Settings.AuditMaxIds;
        }
        if (request.Filter is { } filter) p["filter"] = filter;
        if (request.All) p["all"] = true;
        if (request.NewPriority is { } priority) p["newPriority"] = priority;
        return p;
    }

    private async Task<IReadOnlyList<T>> RunFilteredAsync<T>(string name, string sql, TaskFilterSql.Built built, FailedTaskFilter? filter, CancellationToken ct)
    {
        try
        {
            return await queries.QuerySqlAsync<T>(name, sql, built.Parameters, ScanTimeout, ct);
        }
        catch (PostgresException e) when (e.SqlState.StartsWith("22", StringComparison.Ordinal))
        {
            throw TasksService.Rejected(filter, e);
        }
    }
}
