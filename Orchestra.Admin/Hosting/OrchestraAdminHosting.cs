using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using Npgsql;
using Orchestra.Admin.Components;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Data.Weaviate;
using Orchestra.Admin.Features.Health;
using Orchestra.Admin.Features.Audit;
using Orchestra.Admin.Features.Cache;
using Orchestra.Admin.Features.Documents;
using Orchestra.Admin.Features.Overview;
using Orchestra.Admin.Features.Postgres;
using Orchestra.Admin.Features.Tasks;
using Orchestra.Admin.Features.Sessions;
using Orchestra.Admin.Features.Weaviate;
using Orchestra.Admin.Sampling;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.Hosting;

public static class OrchestraAdminHosting
{
    /// <summary>Registers everything the dashboard needs. Throws <see cref="SettingsException"/> on a bad setting.</summary>
    public static WebApplicationBuilder AddOrchestraAdmin(this WebApplicationBuilder builder)
    {
        var settings = SettingsLoader.Load(builder.Configuration);
        AccountsLoader.Load(builder.Configuration, settings);
        var services = builder.Services;
        services.AddSingleton(Options.Create(settings));
        services.AddSingleton(TimeProvider.System);

        // Served from the build output too (not only after publish), whatever the environment.
        builder.WebHost.UseStaticWebAssets();

        services.AddRazorComponents().AddInteractiveServerComponents()
            .AddHubOptions(hub => hub.MaximumReceiveMessageSize = Components.Controls.InputLimits.HubMessageBytes);
        services.AddMudServices();
        services.AddScoped<Components.Controls.BrowserTimeZone>();

        AddPostgres(services, settings);
        services.AddWeaviateClient(settings);

        services.AddSecurityHeaders(settings);
        services.AddOrchestraAuth(settings);
        services.AddSingleton<AuditLog>();
        services.AddSingleton<OperatorActions>();
        services.AddSingleton<IDatabasePrivileges, DatabasePrivileges>();

        services.AddSingleton<BackendHealth>();
        services.AddHostedService<BackendHealthMonitor>();
        services.AddHostedService<AdminSchemaStartup>();
        services.AddSingleton<MetricSampler>();
        services.AddHostedService(sp => sp.GetRequiredService<MetricSampler>());
        services.AddSingleton<PerRoundCache>();
        services.AddSingleton<IMetricHistory, MetricHistory>();

        services.AddScoped<IOverviewService, OverviewService>();
        services.AddScoped<IStatusTilesService, StatusTilesService>();
        services.AddScoped<IAuditService, AuditService>();
        services.AddPostgresMonitoring();
        services.AddDocuments();
        services.AddTasks(settings, builder.Configuration);
        services.AddSessions();
        services.AddCacheInspector();
        services.AddWeaviateMonitoring(settings);
        return builder;
    }

    public static WebApplication MapOrchestraAdmin(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<IOptions<OrchestraAdminOptions>>().Value;
        app.UseSecurityHeaders(settings);
        if (!app.Environment.IsDevelopment())
            app.UseExceptionHandler("/error", createScopeForErrors: true);
        // The friendly 404 page is for browsers asking for a page. Everything else keeps its own status:
        // re-executing a POST into a page would turn a 401 into a 400.
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.Use((context, next) =>
        {
            if (!context.Request.IsPageRequest() && context.Features.Get<IStatusCodePagesFeature>() is { } statusPages)
                statusPages.Enabled = false;
            return next(context);
        });
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseAntiforgery();

        app.MapHealthEndpoints();
        app.MapAuthEndpoints(settings);
        app.MapDocumentsExport();
        app.MapTasksApi();
        app.MapStaticAssets().AllowAnonymous();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

        if (settings.GeneratedDevLogin is { } dev)
            app.Lifetime.ApplicationStarted.Register(() =>
                Console.WriteLine($"Dev login (this run only): user name '{dev.User}', password '{dev.Password}'"));
        return app;
    }

    /// <summary>
    /// One NpgsqlDataSource (one pool) for the whole app; one without a pool, for EXPLAIN ANALYZE; and a small pool of
    /// its own for the documents export: an export holds its connection for as long as its client downloads, and must
    /// never take the pages' connections.
    /// </summary>
    public static void AddPostgres(IServiceCollection services, OrchestraAdminOptions settings)
    {
        services.AddSingleton(sp => BuildDataSource(sp, settings.Postgres.ConnectionString));
        services.AddKeyedSingleton(PostgresDataSources.Unpooled, (sp, _) => BuildDataSource(sp,
            new NpgsqlConnectionStringBuilder(settings.Postgres.ConnectionString) { Pooling = false }.ConnectionString));
        services.AddKeyedSingleton(PostgresDataSources.Exports, (sp, _) => BuildDataSource(sp,
            new NpgsqlConnectionStringBuilder(settings.Postgres.ConnectionString) { MinPoolSize = 0, MaxPoolSize = settings.Documents.ExportMaxConcurrent }.ConnectionString));
        services.AddSingleton<PostgresQueryRunner>();

        static NpgsqlDataSource BuildDataSource(IServiceProvider sp, string connectionString)
        {
            var builder = new NpgsqlDataSourceBuilder(connectionString);
            builder.UseLoggerFactory(sp.GetRequiredService<ILoggerFactory>());
            return builder.Build();
        }
    }
}

/// <summary>
/// Applies the dashboard's own schema at start-up. In the background and retried, so the app starts
/// (and shows its outage banner) while PostgreSQL is still unreachable.
/// </summary>
public sealed class AdminSchemaStartup(NpgsqlDataSource dataSource, ILogger<AdminSchemaStartup> logger) : BackgroundService
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var applied = await SqlScripts.MigrateAdminSchemaAsync(dataSource, stoppingToken);
                logger.LogInformation("Schema orchestra_admin is up to date ({Count} script(s) applied now)", applied.Count);
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Cannot apply schema orchestra_admin yet, retrying in {Delay} s: {Error}", delay.TotalSeconds, e.Message);
                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
            }
        }
    }
}
