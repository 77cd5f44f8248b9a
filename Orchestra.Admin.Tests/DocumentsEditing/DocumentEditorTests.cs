using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orchestra.Admin.Features.Documents;
using Orchestra.Admin.Security;
using Orchestra.Admin.Tests.Infrastructure;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace Orchestra.Admin.Tests.DocumentsEditing;

public class DocumentEditorTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private const string OldData = """{"name": "Ada", "score": 2.50, "tags": ["a", "b"], "address": {"city": "Zürich"}}""";
    private const string OldMetadata = """{"source": "import", "rev": 3}""";
    // Microseconds that a 100 ns tick value must not round away.
    private static readonly DateTimeOffset OldUpdatedAt = DateTimeOffset.Parse("2024-01-02T03:04:05.123457Z");

    private static readonly FakeCurrentOperator Olga = new("olga", AdminRoles.Operator);

    private DocumentEditor Editor(ICurrentOperator? who = null, int statementTimeoutSeconds = 5) =>
        new(new OperatorActions(db.DataSource, new AuditLog(db.DataSource, NullLogger<AuditLog>.Instance)),
            who ?? FakeCurrentOperator.Operator,
            MsOptions.Create(TestServices.Options(db, statementTimeoutSeconds)));

    private async Task<Guid> InsertAsync(string collection = "people", string data = OldData, string? metadata = OldMetadata, DateTimeOffset? updatedAt = null)
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        return await conn.ExecuteScalarAsync<Guid>("""
            INSERT INTO documents (collection, data, metadata, created_at, updated_at)
            VALUES (@collection, @data::jsonb, @metadata::jsonb, '2023-12-31 23:59:59.999999+00', @updatedAt)
            RETURNING id
            """, new { collection, data, metadata, updatedAt = (updatedAt ?? OldUpdatedAt).UtcDateTime });
    }

    /// <summary>What the editor loaded: updated_at exactly as Npgsql reads it from the row.</summary>
    private async Task<DateTimeOffset> LoadVersionAsync(Guid id)
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        return DocumentVersion.FromPostgres(await conn.ExecuteScalarAsync<DateTime>("SELECT updated_at FROM documents WHERE id = @id", new { id }));
    }

    private async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        return (await conn.ExecuteScalarAsync<T>(sql, parameters))!;
    }

    /// <summary>Every document, every column: changes if anything in the table changes.</summary>
    private Task<string> ChecksumAsync() =>
        ScalarAsync<string>("SELECT md5(COALESCE(string_agg(d::text, '|' ORDER BY d.id), '')) FROM documents AS d");

    private async Task<dynamic> LastAuditAsync()
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        return await conn.QuerySingleAsync("SELECT *, previous::text AS previous_text FROM orchestra_admin.audit_log ORDER BY id DESC LIMIT 1");
    }

    // ------------------------------------------------------------------ update

    [Fact]
    public async Task An_edit_saves_the_data_with_a_new_updated_at_and_audits_the_previous_row()
    {
        var id = await InsertAsync();
        var loaded = await LoadVersionAsync(id);
        Assert.Equal(OldUpdatedAt, loaded); // microseconds survive the read
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);

        var outcome = await Editor().UpdateAsync(id, """{"name": "Ada L.", "score": 3}""", loaded, CancellationToken.None);

        Assert.Equal(EditStatus.Saved, outcome.Status);
        Assert.True(await ScalarAsync<bool>("""SELECT data = '{"name": "Ada L.", "score": 3}'::jsonb FROM documents WHERE id = @id""", new { id }));
        Assert.True(await ScalarAsync<bool>("SELECT metadata = @m::jsonb FROM documents WHERE id = @id", new { id, m = OldMetadata }));
        var newVersion = await LoadVersionAsync(id);
        Assert.Equal(newVersion, outcome.UpdatedAt);
        Assert.True(newVersion > before && newVersion != OldUpdatedAt);

        var audit = await LastAuditAsync();
        Assert.Equal(outcome.AuditId, (long)audit.id);
        Assert.Equal(("otto", "documents.update", "documents", true, 1L),
            ((string)audit.actor, (string)audit.action, (string)audit.target_table, (bool)audit.succeeded, (long)audit.rows_affected));
        Assert.Equal(new[] { id.ToString() }, (string[])audit.target_ids);
        // previous: the row as it was, data exactly (2.50 keeps its scale), metadata and updated_at to the microsecond.
        Assert.True(await ScalarAsync<bool>("""
            SELECT previous->'data' = @data::jsonb
               AND previous->'metadata' = @metadata::jsonb
               AND (previous->>'updated_at')::timestamptz = '2024-01-02 03:04:05.123457+00'
               AND previous->>'collection' = 'people'
               AND previous->'data'->>'score' = '2.50'
            FROM orchestra_admin.audit_log WHERE id = @auditId
            """, new { data = OldData, metadata = OldMetadata, auditId = outcome.AuditId }));
        Assert.Equal("2024-01-02T03:04:05.123457Z", await ScalarAsync<string>("SELECT parameters->>'expectedUpdatedAt' FROM orchestra_admin.audit_log WHERE id = @auditId", new { auditId = outcome.AuditId }));

        // The returned version is the one to send next time: a second edit on it goes through; the stale one does not.
        Assert.Equal(EditStatus.Saved, (await Editor().UpdateAsync(id, """{"name": "Ada"}""", outcome.UpdatedAt!.Value, CancellationToken.None)).Status);
        Assert.Equal(EditStatus.Conflict, (await Editor().UpdateAsync(id, """{"name": "stale"}""", outcome.UpdatedAt!.Value, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task The_version_compares_exactly_to_the_microsecond_whatever_the_offset_or_sub_microsecond_ticks()
    {
        var id = await InsertAsync();

        // One microsecond off: a different version.
        var oneMicroOff = await Editor().UpdateAsync(id, """{"v": 1}""", OldUpdatedAt.AddTicks(-10), CancellationToken.None);
        Assert.Equal(EditStatus.Conflict, oneMicroOff.Status);
        Assert.Equal(OldUpdatedAt, oneMicroOff.UpdatedAt);
        Assert.True(await ScalarAsync<bool>("SELECT data = @d::jsonb FROM documents WHERE id = @id", new { id, d = OldData }));

        // The same instant shown in another time zone, with sub-microsecond ticks a .NET value may carry: the same version.
        var local = OldUpdatedAt.ToOffset(TimeSpan.FromHours(5.5)).AddTicks(7);
        Assert.Equal(EditStatus.Saved, (await Editor().UpdateAsync(id, """{"v": 2}""", local, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task A_document_with_a_null_updated_at_is_edited_with_the_version_it_reads_as()
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        var id = await conn.ExecuteScalarAsync<Guid>("INSERT INTO documents (collection, data, updated_at) VALUES ('people', '{\"a\": 1}', NULL) RETURNING id");
        // documents/get reads a NULL updated_at as -infinity, which Npgsql reads as MinValue.
        var outcome = await Editor().UpdateAsync(id, """{"a": 2}""", DateTimeOffset.MinValue, CancellationToken.None);
        Assert.Equal(EditStatus.Saved, outcome.Status);
        Assert.Null(await conn.ExecuteScalarAsync<string>(
            "SELECT previous->>'updated_at' FROM orchestra_admin.audit_log WHERE id = @auditId", new { auditId = outcome.AuditId }));
    }

    [Fact]
    public async Task A_change_through_the_dashboard_after_loading_is_a_conflict_naming_who_made_it_and_nothing_is_overwritten()
    {
        var id = await InsertAsync();
        var ottoLoaded = await LoadVersionAsync(id);
        var olgaLoaded = await LoadVersionAsync(id);

        var olgas = await Editor(Olga).UpdateAsync(id, """{"by": "olga"}""", olgaLoaded, CancellationToken.None);
        Assert.Equal(EditStatus.Saved, olgas.Status);
        var olgaAuditAt = await ScalarAsync<DateTime>("SELECT occurred_at FROM orchestra_admin.audit_log WHERE id = @id", new { id = olgas.AuditId });
        var checksum = await ChecksumAsync();

        var ottos = await Editor().UpdateAsync(id, """{"by": "otto"}""", ottoLoaded, CancellationToken.None);

        Assert.Equal(EditStatus.Conflict, ottos.Status);
        Assert.Equal("olga", ottos.ChangedBy);
        Assert.False(ottos.ChangedOutsideDashboard);
        Assert.Equal(DocumentVersion.FromPostgres(olgaAuditAt), ottos.ChangedAt);
        Assert.Equal(olgas.UpdatedAt, ottos.UpdatedAt);
        Assert.Contains("olga changed this document at", ottos.Message);
        Assert.Contains("nothing was saved", ottos.Message);
        Assert.Equal(checksum, await ChecksumAsync());
        // The attempt is on record, as a failure that changed nothing.
        var audit = await LastAuditAsync();
        Assert.Equal(("otto", "documents.update", false), ((string)audit.actor, (string)audit.action, (bool)audit.succeeded));
        Assert.Contains("olga", (string)audit.error);
        Assert.Null(audit.previous_text);
    }

    [Fact]
    public async Task A_change_outside_the_dashboard_is_a_conflict_saying_when_even_after_an_earlier_dashboard_edit()
    {
        var id = await InsertAsync();
        // An earlier dashboard edit leaves an audit row for this document...
        var olgas = await Editor(Olga).UpdateAsync(id, """{"by": "olga"}""", await LoadVersionAsync(id), CancellationToken.None);
        Assert.Equal(EditStatus.Saved, olgas.Status);
        var ottoLoaded = await LoadVersionAsync(id);
        // ...but the current version is written by the stack itself.
        await using (var worker = await db.OpenOtherConnectionAsync())
            await worker.ExecuteAsync("UPDATE documents SET data = '{\"by\": \"worker\"}', updated_at = '2030-05-06 07:08:09.654321+00' WHERE id = @id", new { id });
        var checksum = await ChecksumAsync();

        var ottos = await Editor().UpdateAsync(id, """{"by": "otto"}""", ottoLoaded, CancellationToken.None);

        Assert.Equal(EditStatus.Conflict, ottos.Status);
        Assert.Null(ottos.ChangedBy);
        Assert.True(ottos.ChangedOutsideDashboard);
        var workerVersion = DateTimeOffset.Parse("2030-05-06T07:08:09.654321Z");
        Assert.Equal(workerVersion, ottos.ChangedAt);
        Assert.Equal(workerVersion, ottos.UpdatedAt);
        Assert.Contains("changed at 2030-05-06 07:08:09 UTC outside the dashboard", ottos.Message);
        Assert.Equal(checksum, await ChecksumAsync());
    }

    [Fact]
    public async Task A_writer_holding_the_row_while_the_edit_waits_wins_and_the_edit_reports_the_conflict()
    {
        var id = await InsertAsync();
        var loaded = await LoadVersionAsync(id);

        await using var worker = await db.OpenOtherConnectionAsync();
        await using var tx = await worker.BeginTransactionAsync();
        await worker.ExecuteAsync("UPDATE documents SET data = '{\"by\": \"worker\"}', updated_at = now() WHERE id = @id", new { id }, tx);

        var edit = Editor().UpdateAsync(id, """{"by": "otto"}""", loaded, CancellationToken.None);
        await WaitForLockWaitAsync();
        await tx.CommitAsync();
        var outcome = await edit;

        Assert.Equal(EditStatus.Conflict, outcome.Status);
        Assert.True(outcome.ChangedOutsideDashboard);
        Assert.True(await ScalarAsync<bool>("SELECT data = '{\"by\": \"worker\"}'::jsonb FROM documents WHERE id = @id", new { id }));
    }

    [Fact]
    public async Task A_row_locked_past_the_lock_timeout_is_reported_and_nothing_changes()
    {
        var id = await InsertAsync();
        var loaded = await LoadVersionAsync(id);
        await using var worker = await db.OpenOtherConnectionAsync();
        await using var tx = await worker.BeginTransactionAsync();
        await worker.ExecuteAsync("SELECT 1 FROM documents WHERE id = @id FOR UPDATE", new { id }, tx);

        var outcome = await Editor(statementTimeoutSeconds: 1).UpdateAsync(id, """{"by": "otto"}""", loaded, CancellationToken.None);
        var deleted = await Editor(statementTimeoutSeconds: 1).DeleteAsync(id, "people", CancellationToken.None);
        await tx.RollbackAsync();

        Assert.Equal(EditStatus.Locked, outcome.Status);
        Assert.Contains("nothing was changed", outcome.Message);
        Assert.Equal(DeleteStatus.Locked, deleted.Status);
        Assert.True(await ScalarAsync<bool>("SELECT data = @d::jsonb FROM documents WHERE id = @id", new { id, d = OldData }));
        Assert.Contains("lock", (string)(await LastAuditAsync()).error);
    }

    [Theory]
    [InlineData("{\"name\": \"Ada\",, \"x\": 1}", "line 1, column 16")]
    [InlineData("{\n  \"name\": \"Ada\",\n  \"ok\": tru\n}", "line 3, column 12")] // where the reader noticed: after "tru"
    [InlineData("{\"a\": 1, \"a\": 2}", "Duplicate")]
    [InlineData("[1, 2]", "is an array; it must be a JSON object")]
    [InlineData("\"just text\"", "is a string; it must be a JSON object")]
    [InlineData("null", "is null; it must be a JSON object")]
    [InlineData("   ", "empty")]
    [InlineData("{\"a\": \"x\\u0000y\"}", "\\u0000")]
    public async Task Invalid_or_non_object_json_is_refused_at_the_input_and_nothing_changes(string json, string expected)
    {
        var id = await InsertAsync();
        var loaded = await LoadVersionAsync(id);
        var checksum = await ChecksumAsync();
        var audits = await ScalarAsync<long>("SELECT count(*) FROM orchestra_admin.audit_log");

        var e = await Assert.ThrowsAsync<InvalidInputException>(() => Editor().UpdateAsync(id, json, loaded, CancellationToken.None));

        Assert.Equal("data", e.Field);
        Assert.Contains(expected, e.Message);
        Assert.Equal(checksum, await ChecksumAsync());
        // Refused before the transaction: nothing to audit (no change was attempted).
        Assert.Equal(audits, await ScalarAsync<long>("SELECT count(*) FROM orchestra_admin.audit_log"));
    }

    [Fact]
    public async Task Json_that_only_postgresql_refuses_comes_back_as_invalid_input_and_nothing_changes()
    {
        var id = await InsertAsync();
        var checksum = await ChecksumAsync();

        // Valid JSON, but beyond PostgreSQL's numeric range.
        var e = await Assert.ThrowsAsync<InvalidInputException>(() =>
            Editor().UpdateAsync(id, """{"a": 1e200000}""", OldUpdatedAt, CancellationToken.None));

        Assert.Equal("data", e.Field);
        Assert.Contains("PostgreSQL refused the JSON: value overflows numeric format", e.Message);
        Assert.Equal(checksum, await ChecksumAsync());
        Assert.False((bool)(await LastAuditAsync()).succeeded);
    }

    [Fact]
    public async Task A_viewer_is_refused_nothing_changes_and_the_refusal_is_audited()
    {
        var id = await InsertAsync();
        var loaded = await LoadVersionAsync(id);
        var checksum = await ChecksumAsync();

        var e = await Assert.ThrowsAsync<OperatorRequiredException>(() =>
            Editor(FakeCurrentOperator.Viewer).UpdateAsync(id, """{"by": "vera"}""", loaded, CancellationToken.None));

        Assert.Equal("documents.update", e.Action);
        Assert.Equal(checksum, await ChecksumAsync());
        var audit = await LastAuditAsync();
        Assert.Equal(("vera", "Viewer", "documents.update", false, "refused: needs the Operator role"),
            ((string)audit.actor, (string)audit.actor_role, (string)audit.action, (bool)audit.succeeded, (string)audit.error));
        Assert.Equal(new[] { id.ToString() }, (string[])audit.target_ids);
    }

    [Fact]
    public async Task Editing_a_document_that_is_gone_says_so()
    {
        var checksum = await ChecksumAsync();
        var id = Guid.NewGuid();
        var outcome = await Editor().UpdateAsync(id, """{"a": 1}""", OldUpdatedAt, CancellationToken.None);
        Assert.Equal(EditStatus.NotFound, outcome.Status);
        Assert.Contains("no longer exists", outcome.Message);
        Assert.Equal(checksum, await ChecksumAsync());
        var audit = await LastAuditAsync();
        Assert.False((bool)audit.succeeded);
        Assert.Equal(new[] { id.ToString() }, (string[])audit.target_ids);
    }

    // ------------------------------------------------------------------ delete

    [Fact]
    public async Task A_delete_keeps_the_whole_row_in_the_audit_log_and_it_restores_exactly()
    {
        var id = await InsertAsync(collection: "orders", metadata: null);
        var rowBefore = await ScalarAsync<string>("SELECT d::text FROM documents AS d WHERE id = @id", new { id });

        var outcome = await Editor().DeleteAsync(id, "orders", CancellationToken.None);

        Assert.Equal(DeleteStatus.Deleted, outcome.Status);
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM documents WHERE id = @id", new { id }));
        var audit = await LastAuditAsync();
        Assert.Equal(outcome.AuditId, (long)audit.id);
        Assert.Equal(("otto", "documents.delete", true, 1L), ((string)audit.actor, (string)audit.action, (bool)audit.succeeded, (long)audit.rows_affected));
        Assert.Equal(new[] { id.ToString() }, (string[])audit.target_ids);

        // Nothing is lost: the audit JSON gives the exact row back (every column, NULL metadata, microseconds, numeric scale).
        await using (var conn = await db.OpenOtherConnectionAsync())
            await conn.ExecuteAsync("""
                INSERT INTO documents
                SELECT * FROM jsonb_populate_record(NULL::documents, (SELECT previous FROM orchestra_admin.audit_log WHERE id = @auditId))
                """, new { auditId = outcome.AuditId });
        Assert.Equal(rowBefore, await ScalarAsync<string>("SELECT d::text FROM documents AS d WHERE id = @id", new { id }));
    }

    [Fact]
    public async Task A_viewer_cannot_delete_and_the_refusal_is_audited()
    {
        var id = await InsertAsync();
        var checksum = await ChecksumAsync();
        await Assert.ThrowsAsync<OperatorRequiredException>(() => Editor(FakeCurrentOperator.Viewer).DeleteAsync(id, "people", CancellationToken.None));
        Assert.Equal(checksum, await ChecksumAsync());
        var audit = await LastAuditAsync();
        Assert.Equal(("vera", "documents.delete", false), ((string)audit.actor, (string)audit.action, (bool)audit.succeeded));
    }

    [Fact]
    public async Task A_delete_in_another_collection_than_confirmed_is_refused()
    {
        var id = await InsertAsync(collection: "people");
        var checksum = await ChecksumAsync();

        var outcome = await Editor().DeleteAsync(id, "orders", CancellationToken.None);

        Assert.Equal(DeleteStatus.CollectionMismatch, outcome.Status);
        Assert.Equal("people", outcome.ActualCollection);
        Assert.Contains("nothing was deleted", outcome.Message);
        Assert.Equal(checksum, await ChecksumAsync());
        Assert.False((bool)(await LastAuditAsync()).succeeded);
        await Assert.ThrowsAsync<InvalidInputException>(() => Editor().DeleteAsync(id, "", CancellationToken.None));
    }

    [Fact]
    public async Task Deleting_a_document_that_is_gone_says_so()
    {
        var id = await InsertAsync();
        Assert.Equal(DeleteStatus.Deleted, (await Editor().DeleteAsync(id, "people", CancellationToken.None)).Status);
        var again = await Editor().DeleteAsync(id, "people", CancellationToken.None);
        Assert.Equal(DeleteStatus.NotFound, again.Status);
        Assert.Contains("no longer exists", again.Message);
    }

    private async Task WaitForLockWaitAsync()
    {
        await using var conn = await db.OpenOtherConnectionAsync("test-observer");
        for (var i = 0; i < 100; i++)
        {
            var waiting = await conn.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
            if (waiting > 0) return;
            await Task.Delay(50);
        }
        throw new TimeoutException("The edit never waited for the row lock.");
    }
}
