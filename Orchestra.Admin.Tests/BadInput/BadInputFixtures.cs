using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Features.Audit;
using Orchestra.Admin.Features.Cache;
using Orchestra.Admin.Features.Documents;
using Orchestra.Admin.Features.Sessions;
using Orchestra.Admin.Security;
using Orchestra.Admin.Tests.CacheInspector;
using Orchestra.Admin.Tests.Documents;
using Orchestra.Admin.Tests.Infrastructure;
using Orchestra.Admin.Tests.Sessions;
using Orchestra.Admin.Tests.Tasks;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace Orchestra.Admin.Tests.BadInput;

/// <summary>
/// A little of everything (the documents and cache fixtures' rows, failed and other tasks, live, expired and revoked
/// sessions, one audit entry) and the app's real services on it, whose query runner logs into <see cref="Logs"/>.
/// </summary>
public sealed class BadInputDatabase : PostgresDatabase, IAsyncLifetime
{
    /// <summary>
    /// The password in the services' connection string (the test cluster trusts local connections, so it is never
    /// checked): configured like a real one, so the log checks have a password to look for.
    /// </summary>
    public const string Password = "Pw-" + HostileValues.Marker + "-s3cret";

    private NpgsqlDataSource withPassword = null!;

    public CapturingLoggerProvider Logs { get; } = new();
    public DocumentsService Documents { get; private set; } = null!;
    public TasksHarness Tasks { get; private set; } = null!;
    public SessionsService Sessions { get; private set; } = null!;
    public CacheService Cache { get; private set; } = null!;
    public CacheEditor CacheEditor { get; private set; } = null!;
    public AuditService Audit { get; private set; } = null!;

    protected override async Task SeedAsync()
    {
        await using (var conn = await OpenOtherConnectionAsync("test-seed"))
        {
            await conn.ExecuteAsync(DocumentsDatabase.SeedSql);
            await conn.ExecuteAsync(CacheInspectorDatabase.SeedSql);
        }
        await TaskRows.InsertManyFailedAsync(this, "embed", 20, DateTimeOffset.UtcNow.AddHours(-1));
        await TaskRows.InsertAsync(this, "send_mail", error: "SMTPError: 550 mailbox 'ops@example.com' unavailable", payload: """{"to":"ops@example.com"}""");
        await TaskRows.InsertAsync(this, "send_mail", status: "pending", error: null);
        await TaskRows.InsertAsync(this, "index", status: "completed", error: null);
        await SessionsTestData.InsertAllAsync(this,
            new SessionsTestData.Session("alice"),
            new SessionsTestData.Session("alice", Ip: "2001:db8::1", Agent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"),
            new SessionsTestData.Session("bob", Ip: null, Agent: null, ExpiresIn: TimeSpan.FromHours(-1)),
            new SessionsTestData.Session("carol", DeletedAgo: TimeSpan.FromMinutes(5), Data: """{"auth_token":"s3cr3t"}"""));

        var options = TestServices.Options(this);
        options.Postgres.ConnectionString = new NpgsqlConnectionStringBuilder(ConnectionString) { Password = Password }.ConnectionString;
        withPassword = NpgsqlDataSource.Create(options.Postgres.ConnectionString);
        var runner = TestServices.QueryRunner(withPassword, options, Logs.CreateLogger<PostgresQueryRunner>());
        var audit = new AuditLog(DataSource, NullLogger<AuditLog>.Instance);
        Documents = new DocumentsService(runner);
        Tasks = new TasksHarness(this, logger: Logs.CreateLogger<PostgresQueryRunner>());
        Sessions = new SessionsService(runner, MsOptions.Create(options));
        Cache = new CacheService(runner);
        CacheEditor = new CacheEditor(Cache, new OperatorActions(DataSource, audit), FakeCurrentOperator.Operator, runner, MsOptions.Create(options));
        Audit = new AuditService(runner);
        // One audited change, so the audit filters have something to (not) match.
        var deleted = await CacheEditor.DeleteKeyAsync("cache.default_cache", "old:2");
        if (deleted.Status != CacheActionStatus.Done) throw new InvalidOperationException("The seed's audited delete failed: " + deleted.Message);
    }

    /// <summary>The stack's tables as they are (see <see cref="StackChecksum"/>).</summary>
    public async Task<string> StackChecksumAsync()
    {
        await using var conn = await OpenOtherConnectionAsync("test-checksum");
        return await StackChecksum.OfAsync(conn);
    }

    Task IAsyncLifetime.InitializeAsync() => InitializeAsync();

    async Task IAsyncLifetime.DisposeAsync()
    {
        if (withPassword != null) await withPassword.DisposeAsync();
        await DisposeAsync();
    }
}
