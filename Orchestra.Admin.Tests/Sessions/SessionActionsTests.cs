using Microsoft.Extensions.DependencyInjection;
using Dapper;
using Orchestra.Admin.Features.Sessions;
using Orchestra.Admin.Security;
using Orchestra.Admin.Tests.Infrastructure;
using static Orchestra.Admin.Tests.Sessions.SessionsTestData;

namespace Orchestra.Admin.Tests.Sessions;

/// <summary>Revoke, revoke a user's sessions, extend, reveal and the batched clean-up, with their audit entries, on a real PostgreSQL.</summary>
public class SessionActionsTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>, IAsyncLifetime
{
    // The audit log is append-only (and shared by the class's tests): each test reads the entries written after it started.
    private long auditSince;

    public async Task InitializeAsync()
    {
        await ResetAsync(db);
        auditSince = await ScalarAsync<long>(db, "SELECT COALESCE(max(id), 0) FROM orchestra_admin.audit_log");
    }
    public Task DisposeAsync() => Task.CompletedTask;

    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    private sealed record Audit
    {
        public long Id { get; init; }
        public string Action { get; init; } = "";
        public string Actor { get; init; } = "";
        public bool Succeeded { get; init; }
        public long? RowsAffected { get; init; }
        public string[] TargetIds { get; init; } = [];
        public string? Previous { get; init; }
        public string Parameters { get; init; } = "";
        public string? Error { get; init; }
    }

    private Task<List<Audit>> AuditAsync(string action) => QueryAsync<Audit>(db, """
        SELECT id, action, actor, succeeded, rows_affected, target_ids, previous::text AS previous, parameters::text AS parameters, error
        FROM orchestra_admin.audit_log WHERE action = @action AND id > @auditSince ORDER BY id
        """, new { action, auditSince });

    private Task<string> RowAsync(Guid id) => ScalarAsync<string>(db, "SELECT to_jsonb(s)::text FROM sessions.sessions AS s WHERE session_id = @id", new { id });

    [Fact]
    public async Task Revoke_soft_deletes_and_audits_and_revoking_again_changes_nothing_and_says_so()
    {
        var id = await InsertAsync(db, new("u1"));
        var other = await InsertAsync(db, new("u1"));

        var first = await Actions(db).RevokeAsync(id);
        Assert.Equal(1, first.Changed);
        Assert.Contains("Revoked session", first.Message);
        Assert.True(await ScalarAsync<bool>(db, "SELECT deleted_at IS NOT NULL FROM sessions.sessions WHERE session_id = @id", new { id }));
        Assert.True(await ScalarAsync<bool>(db, "SELECT deleted_at IS NULL FROM sessions.sessions WHERE session_id = @other", new { other }));
        var rowAfterFirst = await RowAsync(id);

        var second = await Actions(db).RevokeAsync(id);
        Assert.Equal(0, second.Changed);
        Assert.Contains("already revoked", second.Message);
        Assert.Contains("nothing was changed", second.Message);
        Assert.Equal(rowAfterFirst, await RowAsync(id)); // deleted_at kept its first value

        var audits = await AuditAsync(SessionActions.RevokeAction);
        Assert.Equal(2, audits.Count);
        Assert.Equal((true, 1L, "otto"), (audits[0].Succeeded, audits[0].RowsAffected!.Value, audits[0].Actor));
        Assert.Equal([id.ToString()], audits[0].TargetIds);
        Assert.True(await ScalarAsync<bool>(db, "SELECT previous ? 'deleted_at' AND previous->'deleted_at' = 'null'::jsonb AND previous->>'user_id' = 'u1' FROM orchestra_admin.audit_log WHERE id = @id", new { id = audits[0].Id }));
        Assert.Equal((true, 0L), (audits[1].Succeeded, audits[1].RowsAffected!.Value));

        var missing = await Actions(db).RevokeAsync(Guid.NewGuid());
        Assert.Equal(0, missing.Changed);
        Assert.Contains("does not exist", missing.Message);
    }

    [Fact]
    public async Task A_viewer_is_refused_and_the_refusal_is_audited_and_nothing_changes()
    {
        var id = await InsertAsync(db, new("u1"));
        await Assert.ThrowsAsync<OperatorRequiredException>(() => Actions(db, FakeCurrentOperator.Viewer).RevokeAsync(id));
        await Assert.ThrowsAsync<OperatorRequiredException>(() => Actions(db, FakeCurrentOperator.Viewer).RevokeUserAsync("u1"));
        await Assert.ThrowsAsync<OperatorRequiredException>(() => Actions(db, FakeCurrentOperator.Viewer).RevealAsync(id));
        await Assert.ThrowsAsync<OperatorRequiredException>(() => Actions(db, FakeCurrentOperator.Viewer).PlanCleanupAsync(1));
        Assert.True(await ScalarAsync<bool>(db, "SELECT deleted_at IS NULL FROM sessions.sessions WHERE session_id = @id", new { id }));
        var refused = await AuditAsync(SessionActions.RevokeAction);
        Assert.Equal((false, "vera"), (refused.Single().Succeeded, refused.Single().Actor));
        Assert.Contains("Operator", refused.Single().Error);
    }

    [Fact]
    public async Task Revoking_a_user_revokes_exactly_their_active_sessions_and_audits_the_ids()
    {
        var ids = await InsertAllAsync(db,
            new("alice"), new("alice"), new("alice", ExpiresIn: -Hour), new("alice", DeletedAgo: Hour), new("alice2"), new("bob"));
        var outcome = await Actions(db).RevokeUserAsync("alice");
        Assert.Equal(2, outcome.Changed);
        Assert.Contains("Revoked 2 active sessions of user alice", outcome.Message);

        var revoked = await QueryAsync<Guid>(db, "SELECT session_id FROM sessions.sessions WHERE deleted_at > now() - interval '1 minute'");
        Assert.Equal(new[] { ids[0], ids[1] }.ToHashSet(), revoked.ToHashSet());
        Assert.True(await ScalarAsync<bool>(db, "SELECT deleted_at IS NULL FROM sessions.sessions WHERE session_id = @id", new { id = ids[2] })); // expired: left to the clean-up

        var audit = (await AuditAsync(SessionActions.RevokeUserAction)).Single();
        Assert.Equal(new[] { ids[0].ToString(), ids[1].ToString() }.ToHashSet(), audit.TargetIds.ToHashSet());
        Assert.Equal(2L, audit.RowsAffected);
        Assert.Contains("\"userId\":\"alice\"", audit.Parameters.Replace(" ", ""));
        Assert.Equal(2, await ScalarAsync<int>(db, "SELECT jsonb_array_length(previous) FROM orchestra_admin.audit_log WHERE id = @id", new { id = audit.Id }));

        var again = await Actions(db).RevokeUserAsync("alice");
        Assert.Equal(0, again.Changed);
        Assert.Contains("no active session", again.Message);
        await Assert.ThrowsAsync<InvalidInputException>(() => Actions(db).RevokeUserAsync(""));
    }

    [Fact]
    public async Task Extend_moves_the_expiry_only_from_the_expiry_the_operator_saw_and_never_for_a_revoked_session()
    {
        var id = await InsertAsync(db, new("u1", ExpiresIn: Hour));
        var revokedId = await InsertAsync(db, new("u1", ExpiresIn: Hour, DeletedAgo: Hour));
        var service = Service(db);
        var seen = (await service.GetAsync(id))!.Session.ExpiresAt;

        var outcome = await Actions(db).ExtendAsync(id, Day, seen);
        Assert.Equal(1, outcome.Changed);
        var now = (await service.GetAsync(id))!.Session.ExpiresAt;
        Assert.Equal(seen + Day, now);
        var audit = (await AuditAsync(SessionActions.ExtendAction)).Single();
        Assert.Equal(seen.UtcDateTime, await ScalarAsync<DateTime>(db, "SELECT (previous->>'expires_at')::timestamptz FROM orchestra_admin.audit_log WHERE id = @id", new { id = audit.Id }));

        // Stale: the expiry changed since it was loaded.
        var stale = await Actions(db).ExtendAsync(id, Day, seen);
        Assert.Equal(0, stale.Changed);
        Assert.Contains("was not extended", stale.Message);
        Assert.Equal(now, (await service.GetAsync(id))!.Session.ExpiresAt);

        var revokedSeen = (await service.GetAsync(revokedId))!.Session.ExpiresAt;
        Assert.Equal(0, (await Actions(db).ExtendAsync(revokedId, Day, revokedSeen)).Changed);
        Assert.Equal(revokedSeen, (await service.GetAsync(revokedId))!.Session.ExpiresAt);

        var bad = await Assert.ThrowsAsync<InvalidInputException>(() => Actions(db).ExtendAsync(id, TimeSpan.FromDays(400), now));
        Assert.Equal("extendBy", bad.Field);
    }

    [Fact]
    public async Task Reveal_returns_the_unmasked_data_and_is_audited()
    {
        var id = await InsertAsync(db, new("u1", Data: """{"auth": {"access_token": "secret-value"}}"""));
        var data = await Actions(db).RevealAsync(id);
        Assert.Contains("secret-value", data);
        var audit = (await AuditAsync(SessionActions.RevealAction)).Single();
        Assert.Equal((true, "otto", 0L), (audit.Succeeded, audit.Actor, audit.RowsAffected!.Value));
        Assert.Equal([id.ToString()], audit.TargetIds);
        Assert.Null(audit.Previous); // the secret itself is not copied into the audit log
        Assert.Contains("\"revealed\":\"data\"", audit.Parameters.Replace(" ", ""));
    }

    [Fact]
    public async Task Revealing_the_full_id_takes_the_same_audited_path_and_only_an_operator_may()
    {
        var id = await InsertAsync(db, new("u1"));
        Assert.Equal(id, await Actions(db).RevealIdAsync(id));
        Assert.Null(await Actions(db).RevealIdAsync(Guid.NewGuid())); // gone: nothing to reveal, still recorded
        await Assert.ThrowsAsync<OperatorRequiredException>(() => Actions(db, FakeCurrentOperator.Viewer).RevealIdAsync(id));

        var audits = await AuditAsync(SessionActions.RevealAction);
        Assert.Equal(3, audits.Count);
        Assert.Equal((true, "otto"), (audits[0].Succeeded, audits[0].Actor));
        Assert.Equal([id.ToString()], audits[0].TargetIds);
        Assert.All(audits, a => Assert.Contains("\"revealed\":\"id\"", a.Parameters.Replace(" ", "")));
        Assert.Equal((false, "vera"), (audits[2].Succeeded, audits[2].Actor));
    }

    [Fact]
    public async Task Cleanup_dry_run_counts_then_batches_delete_exactly_the_expected_rows_each_batch_audited_with_the_rows()
    {
        // To delete (older than 7 days): 5 expired 8+ days ago, 3 revoked 8+ days ago (one of them still unexpired).
        var doomed = new List<Guid>();
        for (var i = 0; i < 5; i++) doomed.Add(await InsertAsync(db, new($"old{i}", CreatedAgo: 30 * Day, ExpiresIn: -(8 + i) * Day, Data: $$"""{"n": {{i}}}""")));
        for (var i = 0; i < 2; i++) doomed.Add(await InsertAsync(db, new($"rev{i}", CreatedAgo: 30 * Day, ExpiresIn: -20 * Day, DeletedAgo: 9 * Day)));
        doomed.Add(await InsertAsync(db, new("rev-live", CreatedAgo: 30 * Day, ExpiresIn: Day, DeletedAgo: 8 * Day)));
        // To keep: active, expired 6 days ago, revoked 2 days ago (although expired long ago), active but created long ago.
        var kept = await InsertAllAsync(db,
            new("active"), new("recent-expired", ExpiresIn: -6 * Day), new("recent-revoked", ExpiresIn: -20 * Day, DeletedAgo: 2 * Day),
            new("old-but-active", CreatedAgo: 90 * Day, ExpiresIn: Day));

        var actions = Actions(db, batchSize: 3);
        var plan = await actions.PlanCleanupAsync(7);
        Assert.Equal((5L, 3L, 8L), (plan.Expired, plan.Revoked, plan.Total));
        Assert.Equal(12, await ScalarAsync<int>(db, "SELECT count(*) FROM sessions.sessions")); // the dry run deletes nothing

        var reports = new List<CleanupProgress>();
        var outcome = await actions.CleanupAsync(plan, new SyncProgress(reports.Add));
        Assert.Equal((8L, 3, false), (outcome.Deleted, outcome.Batches, outcome.Cancelled));
        Assert.Equal([3L, 6L, 8L], reports.Select(r => r.Deleted));
        Assert.All(reports, r => Assert.Equal(8, r.Expected));

        var left = await QueryAsync<Guid>(db, "SELECT session_id FROM sessions.sessions");
        Assert.Equal(kept.ToHashSet(), left.ToHashSet());

        var audits = await AuditAsync(SessionActions.CleanupAction);
        Assert.Equal(3, audits.Count);
        Assert.Equal([3L, 3L, 2L], audits.Select(a => a.RowsAffected!.Value));
        Assert.Equal(outcome.AuditIds, audits.Select(a => a.Id));
        Assert.Equal(doomed.Select(d => d.ToString()).ToHashSet(), audits.SelectMany(a => a.TargetIds).ToHashSet());
        // Each batch's entry holds its deleted rows, whole: nothing is lost.
        var restored = await QueryAsync<(Guid Id, string UserId, string Data)>(db, """
            SELECT (r->>'session_id')::uuid, r->>'user_id', (r->'data')::text
            FROM orchestra_admin.audit_log AS a, jsonb_array_elements(a.previous) AS r
            WHERE a.action = 'session.cleanup' AND a.id > @auditSince
            """, new { auditSince });
        Assert.Equal(doomed.ToHashSet(), restored.Select(r => r.Id).ToHashSet());
        Assert.Contains(restored, r => r.UserId == "old3" && r.Data == """{"n": 3}""");

        // Nothing left: a second run deletes nothing and says so with one entry.
        var again = await actions.CleanupAsync(await actions.PlanCleanupAsync(7));
        Assert.Equal((0L, 1), (again.Deleted, again.Batches));
        await Assert.ThrowsAsync<InvalidInputException>(() => actions.PlanCleanupAsync(-1));
    }

    [Fact]
    public async Task Cleanup_cancelled_between_batches_keeps_every_finished_batch_and_a_second_run_continues()
    {
        for (var i = 0; i < 7; i++) await InsertAsync(db, new($"old{i}", ExpiresIn: -10 * Day));
        var actions = Actions(db, batchSize: 2);
        var plan = await actions.PlanCleanupAsync(1);
        using var cts = new CancellationTokenSource();
        var outcome = await actions.CleanupAsync(plan, new SyncProgress(p => { if (p.Batches == 2) cts.Cancel(); }), cts.Token);
        Assert.Equal((4L, 2, true), (outcome.Deleted, outcome.Batches, outcome.Cancelled));
        Assert.Equal(3, await ScalarAsync<int>(db, "SELECT count(*) FROM sessions.sessions"));

        var rest = await actions.CleanupAsync(plan);
        Assert.Equal(3L, rest.Deleted);
        Assert.Equal(0, await ScalarAsync<int>(db, "SELECT count(*) FROM sessions.sessions"));
        Assert.Equal(7L, await ScalarAsync<long>(db, "SELECT sum(rows_affected) FROM orchestra_admin.audit_log WHERE action = 'session.cleanup' AND id > @auditSince", new { auditSince }));
    }

    [Fact]
    public async Task The_metric_source_counts_active_expired_and_deleted()
    {
        await InsertAllAsync(db, new("a"), new("b"), new("c", ExpiresIn: -Hour), new("d", DeletedAgo: Hour));
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection()
            .AddScoped<ISessionsService>(_ => Service(db)).BuildServiceProvider();
        var values = await new SessionsMetricSource(services, Microsoft.Extensions.Logging.Abstractions.NullLogger<SessionsMetricSource>.Instance).ReadAsync(default);
        Assert.Equal(2, values[SessionsMetricSource.Active]);
        Assert.Equal(1, values[SessionsMetricSource.Expired]);
        Assert.Equal(1, values[SessionsMetricSource.Deleted]);
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; this one reports in line, so the test sees every report in order.</summary>
    private sealed class SyncProgress(Action<CleanupProgress> report) : IProgress<CleanupProgress>
    {
        public void Report(CleanupProgress value) => report(value);
    }
}
