namespace Orchestra.Admin.Features.Cache;

/// <summary>The cache inspector's services: reading the cache tables and the operator actions on them.</summary>
public static class CacheRegistration
{
    /// <summary>Needs what the host registers for every feature: PostgresQueryRunner, OperatorActions, ICurrentOperator, the options.</summary>
    public static IServiceCollection AddCacheInspector(this IServiceCollection services)
    {
        services.AddScoped<ICacheService, CacheService>();
        services.AddScoped<ICacheEditor, CacheEditor>();
        return services;
    }
}
