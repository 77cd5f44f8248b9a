using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Npgsql;
using Orchestra.Admin.Tests.Infrastructure;
using Orchestra.WeaviateEmulator;

namespace Orchestra.Admin.E2E.Infrastructure;

[CollectionDefinition(Name)]
public sealed class AppCollection : ICollectionFixture<AppFixture>
{
    /// <summary>Every E2E test class joins this collection: one seeded database, one app, one browser for the run.</summary>
    public const string Name = "Orchestra Admin app";
}

/// <summary>
/// The real app, end to end: a fresh database on the test PostgreSQL server, seeded by the app's own
/// <c>seed-demo</c> command, the Weaviate emulator (in this process, so tests can stop it and inject faults),
/// the app started as its own process (Production environment, a free loopback
/// port), and one headless Debian Chromium driven by Playwright. Everything is torn down afterwards.
/// </summary>
public partial class AppFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private static readonly TimeSpan SeedTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly List<string> timings = [];
    private PostgresServer? server;
    private bool databaseCreated;
    private ChildProcess? seeder;
    private RunningApp? app;
    private RunningEmulator? emulator;

    /// <summary>Demo objects in the emulator's Memory class: enough for paging, quick to load.</summary>
    public const int EmulatorObjects = 300;
    private IPlaywright? playwright;

    /// <summary>Storage state (cookies, localStorage) of the signed-in operator, applied to every new browser context.
    /// Set by <see cref="SignInAsync"/>.</summary>
    private string? signedInState;

    /// <summary>The account the tests sign in with: the app's dev login (Operator), allowed on loopback only.</summary>
    public string OperatorUserName { get; } = "e2e-operator";
    public string OperatorPassword { get; } = "e2e-" + Guid.NewGuid().ToString("N");

    /// <summary>A configured Viewer account beside it, for tests that look at the pages as a Viewer (<see cref="NewViewerContextAsync"/>).</summary>
    public string ViewerUserName { get; } = "e2e-viewer";
    public string ViewerPassword { get; } = "e2e-" + Guid.NewGuid().ToString("N");
    private string? viewerPasswordHash;

    public string DatabaseName { get; } = "e2e_" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Connection string to the seeded database, for tests that cross-check what the pages show.</summary>
    public string DatabaseConnectionString { get; private set; } = "";

    /// <summary>The app's base address, e.g. http://127.0.0.1:41234 (no trailing slash).</summary>
    public Uri BaseUrl { get; private set; } = null!;

    private IBrowser? browser;
    public IBrowser Browser => browser ?? throw new InvalidOperationException("The browser is not running.");

    /// <summary>Plain HTTP against the app (no browser), for the health endpoints.</summary>
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // Blazor Server pages fill in after the circuit connects and the queries return: allow for a slow CI machine.
        Assertions.SetDefaultExpectTimeout(15_000);
        try
        {
            await CreateDatabaseAsync();
            Step("database created");
            // With its gRPC API too: the app searches over gRPC, as Weaviate's current clients do (SearchProtocol auto).
            emulator = await RunningEmulator.StartAsync(new EmulatorOptions { DemoObjects = EmulatorObjects, GrpcPort = 0 });
            Step("Weaviate emulator started");
            await SeedAsync();
            Step("seed-demo finished");
            await StartAppAsync();
            Step("app answers /healthz");
            await LaunchBrowserAsync();
            Step("Chromium launched");
            await SignInAsync();
        }
        catch (Exception e)
        {
            var message = $"The E2E fixture could not start: {e.Message}\nSteps: {string.Join(", ", timings)}\n{Diagnostics()}";
            await DisposeAsync();
            throw new InvalidOperationException(message, e);
        }
    }

    /// <summary>The PostgreSQL server the app's database is created on: the test run's shared one.</summary>
    protected virtual Task<PostgresServer> PostgresServerAsync() => PostgresServer.GetAsync();

    /// <summary>Settings a derived fixture adds to the app's environment.</summary>
    protected virtual void AddEnvironment(IDictionary<string, string?> environment) { }

    /// <summary>The seed's scale (E2E_SEED_SCALE overrides it).</summary>
    protected virtual string DefaultSeedScale => "0.2";

    private async Task CreateDatabaseAsync()
    {
        server = await PostgresServerAsync();
        await using var conn = new NpgsqlConnection(server.MaintenanceConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{DatabaseName}\" TEMPLATE template0", conn);
        await cmd.ExecuteNonQueryAsync();
        databaseCreated = true;
        DatabaseConnectionString = server.ConnectionStringFor(DatabaseName, "orchestra-e2e") + ";Pooling=false";
    }

    /// <summary>The environment both the seeder and the app get: the database as the stack's .env would name it,
    /// nothing inherited that would change what the pages show.</summary>
    private Dictionary<string, string?> AppEnvironment()
    {
        var environment = BaseEnvironment();
        AddEnvironment(environment);
        return environment;
    }

    private Dictionary<string, string?> BaseEnvironment() => new()
    {
        ["POSTGRES_DSN"] = StackDsn(server!.ConnectionStringFor(DatabaseName)),
        ["WEAVIATE_URL"] = Emulator.Url.ToString(),
        ["WEAVIATE_GRPC_URL"] = Emulator.GrpcUrl?.ToString(),
        ["WEAVIATE_API_KEY"] = null,
        // A Weaviate that comes back is called again after 2 s, not the default 15 s.
        ["OrchestraAdmin__Weaviate__CircuitBreakerBreakSeconds"] = "2",
        ["ORCHESTRA_ADMIN_USERS"] = $"{ViewerUserName}:Viewer:{viewerPasswordHash ??= Orchestra.Admin.Security.PasswordHashing.Hash(ViewerPassword)}",
        ["ORCHESTRA_ADMIN_DEV_LOGIN"] = "true",
        ["ORCHESTRA_ADMIN_DEV_USER"] = OperatorUserName,
        ["ORCHESTRA_ADMIN_DEV_PASSWORD"] = OperatorPassword,
        ["ASPNETCORE_ENVIRONMENT"] = null, // Production: the shape operators run
        ["DOTNET_ENVIRONMENT"] = null,
        ["ASPNETCORE_URLS"] = null,
        ["ASPNETCORE_HTTP_PORTS"] = null,
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        // Re-probe the top bar's backends quickly, so a first slow probe (cold pool) does not hold a test up.
        ["OrchestraAdmin__HealthProbeIntervalSeconds"] = "2",
        // A circuit checks every 2 s that its sign-in still holds (signed out elsewhere, expired), not every 30 s.
        ["OrchestraAdmin__Auth__RevalidateSeconds"] = "2",
        // Sampler rounds every 2 s, so live updates and the charts show within a test's patience.
        ["OrchestraAdmin__Sampling__IntervalSeconds"] = "2",
        // Timestamped log lines (UTC), to line up with the failure time a test reports.
        ["Logging__Console__FormatterName"] = "simple",
        ["Logging__Console__FormatterOptions__ColorBehavior"] = "Disabled",
        ["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ",
        ["Logging__Console__FormatterOptions__UseUtcTimestamp"] = "true",
    };

    /// <summary>POSTGRES_DSN in the URI form the stack writes (postgresql://user:pass@host:port/db); the Npgsql
    /// key/value form when the server's settings do not fit a plain URI (several hosts, a socket, TLS options).</summary>
    internal static string StackDsn(string npgsqlConnectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(npgsqlConnectionString);
        var plain = !string.IsNullOrEmpty(b.Host) && !b.Host.Contains(',') && !b.Host.StartsWith('/')
                    && b.SslMode is SslMode.Disable or SslMode.Prefer && string.IsNullOrEmpty(b.RootCertificate);
        if (!plain) return npgsqlConnectionString;
        var user = b.Username is { Length: > 0 } u ? Uri.EscapeDataString(u) : "";
        var password = b.Password is { Length: > 0 } p ? ":" + Uri.EscapeDataString(p) : "";
        var userInfo = user.Length + password.Length > 0 ? $"{user}{password}@" : "";
        var host = b.Host!.Contains(':') ? $"[{b.Host}]" : b.Host;
        return $"postgresql://{userInfo}{host}:{b.Port}/{Uri.EscapeDataString(b.Database!)}";
    }

    private async Task SeedAsync()
    {
        string[] args = [SolutionLayout.AppDll, "seed-demo", .. SeedArguments()];
        RequireAppBuilt();
        seeder = ChildProcess.StartDotnet("seed-demo", SolutionLayout.AppContentRoot, args, AppEnvironment());
        var code = await seeder.WaitForExitAsync(SeedTimeout);
        if (code != 0)
            throw new InvalidOperationException($"seed-demo exited with code {code}.");
    }

    /// <summary>A small demo: enough rows for real sizes and estimates, quick to seed. E2E_SEED_SCALE overrides it.</summary>
    private IEnumerable<string> SeedArguments()
    {
        var scale = Environment.GetEnvironmentVariable("E2E_SEED_SCALE") ?? DefaultSeedScale;
        return scale is "" or "default" ? [] : ["--scale", scale];
    }

    /// <summary>The Weaviate the app talks to: tests set its faults (and must reset them).</summary>
    public RunningEmulator Emulator => emulator ?? throw new InvalidOperationException("The Weaviate emulator is not running.");

    /// <summary>Weaviate goes away: the emulator stops listening.</summary>
    public Task StopEmulatorAsync() => Emulator.StopAsync();

    /// <summary>Weaviate comes back on the same address with the same data.</summary>
    public async Task RestartEmulatorAsync()
    {
        var stopped = Emulator;
        await stopped.StopAsync();
        emulator = await RunningEmulator.StartAsync(new EmulatorOptions { Port = stopped.Url.Port, GrpcPort = stopped.GrpcUrl?.Port, Store = stopped.Store });
    }

    private async Task StartAppAsync()
    {
        app = await RunningApp.StartAsync("app", AppEnvironment());
        BaseUrl = app.BaseUrl;
        Http = app.Http;
    }

    /// <summary>The app's process id (e.g. to read its memory).</summary>
    public int AppProcessId => app?.Process.Id ?? throw new InvalidOperationException("The app is not running.");

    /// <summary>Stops the app's process and starts it again (on a new port: contexts made afterwards use it).</summary>
    public async Task RestartAppAsync()
    {
        if (app != null) await app.DisposeAsync();
        app = null;
        await StartAppAsync();
    }

    private async Task LaunchBrowserAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"{ChromiumPath} is missing: install Debian's chromium (apt-get install chromium). Playwright's own browser downloads are not used.");
        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
            Timeout = 60_000,
        });
    }

    /// <summary>
    /// Signs in once for the whole run and keeps the signed-in browser state (the auth cookie) for every context.
    /// The app's sign-in page is a plain form (User name, Password, Sign in); the account is the dev login, which
    /// the app allows on a loopback-only address.
    /// </summary>
    private async Task SignInAsync()
    {
        await using var context = await NewContextAsync(signedIn: false);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        var userName = page.GetByLabel("User name", new PageGetByLabelOptions { Exact = true });
        var overview = page.GetByRole(AriaRole.Heading, new PageGetByRoleOptions { Name = "Overview", Level = 1 });
        await userName.FillAsync(OperatorUserName);
        await page.GetByLabel("Password", new PageGetByLabelOptions { Exact = true }).FillAsync(OperatorPassword);
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Sign in", Exact = true }).ClickAsync();
        await Assertions.Expect(overview).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 30_000 });
        signedInState = await context.StorageStateAsync();
        Step("signed in");
    }

    /// <summary>A fresh browser context signed in, through the sign-in form, as the Viewer <see cref="ViewerUserName"/>.</summary>
    public async Task<IBrowserContext> NewViewerContextAsync()
    {
        var context = await NewContextAsync(signedIn: false);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/login");
        await page.GetByLabel("User name", new PageGetByLabelOptions { Exact = true }).FillAsync(ViewerUserName);
        await page.GetByLabel("Password", new PageGetByLabelOptions { Exact = true }).FillAsync(ViewerPassword);
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Sign in", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("signed-in-user")).ToContainTextAsync($"{ViewerUserName} · Viewer");
        await page.CloseAsync();
        return context;
    }

    /// <summary>A fresh, isolated browser context (own cookies and localStorage) against the app, signed in as
    /// <see cref="OperatorUserName"/> unless <paramref name="signedIn"/> is false. Light colour scheme, en-US, UTC:
    /// the same on every machine. <paramref name="baseUrl"/> points it elsewhere, e.g. at a proxy in front of the app.</summary>
    public async Task<IBrowserContext> NewContextAsync(bool signedIn = true, Uri? baseUrl = null)
    {
        return await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = (baseUrl ?? BaseUrl).ToString(),
            StorageState = signedIn ? signedInState : null,
            ColorScheme = ColorScheme.Light,
            Locale = "en-US",
            TimezoneId = "UTC",
            ViewportSize = new ViewportSize { Width = 1366, Height = 900 },
        });
    }

    /// <summary>What to read when something failed: the app's (and the seeder's) last output lines.</summary>
    public string Diagnostics()
    {
        var parts = new List<string>();
        if (seeder != null && app == null) parts.Add(seeder.Tail());
        if (app != null) parts.Add(app.Process.Tail());
        return parts.Count == 0 ? "(no process output yet)" : string.Join("\n", parts);
    }

    private void Step(string what) => timings.Add($"{what} at {clock.Elapsed.TotalSeconds:0.0} s");

    private static void RequireAppBuilt()
    {
        if (!File.Exists(SolutionLayout.AppDll))
            throw new InvalidOperationException($"{SolutionLayout.AppDll} is missing: build the solution ({SolutionLayout.Configuration}) first; `dotnet test Orchestra.Admin.E2E` builds it.");
    }

    public virtual async Task DisposeAsync()
    {
        if (browser != null) { try { await browser.CloseAsync(); } catch (PlaywrightException) { /* already gone */ } }
        browser = null;
        playwright?.Dispose();
        playwright = null;
        if (app != null) await app.DisposeAsync();
        if (emulator != null) await emulator.DisposeAsync();
        if (seeder != null) await seeder.DisposeAsync();
        if (databaseCreated && server != null)
        {
            await using var conn = new NpgsqlConnection(server.MaintenanceConnectionString);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{DatabaseName}\" WITH (FORCE)", conn);
            await cmd.ExecuteNonQueryAsync();
            databaseCreated = false;
        }
        app = null;
        seeder = null;
    }

}
