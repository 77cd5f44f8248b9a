using Npgsql;
using Orchestra.Admin.Data.Postgres;

namespace Orchestra.Admin.Hosting;

/// <summary>A setting that stops start-up. The message is one line, names the setting and never holds a secret.</summary>
public sealed class SettingsException(string message) : Exception(message);

/// <summary>Reads and validates the settings once, at start-up.</summary>
public static class SettingsLoader
{
    public const string PostgresDsnKey = "POSTGRES_DSN";
    public const string WeaviateUrlKey = "WEAVIATE_URL";
    public const string WeaviateApiKeyKey = "WEAVIATE_API_KEY";
    public const string WeaviateGrpcUrlKey = "WEAVIATE_GRPC_URL";
    /// <summary>Weaviate's default gRPC port.</summary>
    public const int WeaviateGrpcPort = 50051;

    public static OrchestraAdminOptions Load(IConfiguration configuration)
    {
        var options = new OrchestraAdminOptions();
        var section = configuration.GetSection(OrchestraAdminOptions.Section);
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException e)
        {
            // The binder's message names the key and the bad value; none of these settings is a secret.
            throw new SettingsException($"{OrchestraAdminOptions.Section}: {e.Message}");
        }

        options.Postgres.ConnectionString = LoadPostgres(configuration[PostgresDsnKey], options.Postgres);
        options.Weaviate.Url = LoadWeaviateUrl(configuration[WeaviateUrlKey]);
        var apiKey = configuration[WeaviateApiKeyKey];
        options.Weaviate.ApiKey = string.IsNullOrWhiteSpace(apiKey) ? null : apiKey.Trim();
        options.Weaviate.GrpcUrl = LoadWeaviateGrpcUrl(configuration[WeaviateGrpcUrlKey], options.Weaviate.Url);
        options.Weaviate.SearchProtocol = options.Weaviate.SearchProtocol.Trim().ToLowerInvariant();
        Require(options.Weaviate.SearchProtocol is "auto" or "grpc" or "graphql", "OrchestraAdmin:Weaviate:SearchProtocol",
            $"must be auto, grpc or graphql (is '{options.Weaviate.SearchProtocol}')");

        Require(options.Postgres.MaxPoolSize >= 1, "OrchestraAdmin:Postgres:MaxPoolSize", $"must be at least 1 (is {options.Postgres.MaxPoolSize})");
        Require(options.Postgres.MinPoolSize >= 0 && options.Postgres.MinPoolSize <= options.Postgres.MaxPoolSize,
            "OrchestraAdmin:Postgres:MinPoolSize", $"must be from 0 to MaxPoolSize ({options.Postgres.MaxPoolSize}) (is {options.Postgres.MinPoolSize})");
        Require(options.Postgres.CommandTimeoutSeconds >= 1, "OrchestraAdmin:Postgres:CommandTimeoutSeconds", $"must be at least 1 (is {options.Postgres.CommandTimeoutSeconds})");
        Require(options.Postgres.StatementTimeoutSeconds >= 1, "OrchestraAdmin:Postgres:StatementTimeoutSeconds", $"must be at least 1 (is {options.Postgres.StatementTimeoutSeconds})");
        Require(options.Postgres.LockTimeoutMilliseconds is >= 1 and <= 60_000, "OrchestraAdmin:Postgres:LockTimeoutMilliseconds", $"must be 1 to 60000 (is {options.Postgres.LockTimeoutMilliseconds})");
        Require(options.Postgres.LongRunningSeconds >= 1, "OrchestraAdmin:Postgres:LongRunningSeconds", $"must be at least 1 (is {options.Postgres.LongRunningSeconds})");
        Require(options.Sampling.IntervalSeconds >= 1, "OrchestraAdmin:Sampling:IntervalSeconds", $"must be at least 1 (is {options.Sampling.IntervalSeconds})");
        Require(options.Sampling.RetentionDays >= 1, "OrchestraAdmin:Sampling:RetentionDays", $"must be at least 1 (is {options.Sampling.RetentionDays})");
        Require(options.Documents.ExportTimeoutSeconds >= 1, "OrchestraAdmin:Documents:ExportTimeoutSeconds", $"must be at least 1 (is {options.Documents.ExportTimeoutSeconds})");
        Require(options.Documents.ExportMaxDocuments >= 1, "OrchestraAdmin:Documents:ExportMaxDocuments", $"must be at least 1 (is {options.Documents.ExportMaxDocuments})");
        Require(options.Documents.ExportMaxConcurrent is >= 1 and <= 100, "OrchestraAdmin:Documents:ExportMaxConcurrent", $"must be from 1 to 100 (is {options.Documents.ExportMaxConcurrent})");
        Require(options.Documents.ExportMaxConcurrentPerUser >= 1 && options.Documents.ExportMaxConcurrentPerUser <= options.Documents.ExportMaxConcurrent,
            "OrchestraAdmin:Documents:ExportMaxConcurrentPerUser", $"must be from 1 to ExportMaxConcurrent ({options.Documents.ExportMaxConcurrent}) (is {options.Documents.ExportMaxConcurrentPerUser})");
        Require(options.Documents.ExportWriteTimeoutSeconds >= 1, "OrchestraAdmin:Documents:ExportWriteTimeoutSeconds", $"must be at least 1 (is {options.Documents.ExportWriteTimeoutSeconds})");
        Require(options.Sessions.CleanupBatchSize is >= 1 and <= 100_000, "OrchestraAdmin:Sessions:CleanupBatchSize", $"must be from 1 to 100000 (is {options.Sessions.CleanupBatchSize})");
        Require(options.Cache.MaxPatternDeleteKeys >= 1, "OrchestraAdmin:Cache:MaxPatternDeleteKeys", $"must be at least 1 (is {options.Cache.MaxPatternDeleteKeys})");
        Require(options.Cache.PurgeBatchSize is >= 1 and <= 100_000, "OrchestraAdmin:Cache:PurgeBatchSize", $"must be from 1 to 100000 (is {options.Cache.PurgeBatchSize})");
        var weaviate = options.Weaviate;
        Require(weaviate.ConnectTimeoutSeconds >= 1, "OrchestraAdmin:Weaviate:ConnectTimeoutSeconds", $"must be at least 1 (is {weaviate.ConnectTimeoutSeconds})");
        Require(weaviate.RequestTimeoutSeconds >= 1, "OrchestraAdmin:Weaviate:RequestTimeoutSeconds", $"must be at least 1 (is {weaviate.RequestTimeoutSeconds})");
        Require(weaviate.RetryCount is >= 0 and <= 10, "OrchestraAdmin:Weaviate:RetryCount", $"must be from 0 to 10 (is {weaviate.RetryCount})");
        Require(weaviate.RetryBaseDelayMilliseconds is >= 0 and <= 60_000, "OrchestraAdmin:Weaviate:RetryBaseDelayMilliseconds", $"must be from 0 to 60000 (is {weaviate.RetryBaseDelayMilliseconds})");
        Require(weaviate.CircuitBreakerMinimumThroughput >= 2, "OrchestraAdmin:Weaviate:CircuitBreakerMinimumThroughput", $"must be at least 2 (is {weaviate.CircuitBreakerMinimumThroughput})");
        Require(weaviate.CircuitBreakerBreakSeconds >= 1, "OrchestraAdmin:Weaviate:CircuitBreakerBreakSeconds", $"must be at least 1 (is {weaviate.CircuitBreakerBreakSeconds})");
        Data.Embeddings.EmbeddingSettings.Load(configuration, options.Embeddings);
        Require(options.HealthProbeIntervalSeconds >= 1, "OrchestraAdmin:HealthProbeIntervalSeconds", $"must be at least 1 (is {options.HealthProbeIntervalSeconds})");
        Require(options.Auth.RevalidateSeconds is >= 1 and <= 3600, "OrchestraAdmin:Auth:RevalidateSeconds", $"must be from 1 to 3600 (is {options.Auth.RevalidateSeconds})");
        foreach (var proxy in options.TrustedProxies)
            Require(System.Net.IPAddress.TryParse(proxy, out _), "OrchestraAdmin:TrustedProxies", $"'{proxy}' is not an IP address");
        return options;
    }

    private static string LoadPostgres(string? dsn, PostgresOptions postgres)
    {
        if (string.IsNullOrWhiteSpace(dsn))
            throw new SettingsException($"{PostgresDsnKey} is not set: set it to the stack's database, e.g. postgresql://user:password@localhost:5432/orchestra");
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = PostgresDsn.Parse(dsn);
        }
        catch (FormatException e)
        {
            throw new SettingsException($"{PostgresDsnKey} is not valid: {e.Message} (value: {PostgresDsn.Mask(dsn)})");
        }
        builder.MinPoolSize = postgres.MinPoolSize;
        builder.MaxPoolSize = postgres.MaxPoolSize;
        builder.CommandTimeout = postgres.CommandTimeoutSeconds;
        return builder.ConnectionString;
    }

    private static Uri? LoadWeaviateUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url)) return null;
        var uri = HttpUrl(url, WeaviateUrlKey, "an http:// or https:// URL such as http://localhost:8080", $"put the API key in {WeaviateApiKeyKey}");
        // A trailing slash makes relative paths like "v1/meta" resolve under any path prefix.
        return new Uri(uri.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/");
    }

    /// <summary>WEAVIATE_GRPC_URL, or the REST URL's host on Weaviate's default gRPC port (TLS when REST has it); null without Weaviate.</summary>
    private static Uri? LoadWeaviateGrpcUrl(string? url, Uri? rest)
    {
        if (string.IsNullOrWhiteSpace(url))
            return rest == null ? null : new UriBuilder(rest.Scheme, rest.Host, WeaviateGrpcPort).Uri;
        var uri = HttpUrl(url, WeaviateGrpcUrlKey, "an http:// (cleartext) or https:// URL such as http://localhost:50051", $"put the API key in {WeaviateApiKeyKey}");
        return new Uri(uri.GetLeftPart(UriPartial.Authority));
    }

    /// <summary>An absolute http(s) URL without credentials; otherwise one line naming the setting, what it expects, and where a key goes.</summary>
    internal static Uri HttpUrl(string value, string key, string expected, string credentialsHint)
    {
        value = value.Trim();
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new SettingsException($"{key} is not valid: expected {expected} (value: {value})");
        if (!string.IsNullOrEmpty(uri.UserInfo))
            throw new SettingsException($"{key} must not hold credentials: {credentialsHint}");
        return uri;
    }

    private static void Require(bool ok, string key, string problem)
    {
        if (!ok) throw new SettingsException($"{key} {problem}");
    }
}
