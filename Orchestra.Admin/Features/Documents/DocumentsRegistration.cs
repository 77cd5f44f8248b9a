namespace Orchestra.Admin.Features.Documents;

/// <summary>The documents browser's services: reading, the operator actions (edit, delete), the schema sampler and the exports' limits.</summary>
public static class DocumentsRegistration
{
    /// <summary>Needs what the host registers for every feature: NpgsqlDataSource, PostgresQueryRunner, OperatorActions, ICurrentOperator, the options.</summary>
    public static IServiceCollection AddDocuments(this IServiceCollection services)
    {
        services.AddScoped<IDocumentsService, DocumentsService>();
        services.AddScoped<IDocumentEditor, DocumentEditor>();
        services.AddScoped<IDocumentSchemaService, DocumentSchemaService>();
        services.AddSingleton<DocumentsExportSlots>();
        return services;
    }
}
