using System.Data;
using System.Diagnostics;
using System.Security.Cryptography;
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
/// The operator actions on tasks. Requeue (one, selected, by filter, a whole error group) is a bulk operation in two steps.
/// The dry run (<see cref="ConfirmRequeueAsync"/>) counts the matching failed tasks and pins them, each with its row
/// version, as a confirmation (sql/tasks/requeue_confirm.sql); the run works through exactly those, never more, in batches
/// of OrchestraAdmin:Tasks:RequeueBatchSize, each batch one short transaction (sql/tasks/requeue_batch.sql: rows locked
/// FOR UPDATE SKIP LOCKED, guarded by status = 'failed', the confirmed row version and the confirmed filter, the previous
/// attempt kept in task_attempts). So a task that failed only after the dry run, stopped matching or failed again is never
/// requeued by it, and the report says why each confirmed task that was not requeued was skipped. A run without a
/// confirmation pins the set as it starts. Cancelling stops between batches; every batch that finished is complete and
/// recorded in task_attempts with the operation's id, so running the same confirmation again continues with what is still
/// to do. One audit entry per operation, written when it ends. The small actions (requeue stuck, cancel, delete) take the
/// one path of <see cref="OperatorActions"/>: one transaction with its audit entry.
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

    public async Task<RequeueConfirmation> ConfirmRequeueAsync(OperatorIdentity actor, RequeueRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await RequireOperatorAsync(actor, Requeue, RequestParameters(request), ct);
        return await PinAsync(actor, Validate(request), request, ct);
    }

    public async Task<RequeueReport> RequeueAsync(OperatorIdentity actor, RequeueRequest request, Guid? confirmation = null,
        IProgress<RequeueProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var parameters = RequestParameters(request);
        await RequireOperatorAsync(actor, Requeue, parameters, ct);
        var target = Validate(request);

        // The confirmed set, read once: each batch then takes its tasks by primary key, with the row version confirmed.
        RequeueConfirmation confirmed;
        IReadOnlyList<PinnedTask> pinned;
        try
        {
            confirmed = confirmation is { } id ? await ConfirmedAsync(actor, id, target, ct) : await PinAsync(actor, target, request, ct);
            pinned = await queries.QueryAsync<PinnedTask>("tasks/requeue_confirmed_tasks", new { confirmation_id = confirmed.Id }, ScanTimeout, ct);
            if (pinned.Count != confirmed.Matched) throw Expired(confirmed.Id);
        }
        catch (Exception e) when (e is not (OperationCanceledException or TaskFilterException))
        {
            // Nothing changed; the attempt is recorded as the other actions' failures are.
            parameters["confirmation"] = confirmation;
            await audit.TryWriteAsync(new AuditEntry(Requeue, actor.Name, actor.Role, actor.ClientIp, Succeeded: false, Table, [], parameters,
                Error: e is RequeueConfirmationException ? "refused: " + e.Message : e.Message), CancellationToken.None);
            throw;
        }

        var operationId = Guid.NewGuid();
        var batchSql = TaskFilterSql.Compose("tasks/requeue_batch", target.Selection.Lines);
        var batchSize = Settings.RequeueBatchSize;
        long requeued = 0, failed = 0;
        var skips = RequeueSkips.None;
        int batches = 0, failedInARow = 0;
        var cancelled = false;
        var longest = TimeSpan.Zero;
        var requeuedIds = new List<Guid>();
        string? lastError = null;
        for (var start = 0; start < pinned.Count; start += batchSize)
        {
            if (ct.IsCancellationRequested) { cancelled = true; break; }
            var batch = pinned.Skip(start).Take(batchSize).ToArray();
            try
            {
                var (done, skipped, took) = await RequeueBatchAsync(actor, operationId, batchSql, target.Selection, batch, request.NewPriority);
                if (took > longest) longest = took;
                requeued += done.Count;
                skips = skips.Plus(skipped);
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
                    failed += pinned.Count - (start + batch.Length);
                    batches++;
                    progress?.Report(new RequeueProgress(pinned.Count, requeued, skips.Total, failed, batches));
                    break;
                }
            }
            batches++;
            progress?.Report(new RequeueProgress(pinned.Count, requeued, skips.Total, failed, batches));
        }

        cache.Forget(TasksService.CachePrefix);
        var auditParameters = new Dictionary<string, object?>(parameters)
        {
            ["operationId"] = operationId,
            ["confirmation"] = confirmed.Id,
            ["confirmedAt"] = confirmed.ConfirmedAt,
            ["matchedAtConfirmation"] = confirmed.Matched,
            ["matched"] = confirmed.Matched,
            ["requeued"] = requeued,
            ["skipped"] = skips.Total,
            ["skippedBecause"] = skips.ByName(),
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
        return new RequeueReport(confirmed.Matched, requeued, skips.Total, failed, batches, cancelled, auditId, longest, skips, confirmed.ConfirmedAt);
    }

    /// <summary>A task the dry run pinned, with the version of its row (xmin) it saw.</summary>
    private sealed record PinnedTask(Guid TaskId, long RowVersion);

    private sealed record BatchOutcome(Guid Id, string Outcome);

    private sealed record ConfirmationRow(string Actor, long Matched, DateTime ConfirmedAt, DateTime ExpiresAt, bool Live, bool SameRequest);

    /// <summary>The dry run: pins the failed tasks the selection matches now, under a new confirmation.</summary>
    private async Task<RequeueConfirmation> PinAsync(OperatorIdentity actor, Target target, RequeueRequest request, CancellationToken ct)
    {
        // Random, not sequential: a confirmation only names a pinned set, but it should not be guessable either.
        var id = new Guid(RandomNumberGenerator.GetBytes(16));
        var parameters = new DynamicParameters();
        parameters.AddDynamicParams(target.Selection.Parameters);
        parameters.Add("confirmation_id", id);
        parameters.Add("actor", actor.Name);
        parameters.Add("request", target.Canonical);
        parameters.Add("ttl_seconds", Settings.RequeueConfirmationMinutes * 60.0);
        var sql = TaskFilterSql.Compose("tasks/requeue_confirm", target.Selection.Lines);
        var row = (await RunFilteredAsync<(long Matched, DateTime ConfirmedAt, DateTime ExpiresAt)>("tasks/requeue_confirm", sql, parameters, request.Filter, ct)).Single();
        return new RequeueConfirmation(id, row.Matched, TasksService.Utc(row.ConfirmedAt), TasksService.Utc(row.ExpiresAt));
    }

    /// <summary>The confirmation a run was given, when it is this actor's, for this request and not expired.</summary>
    private async Task<RequeueConfirmation> ConfirmedAsync(OperatorIdentity actor, Guid id, Target target, CancellationToken ct)
    {
        var row = (await queries.QueryAsync<ConfirmationRow>("tasks/requeue_confirmation", new { confirmation_id = id, request = target.Canonical }, ct: ct))
            .SingleOrDefault();
        if (row == null || !row.Live) throw Expired(id);
        if (!string.Equals(row.Actor, actor.Name, StringComparison.Ordinal))
            throw new RequeueConfirmationException($"The confirmation {id} is {row.Actor}'s: run your own dry run and confirm its count.");
        if (!row.SameRequest)
            throw new RequeueConfirmationException($"The confirmation {id} was made for another filter or other ids: run the dry run of this request and confirm its count.");
        return new RequeueConfirmation(id, row.Matched, TasksService.Utc(row.ConfirmedAt), TasksService.Utc(row.ExpiresAt));
    }

    private RequeueConfirmationException Expired(Guid id) => new(
        $"The confirmation {id} is unknown or expired (a dry run is valid for {Settings.RequeueConfirmationMinutes} min): run the dry run again and confirm its count.");

    /// <summary>One batch in its own transaction; returns the ids requeued, why the others were skipped, and how long the transaction (and its row locks) lasted.</summary>
    private async Task<(IReadOnlyList<Guid> Requeued, RequeueSkips Skipped, TimeSpan Took)> RequeueBatchAsync(
        OperatorIdentity actor, Guid operationId, string sql, TaskFilterSql.Built selection, PinnedTask[] batch, int? priority)
    {
        var parameters = new DynamicParameters();
        parameters.AddDynamicParams(selection.Parameters);
        parameters.Add("batch_ids", batch.Select(b => b.TaskId).ToArray());
        parameters.Add("batch_versions", batch.Select(b => b.RowVersion).ToArray());
        parameters.Add("operation_id", operationId);
        parameters.Add("actor", actor.Name);
        parameters.Add("new_priority", priority, DbType.Int32);
        // Not cancellable midway: a batch is short, and cancelling stops between batches.
        await using var conn = await dataSource.OpenConnectionAsync();
        var started = Stopwatch.GetTimestamp();
        await using var tx = await conn.BeginTransactionAsync();
        var outcomes = (await conn.QueryAsync<BatchOutcome>(new CommandDefinition(sql, parameters, tx))).AsList();
        await tx.CommitAsync();
        long Count(string outcome) => outcomes.Count(o => o.Outcome == outcome);
        var skipped = new RequeueSkips(Count("no_longer_failed"), Count("no_longer_matching"), Count("changed"), Count("locked"));
        return (outcomes.Where(o => o.Outcome == "requeued").Select(o => o.Id).ToList(), skipped, Stopwatch.GetElapsedTime(started));
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

    /// <summary>
    /// What a requeue selects, checked: the filter's lines, or the ids in their place; <see cref="Canonical"/> is the same
    /// selection as one JSON text (lines and values), which a confirmation is held to.
    /// </summary>
    private sealed record Target(TaskFilterSql.Built Selection)
    {
        public string Canonical { get; } = JsonSerializer.Serialize(new
        {
            where = Selection.Lines,
            values = Selection.Parameters.ParameterNames.Order(StringComparer.Ordinal).ToDictionary(n => n, n => Selection.Parameters.Get<object?>(n)),
        });
    }

    /// <summary>Exactly one of ids and filter; an empty filter only with All; the filter checked (field and position).</summary>
    private static Target Validate(RequeueRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Ids != null && request.Filter != null)
            throw new TaskFilterException("ids", "Give either ids or a filter, not both.");
        if (request.Ids is { } ids)
        {
            var distinct = ids.Distinct().Order().ToArray();
            ValidateIds(distinct);
            return new Target(TaskFilterSql.ForIds(distinct));
        }
        if (request.Filter is not { } filter)
            throw new TaskFilterException("filter", "Give the ids of the tasks to requeue, or a filter.");
        if (filter.IsEmpty && !request.All)
            throw new TaskFilterException("filter", "An empty filter matches every failed task: to requeue them all, say so explicitly (all = true).");
        return new Target(TaskFilterSql.Build(filter));
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

    private async Task<IReadOnlyList<T>> RunFilteredAsync<T>(string name, string sql, object parameters, FailedTaskFilter? filter, CancellationToken ct)
    {
        try
        {
            return await queries.QuerySqlAsync<T>(name, sql, parameters, ScanTimeout, ct);
        }
        catch (PostgresException e) when (e.SqlState.StartsWith("22", StringComparison.Ordinal))
        {
            throw TasksService.Rejected(filter, e);
        }
    }
}
