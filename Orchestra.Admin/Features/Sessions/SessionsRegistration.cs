using Orchestra.Admin.Sampling;

namespace Orchestra.Admin.Features.Sessions;

/// <summary>The session store's inspector: reads, the operator actions, and its sampler metrics.</summary>
public static class SessionsRegistration
{
    /// <summary>Needs what the host registers for every feature: PostgresQueryRunner, OperatorActions, ICurrentOperator, the options, TimeProvider.</summary>
    public static IServiceCollection AddSessions(this IServiceCollection services)
    {
        services.AddScoped<ISessionsService, SessionsService>();
        services.AddScoped<ISessionActions, SessionActions>();
        services.AddSingleton<SessionReferences>();
        services.AddSingleton<IMetricSource, SessionsMetricSource>();
        return services;
    }
}
