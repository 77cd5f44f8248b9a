using Orchestra.Admin.Tests.Infrastructure;
using Orchestra.WeaviateEmulator;

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

    /// <summary>The ways Weaviate fails (issue 10), each with the words a page must show for it. Every page that
    /// talks to Weaviate is tested against this one list (<see cref="InjectWeaviateFaultAsync"/> makes each happen).</summary>
    public static TheoryData<string, string> WeaviateFaults => new()
    {
        { "down", "connection refused" },
        { "slow", $"within {WeaviateRequestTimeoutSeconds} s" },
        { "500", "disk quota exceeded" },
        { "401", "this Weaviate requires an API key: set WEAVIATE_API_KEY" },
        { "malformed", "Weaviate answered with malformed JSON" },
        { "node unhealthy", "UNHEALTHY" },
    };

    /// <summary>Makes one of <see cref="WeaviateFaults"/> happen; <see cref="RemoveWeaviateFaultAsync"/> undoes it.</summary>
    public async Task InjectWeaviateFaultAsync(string fault)
    {
        var faults = Emulator.Faults;
        switch (fault)
        {
            case "down": await StopEmulatorAsync(); break;
            case "slow": faults.LatencyMs = (WeaviateRequestTimeoutSeconds + 2) * 1000; break;
            case "500": faults.StatusMessage = "disk quota exceeded"; faults.StatusCode = 500; break;
            case "401": faults.StatusCode = 401; break;
            case "malformed": faults.MalformedJson = true; break;
            case "node unhealthy": faults.SetNodeStatus("node1", NodeHealth.Unhealthy); break;
            default: throw new ArgumentException($"no Weaviate fault '{fault}'", nameof(fault));
        }
    }

    /// <summary>Weaviate as it was: back on the same address with the same data, no fault.</summary>
    public async Task RemoveWeaviateFaultAsync(string fault)
    {
        if (fault == "down") await RestartEmulatorAsync();
        Emulator.Faults.Reset();
    }

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
        // The faults of WeaviateFaults are REST's and GraphQL's: searches take GraphQL here. The gRPC client's own
        // faults (port closed, UNAVAILABLE, INTERNAL, paused calls) are tested against the emulator's gRPC in GrpcVectorSearchTests.
        environment["OrchestraAdmin__Weaviate__SearchProtocol"] = "graphql";
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
