using Microsoft.AspNetCore.Authentication;
using Orchestra.Admin.Hosting;
using Orchestra.Admin.Sampling;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.Features.Tasks;

/// <summary>The task queue's services: the reads, the actions, the sampler's task metrics and the operator API's tokens.</summary>
public static class TasksRegistration
{
    /// <summary>
    /// Needs what the host registers for every feature (NpgsqlDataSource, PostgresQueryRunner, OperatorActions, AuditLog,
    /// MetricSampler, PerRoundCache, the options). Checks OrchestraAdmin:Tasks and reads the API tokens
    /// (<see cref="ApiTokens"/>): a bad one stops start-up with a <see cref="SettingsException"/>.
    /// </summary>
    public static IServiceCollection AddTasks(this IServiceCollection services, OrchestraAdminOptions settings, IConfiguration configuration)
    {
        Validate(settings.Tasks);
        services.AddSingleton<TasksMetricSource>();
        services.AddSingleton<IMetricSource>(sp => sp.GetRequiredService<TasksMetricSource>());
        services.AddScoped<ITasksService, TasksService>();
        services.AddScoped<ITaskActions, TaskActions>();

        services.AddSingleton(ApiTokens.Load(configuration, new FailedAttempts(settings.Auth.ApiTokenFailuresPerIp, TimeSpan.FromSeconds(settings.Auth.LoginWindowSeconds))));
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiTokenHandler>(ApiTokenHandler.SchemeName, null);
        return services;
    }

    internal static void Validate(TasksOptions tasks)
    {
        Require(tasks.StuckThresholdMinutes >= 1, "OrchestraAdmin:Tasks:StuckThresholdMinutes", $"must be at least 1 (is {tasks.StuckThresholdMinutes})");
        foreach (var (type, minutes) in tasks.StuckThresholdMinutesByType)
            Require(minutes >= 1, $"OrchestraAdmin:Tasks:StuckThresholdMinutesByType:{type}", $"must be at least 1 (is {minutes})");
        Require(tasks.RequeueBatchSize is >= 1 and <= 100_000, "OrchestraAdmin:Tasks:RequeueBatchSize", $"must be from 1 to 100000 (is {tasks.RequeueBatchSize})");
        Require(tasks.RequeueScanTimeoutSeconds >= 1, "OrchestraAdmin:Tasks:RequeueScanTimeoutSeconds", $"must be at least 1 (is {tasks.RequeueScanTimeoutSeconds})");
        Require(tasks.RequeueConfirmationMinutes is >= 1 and <= 1440, "OrchestraAdmin:Tasks:RequeueConfirmationMinutes", $"must be from 1 to 1440 (is {tasks.RequeueConfirmationMinutes})");
        Require(tasks.AuditMaxIds >= 0, "OrchestraAdmin:Tasks:AuditMaxIds", $"must be at least 0 (is {tasks.AuditMaxIds})");
    }

    private static void Require(bool ok, string key, string problem)
    {
        if (!ok) throw new SettingsException($"{key} {problem}");
    }
}
