using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.E2E.Infrastructure;

[CollectionDefinition(Name)]
public sealed class OwnStackCollection : ICollectionFixture<OwnStackFixture>
{
    /// <summary>Tests that change the stack in ways the other tests must not see (backends taken away, the app
    /// restarted, hostile data added): a stack of their own.</summary>
    public const string Name = "Own stack";
}

/// <summary>
/// The app as <see cref="AppFixture"/> runs it, on a PostgreSQL cluster of its own (so a test can stop it without
/// touching the other tests), with its data-protection keys in a folder (so sign-ins survive a restart of the app,
/// as README's Docker setup keeps them in a volume), and a 2 s Weaviate request timeout (so "slow" is quick to show).
/// </summary>
public sealed class OwnStackFixture : AppFixture
{
    private PostgresCluster? cluster;
    private readonly string keysDirectory = Directory.CreateTempSubdirectory("orchestra-e2e-keys-").FullName;

    public PostgresCluster Postgres => cluster ?? throw new InvalidOperationException("PostgreSQL is not running.");

    public const int WeaviateRequestTimeoutSeconds = 2;

    protected override async Task<PostgresServer> PostgresServerAsync()
    {
        cluster = await PostgresCluster.StartAsync();
        return PostgresServer.Of(cluster);
    }

    protected override string DefaultSeedScale => "0.02";

    protected override void AddEnvironment(IDictionary<string, string?> environment)
    {
        environment["OrchestraAdmin__Auth__KeysDirectory"] = keysDirectory;
        environment["OrchestraAdmin__Weaviate__RequestTimeoutSeconds"] = WeaviateRequestTimeoutSeconds.ToString();
    }

    public override async Task DisposeAsync()
    {
        // The pools still hold connections that PostgreSQL's restart ended; dropping the database must not use one.
        Npgsql.NpgsqlConnection.ClearAllPools();
        await base.DisposeAsync();
        cluster?.Remove();
        try { Directory.Delete(keysDirectory, recursive: true); } catch (IOException) { /* best effort */ }
    }
}
