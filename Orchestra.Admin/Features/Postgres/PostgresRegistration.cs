namespace Orchestra.Admin.Features.Postgres;

/// <summary>The PostgreSQL area's services: one small class per monitoring topic (as PgHero has one unit per topic).</summary>
public static class PostgresRegistration
{
    public static IServiceCollection AddPostgresMonitoring(this IServiceCollection services)
    {
        // One line per topic class.
        services.AddScoped<IStatementChecks, StatementChecks>();
        services.AddScoped<IExplainService, ExplainService>();
        services.AddScoped<ISettingsChecks, SettingsChecks>();
        services.AddScoped<IReplicationChecks, ReplicationChecks>();
        services.AddScoped<IIndexChecks, IndexChecks>();
        services.AddScoped<IMaintenanceChecks, MaintenanceChecks>();
        services.AddScoped<ISpaceChecks, SpaceChecks>();
        services.AddScoped<ICacheChecks, CacheChecks>();
        services.AddScoped<IActivityChecks, ActivityChecks>();
        return services;
    }
}
