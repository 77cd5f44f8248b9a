namespace Orchestra.Admin.Features.Documents;

/// <summary>The documents browser's operator actions (edit, delete) and its schema sampler.</summary>
public static class DocumentsEditingRegistration
{
    /// <summary>Needs what the host registers for every feature: NpgsqlDataSource, PostgresQueryRunner, OperatorActions, ICurrentOperator, the options.</summary>
    public static IServiceCollection AddDocumentEditing(this IServiceCollection services)
    {
        services.AddScoped<IDocumentEditor, DocumentEditor>();
        services.AddScoped<IDocumentSchemaService, DocumentSchemaService>();
        return services;
    }
}
