using Orchestra.Admin.Security;

namespace Orchestra.Admin.Hosting;

/// <summary>
/// The dashboard's settings. The three the stack's <c>.env</c> names (<c>POSTGRES_DSN</c>,
/// <c>WEAVIATE_URL</c>, <c>WEAVIATE_API_KEY</c>) are read as top-level keys (environment or
/// appsettings); the rest live under the <c>OrchestraAdmin</c> section.
/// </summary>
public sealed class OrchestraAdminOptions
{
    public const string Section = "OrchestraAdmin";

    public PostgresOptions Postgres { get; set; } = new();
    public WeaviateOptions Weaviate { get; set; } = new();
    public Data.Embeddings.EmbeddingsOptions Embeddings { get; set; } = new();
    public SamplingOptions Sampling { get; set; } = new();
    public Features.Overview.StatusThresholds Thresholds { get; set; } = new();
    public DocumentsOptions Documents { get; set; } = new();
    public Features.Tasks.TasksOptions Tasks { get; set; } = new();

    /// <summary>
    /// IP addresses of reverse proxies whose X-Forwarded-Proto is believed (loopback always is), so that HTTPS
    /// ended at the proxy still gets HSTS and Secure cookies; and whose X-Forwarded-For is (only theirs), so that the
    /// per-address limits and the audit log see each browser behind the proxy.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];
    public Features.Cache.CacheOptions Cache { get; set; } = new();

    /// <summary>How often the top bar's connection states are probed.</summary>
    public int HealthProbeIntervalSeconds { get; set; } = 10;

    public List<UserSetting> Users { get; set; } = [];
    public OidcOptions Oidc { get; set; } = new();
    public AuthOptions Auth { get; set; } = new();
    public Features.Sessions.SessionsOptions Sessions { get; set; } = new();

    /// <summary>The validated accounts: <see cref="Users"/>, ORCHESTRA_ADMIN_USERS and the dev login (set by <see cref="SettingsLoader"/>).</summary>
    public IReadOnlyList<AdminAccount> Accounts { get; set; } = [];
    /// <summary>The dev login when its password was generated, to print once at start-up.</summary>
    public GeneratedDevLogin? GeneratedDevLogin { get; set; }
}

public sealed class PostgresOptions
{
    /// <summary>Npgsql connection string (converted from POSTGRES_DSN; the password is in it).</summary>
    public string ConnectionString { get; set; } = "";
    public int MinPoolSize { get; set; } = 0;
    public int MaxPoolSize { get; set; } = 20;
    /// <summary>Client-side command timeout for commands that set none of their own.</summary>
    public int CommandTimeoutSeconds { get; set; } = 30;
    /// <summary>statement_timeout for the dashboard's read queries.</summary>
    public int StatementTimeoutSeconds { get; set; } = 5;
    /// <summary>lock_timeout for the dashboard's reads: a read that would queue behind a lock gives up instead (and does
    /// not hold up, in the lock queue, everything that arrives after it).</summary>
    public int LockTimeoutMilliseconds { get; set; } = 200;
    /// <summary>A query running longer than this is flagged long-running (Cancel / Terminate offered).</summary>
    public int LongRunningSeconds { get; set; } = 60;
}

public sealed class DocumentsOptions
{
    public const int DefaultExportMaxDocuments = 100_000;
    public const int DefaultExportTimeoutSeconds = 300;

    /// <summary>statement_timeout of one export (GET /documents/{collection}/export): a long read, so not the 5 s of the pages.</summary>
    public int ExportTimeoutSeconds { get; set; } = DefaultExportTimeoutSeconds;
    /// <summary>At most this many documents in one export (the query's LIMIT; sent as X-Export-Limit).</summary>
    public int ExportMaxDocuments { get; set; } = DefaultExportMaxDocuments;
    /// <summary>Exports running at once, for all users: the size of the exports' own connection pool (the pages' pool is never used by them).</summary>
    public int ExportMaxConcurrent { get; set; } = 4;
    /// <summary>Exports one user may run at once; beyond it an export is refused (429 with Retry-After).</summary>
    public int ExportMaxConcurrentPerUser { get; set; } = 2;
    /// <summary>An export whose client reads nothing for this long is ended and its connection released.</summary>
    public int ExportWriteTimeoutSeconds { get; set; } = 30;
}

public sealed class SamplingOptions
{
    /// <summary>One round of metrics this often, for all viewers together.</summary>
    public int IntervalSeconds { get; set; } = 15;
    /// <summary>Samples older than this are deleted by the sampler.</summary>
    public int RetentionDays { get; set; } = 7;
}

public sealed class WeaviateOptions
{
    /// <summary>REST + GraphQL base URL; null when Weaviate is not configured (not an error).</summary>
    public Uri? Url { get; set; }
    public string? ApiKey { get; set; }
    public bool IsConfigured => Url != null;

    /// <summary>Weaviate's gRPC endpoint (WEAVIATE_GRPC_URL); by default the host of <see cref="Url"/> on port 50051, Weaviate's default.</summary>
    public Uri? GrpcUrl { get; set; }
    /// <summary>How searches and counts are sent: <c>auto</c> (gRPC when its health check answers SERVING, else GraphQL), <c>grpc</c> or <c>graphql</c>.</summary>
    public string SearchProtocol { get; set; } = "auto";

    /// <summary>How long to wait for a TCP (and TLS) connection before calling Weaviate unreachable.</summary>
    public int ConnectTimeoutSeconds { get; set; } = 2;
    /// <summary>How long one request may wait for its answer (per attempt) before it fails with "no answer within".</summary>
    public int RequestTimeoutSeconds { get; set; } = 10;
    /// <summary>Retries of a failed GET (5xx, 408, 429, no connection), with exponential backoff; 0 turns retries off. Never for POST or PUT.</summary>
    public int RetryCount { get; set; } = 2;
    /// <summary>The first retry's delay; each further retry waits twice as long (with jitter).</summary>
    public int RetryBaseDelayMilliseconds { get; set; } = 250;
    /// <summary>The circuit breaker opens when at least half of this many calls (or more) in 30 s failed.</summary>
    public int CircuitBreakerMinimumThroughput { get; set; } = 10;
    /// <summary>How long calls fail fast once the circuit breaker opened, before one call is let through to try again.</summary>
    public int CircuitBreakerBreakSeconds { get; set; } = 15;
}
