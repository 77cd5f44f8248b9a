namespace Orchestra.Admin.Features.Documents;

/// <summary>The documents browser's services.</summary>
public static class DocumentsRegistration
{
    public static IServiceCollection AddDocuments(this IServiceCollection services)
    {
        services.AddScoped<IDocumentsService, DocumentsService>();
        return services;
    }
}
