using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Features.Documents;
using Orchestra.Admin.Security;
using Orchestra.Admin.Tests.Infrastructure;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace Orchestra.Admin.Tests.DocumentsEditing;

/// <summary>Edit, delete and the schema sample as the least-privilege roles of sql/roles.sql allow them.</summary>
public class DocumentsEditingPrivilegesTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private Task<NpgsqlDataSource> ConnectAsAsync(string group) => db.ConnectAsRoleAsync(group);

    [Fact]
    public async Task The_operator_role_can_edit_see_who_changed_and_delete_and_the_viewer_role_can_sample()
    {
        Guid id;
        await using (var owner = await db.OpenOtherConnectionAsync())
            id = await owner.ExecuteScalarAsync<Guid>("INSERT INTO documents (collection, data) VALUES ('people', '{\"a\": 1}') RETURNING id");

        await using var op = await ConnectAsAsync("orchestra_admin_operator");
        var options = MsOptions.Create(TestServices.Options(db));
        var actions = new OperatorActions(op, new AuditLog(op, NullLogger<AuditLog>.Instance));
        var otto = new DocumentEditor(actions, FakeCurrentOperator.Operator, options);
        var olga = new DocumentEditor(actions, new FakeCurrentOperator("olga", AdminRoles.Operator), options);

        DateTime loaded;
        await using (var conn = await op.OpenConnectionAsync())
            loaded = await conn.ExecuteScalarAsync<DateTime>("SELECT updated_at FROM documents WHERE id = @id", new { id });
        Assert.Equal(EditStatus.Saved, (await olga.UpdateAsync(id, """{"a": 2}""", DocumentVersion.FromPostgres(loaded))).Status);
        var conflict = await otto.UpdateAsync(id, """{"a": 3}""", DocumentVersion.FromPostgres(loaded));
        Assert.Equal("olga", conflict.ChangedBy); // reading the audit log's xmin needs nothing more than SELECT
        Assert.Equal(DeleteStatus.Deleted, (await otto.DeleteAsync(id, "people")).Status);

        await using var viewer = await ConnectAsAsync("orchestra_admin_viewer");
        await using (var owner = await db.OpenOtherConnectionAsync())
            await owner.ExecuteAsync("INSERT INTO documents (collection, data) SELECT 'many', jsonb_build_object('n', i) FROM generate_series(1, 3000) AS i");
        var schema = await new DocumentSchemaService(TestServices.QueryRunner(viewer, TestServices.Options(db))).SampleAsync("many");
        Assert.Equal(1000, schema.SampleSize);
        Assert.Equal("n", Assert.Single(schema.Paths).Path);
    }
}
