using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Hosting;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.Features.Postgres;

public sealed record ConnectionGroup
{
    public string State { get; init; } = "";
    public string ApplicationName { get; init; } = "";
    public string UserName { get; init; } = "";
    public string ClientAddress { get; init; } = "";
    public bool IsDashboard { get; init; }
    public long Connections { get; init; }
}

public sealed record IdleInTransaction
{
    public int Pid { get; init; }
    public string UserName { get; init; } = "";
    public string ApplicationName { get; init; } = "";
    public string? ClientAddress { get; init; }
    public string State { get; init; } = "";
    public double TransactionSeconds { get; init; }
    public double IdleSeconds { get; init; }
    public string LastQuery { get; init; } = "";
}

public sealed record LiveQuery
{
    public int Pid { get; init; }
    public string UserName { get; init; } = "";
    public string ApplicationName { get; init; } = "";
    public string? ClientAddress { get; init; }
    public string? State { get; init; }
    public string? WaitEventType { get; init; }
    public string? WaitEvent { get; init; }
    /// <summary>UTC. With <see cref="Pid"/>, identifies the backend: a pid can be reused by a later connection.</summary>
    public DateTime BackendStart { get; init; }
    public DateTime? QueryStart { get; init; }
    public double? DurationSeconds { get; init; }
    public double? TransactionSeconds { get; init; }
    public bool IsDashboard { get; init; }
    public string Query { get; init; } = "";
}

public sealed record BlockingBackend
{
    public int Pid { get; init; }
    public int[] BlockedBy { get; init; } = [];
    public string UserName { get; init; } = "";
    public string ApplicationName { get; init; } = "";
    public string? State { get; init; }
    public string? WaitEventType { get; init; }
    public string? WaitEvent { get; init; }
    public double? QuerySeconds { get; init; }
    public double? TransactionSeconds { get; init; }
    public string Query { get; init; } = "";
}

/// <summary>A node of the blocking tree: a backend and those waiting for it.</summary>
public sealed record BlockingNode(BlockingBackend Backend, IReadOnlyList<BlockingNode> Waiters);

public enum SignalKind { Cancel, Terminate }

public interface IActivityChecks
{
    TimeSpan LongRunningThreshold { get; }
    Task<IReadOnlyList<ConnectionGroup>> ConnectionGroupsAsync(CancellationToken ct = default);
    Task<IReadOnlyList<IdleInTransaction>> IdleInTransactionAsync(CancellationToken ct = default);
    Task<IReadOnlyList<LiveQuery>> LiveQueriesAsync(CancellationToken ct = default);
    Task<IReadOnlyList<BlockingNode>> BlockingTreeAsync(CancellationToken ct = default);
    /// <summary>pg_cancel_backend / pg_terminate_backend on the backend the operator saw (pid + backend start),
    /// never on the dashboard's own. Operator only; audited. Returns 1 when signalled, 0 when it was gone.</summary>
    Task<ActionResult> SignalAsync(LiveQuery target, SignalKind kind, CancellationToken ct = default);
}

/// <summary>Connections, live queries, idle transactions and lock waits: what is happening right now.</summary>
public sealed class ActivityChecks(
    PostgresQueryRunner queries,
    OperatorActions actions,
    ICurrentOperator currentOperator,
    IOptions<OrchestraAdminOptions> options) : IActivityChecks
{
    public TimeSpan LongRunningThreshold => TimeSpan.FromSeconds(options.Value.Postgres.LongRunningSeconds);

    public Task<IReadOnlyList<ConnectionGroup>> ConnectionGroupsAsync(CancellationToken ct = default) =>
        queries.QueryAsync<ConnectionGroup>("monitoring/connections/by_client", ct: ct);

    public Task<IReadOnlyList<IdleInTransaction>> IdleInTransactionAsync(CancellationToken ct = default) =>
        queries.QueryAsync<IdleInTransaction>("monitoring/connections/idle_in_transaction", ct: ct);

    public Task<IReadOnlyList<LiveQuery>> LiveQueriesAsync(CancellationToken ct = default) =>
        queries.QueryAsync<LiveQuery>("monitoring/activity/live_queries", ct: ct);

    public async Task<IReadOnlyList<BlockingNode>> BlockingTreeAsync(CancellationToken ct = default) =>
        BuildTree(await queries.QueryAsync<BlockingBackend>("monitoring/locks/blocking", ct: ct));

    /// <summary>Roots are backends that block others and wait for no one in the list; a cycle (a deadlock about to be
    /// broken) has no such root, so its members become roots themselves rather than vanish.</summary>
    internal static IReadOnlyList<BlockingNode> BuildTree(IReadOnlyList<BlockingBackend> backends)
    {
        var byPid = backends.ToDictionary(b => b.Pid);
        var waitersOf = backends
            .SelectMany(b => b.BlockedBy.Select(blocker => (blocker, waiter: b)))
            .ToLookup(x => x.blocker, x => x.waiter);
        var roots = backends.Where(b => !b.BlockedBy.Any(byPid.ContainsKey)).ToList();
        if (roots.Count == 0) roots = backends.ToList();

        BlockingNode Node(BlockingBackend b, HashSet<int> path) =>
            new(b, waitersOf[b.Pid].Where(w => path.Add(w.Pid)).Select(w => Node(w, path)).ToList());

        return roots.Select(r => Node(r, [r.Pid])).ToList();
    }

    public async Task<ActionResult> SignalAsync(LiveQuery target, SignalKind kind, CancellationToken ct = default)
    {
        var actor = await currentOperator.GetAsync();
        var (name, function) = kind == SignalKind.Cancel
            ? ("postgres.query.cancel", "pg_cancel_backend")
            : ("postgres.query.terminate", "pg_terminate_backend");
        return await actions.RunAsync(actor,
            new OperatorAction(name, "pg_stat_activity", [target.Pid.ToString()], new { target.Pid, target.BackendStart, target.QueryStart }),
            async (conn, tx, token) =>
            {
                // Guarded by what the operator saw: the same backend (pid + start), still in this database,
                // not the dashboard's own; a cancel also only while the same query runs.
                var signalled = (await conn.QueryAsync<(bool Signalled, string Previous)>(new CommandDefinition($"""
                    SELECT {function}(a.pid), row_to_json(a)::text
                    FROM (SELECT pid, usename::text AS user_name, application_name, host(client_addr) AS client_address,
                                 state, backend_start, query_start, query
                          FROM pg_stat_activity
                          WHERE pid = @pid
                            AND backend_start = @backendStart
                            AND (@queryStart::timestamptz IS NULL OR query_start = @queryStart)
                            AND datname = current_database()
                            AND backend_type = 'client backend'
                            AND application_name <> 'orchestra-admin'
                            AND pid <> pg_backend_pid()) AS a
                    """, new
                {
                    pid = target.Pid,
                    backendStart = DateTime.SpecifyKind(target.BackendStart, DateTimeKind.Utc),
                    queryStart = kind == SignalKind.Cancel && target.QueryStart is { } q ? DateTime.SpecifyKind(q, DateTimeKind.Utc) : (DateTime?)null,
                }, tx, cancellationToken: token))).ToList();
                var done = signalled.Count(s => s.Signalled);
                return new ChangeOutcome(done, signalled.Count == 0 ? null : "[" + string.Join(',', signalled.Select(s => s.Previous)) + "]");
            },
            validate: () =>
            {
                if (target.IsDashboard)
                    throw new InvalidInputException("pid", "The dashboard's own connections cannot be cancelled or terminated from the dashboard.");
            }, ct);
    }
}
