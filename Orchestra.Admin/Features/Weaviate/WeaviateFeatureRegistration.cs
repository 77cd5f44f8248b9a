using Orchestra.Admin.Hosting;
using Orchestra.Admin.Sampling;

namespace Orchestra.Admin.Features.Weaviate;

public static class WeaviateFeatureRegistration
{
    /// <summary>The Weaviate pages' service always (it says when Weaviate is not configured); the sampler's Weaviate metrics only when it is.</summary>
    public static IServiceCollection AddWeaviateMonitoring(this IServiceCollection services, OrchestraAdminOptions settings)
    {
        services.AddScoped<IWeaviateService, WeaviateService>();
        services.AddSingleton<Data.Weaviate.Grpc.SearchProtocolChoice>();
        services.AddScoped<VectorSearch.IVectorSearch, VectorSearch.ProtocolVectorSearch>();
        services.AddScoped<VectorSearch.IRecentSearches, VectorSearch.RecentSearches>();
        services.AddSingleton<Data.Embeddings.EmbeddingProviders>();
        services.AddScoped<VectorSearch.TextQueries>();
        services.AddSingleton<VectorConsistency.ConsistencyRuns>();
        if (settings.Weaviate.IsConfigured) services.AddSingleton<IMetricSource, WeaviateMetricSource>();
        return services;
    }
}
