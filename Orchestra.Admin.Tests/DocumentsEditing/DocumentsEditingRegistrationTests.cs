using Microsoft.Extensions.DependencyInjection;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Features.Documents;
using Orchestra.Admin.Security;
using Orchestra.Admin.Tests.Infrastructure;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace Orchestra.Admin.Tests.DocumentsEditing;

public class DocumentsEditingRegistrationTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task The_editor_and_the_schema_service_resolve_per_scope_from_what_the_host_registers()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        // What OrchestraAdminHosting registers for every feature.
        services.AddSingleton(db.DataSource);
        services.AddSingleton(MsOptions.Create(TestServices.Options(db)));
        services.AddSingleton<PostgresQueryRunner>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<OperatorActions>();
        services.AddScoped<ICurrentOperator>(_ => FakeCurrentOperator.Operator);

        services.AddDocuments();

        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        await using var scope = provider.CreateAsyncScope();
        Assert.IsType<DocumentEditor>(scope.ServiceProvider.GetRequiredService<IDocumentEditor>());
        var schema = scope.ServiceProvider.GetRequiredService<IDocumentSchemaService>();
        Assert.Equal(0, (await schema.SampleAsync("none")).SampleSize);
        Assert.Same(schema, scope.ServiceProvider.GetRequiredService<IDocumentSchemaService>());
        await using var other = provider.CreateAsyncScope();
        Assert.NotSame(schema, other.ServiceProvider.GetRequiredService<IDocumentSchemaService>());
    }
}
