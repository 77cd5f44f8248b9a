using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orchestra.Admin.Features.Tasks;
using Orchestra.Admin.Hosting;
using Orchestra.Admin.Security;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Tasks;

/// <summary>The app itself (AddOrchestraAdmin + MapOrchestraAdmin) on Kestrel at 127.0.0.1:0 with an API token and the dev token.</summary>
public class TasksApiApp : IAsyncLifetime
{
    public const string Token = "ci-script-token-0123456789abcdef";
    public const string TokenName = "nightly-retry";
    public const string DevToken = "dev-token-for-loopback-only";

    public PostgresDatabase Database { get; } = new();
    public Uri BaseUrl { get; private set; } = null!;
    private WebApplication? app;

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(OrchestraAdminOptions).Assembly.GetName().Name,
            EnvironmentName = "Production",
            ContentRootPath = AppContext.BaseDirectory,
        });
        var settings = new Dictionary<string, string?>
        {
            ["POSTGRES_DSN"] = Database.Server.ConnectionStringFor(Database.Name),
            ["WEAVIATE_URL"] = "",
            [AccountsLoader.UsersKey] = $"viv:Viewer:{PasswordHashing.Hash("viv-Pa55word-tasks")}",
            [AccountsLoader.DevLoginKey] = "true",
            [AccountsLoader.DevPasswordKey] = "dev-Pa55word-tasks",
            [ApiTokens.TokensKey] = $"{TokenName}:{PasswordHashing.Hash(Token)};other:{PasswordHashing.Hash("another-token-value-000000")}",
            [ApiTokens.DevTokenKey] = DevToken,
            ["OrchestraAdmin:Tasks:RequeueBatchSize"] = "7",
            ["urls"] = "http://127.0.0.1:0",
        };
        AddSettings(settings);
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.AddOrchestraAdmin();
        app = builder.Build();
        app.MapOrchestraAdmin();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        BaseUrl = new Uri(address.TrimEnd('/') + "/");
    }

    protected virtual void AddSettings(Dictionary<string, string?> settings) { }

    public HttpClient Client(string? token = Token)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = BaseUrl, Timeout = TimeSpan.FromMinutes(2) };
        if (token != null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task DisposeAsync()
    {
        if (app != null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
        await Database.DisposeAsync();
    }
}

public class TasksApiTests(TasksApiApp fixture) : IClassFixture<TasksApiApp>
{
    private PostgresDatabase Db => fixture.Database;
    private static string NewType() => "api_" + Guid.NewGuid().ToString("N")[..10];

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(HttpClient client, string json)
    {
        using var response = await client.PostAsync("api/tasks/requeue", new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    [Fact]
    public async Task Without_a_valid_token_the_api_answers_401_with_the_reason()
    {
        using var anonymous = fixture.Client(null);
        using var response = await anonymous.GetAsync("api/tasks/stats");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);

        using var wrong = fixture.Client("not-the-token");
        var (status, body) = await PostAsync(wrong, """{"ids": [], "dryRun": true}""");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("unknown API token", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Dry_run_then_requeue_by_filter_answers_the_counts_and_is_audited_with_the_tokens_name()
    {
        var type = NewType();
        await TaskRows.InsertManyFailedAsync(Db, type, 20, DateTimeOffset.UtcNow.AddHours(-2));
        var odd = await TaskRows.InsertAsync(Db, type, error: "other", payload: """{"customer": 42}""");
        using var client = fixture.Client();

        var (status, body) = await PostAsync(client, $$"""{"filter": {"taskType": "{{type}}", "errorContains": "timed out"}, "dryRun": true}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(20, body.GetProperty("matched").GetInt64());
        Assert.False(body.TryGetProperty("requeued", out _));
        Assert.Equal(21, await TaskRows.ScalarAsync<long>(Db, "SELECT count(*) FROM task_queue WHERE task_type = @type AND status = 'failed'", new { type }));

        (status, body) = await PostAsync(client, $$"""{"filter": {"taskType": "{{type}}", "errorContains": "timed out"}, "dryRun": false, "priority": 4}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal((20L, 20L, 0L), (body.GetProperty("matched").GetInt64(), body.GetProperty("requeued").GetInt64(), body.GetProperty("skipped").GetInt64()));
        Assert.Equal(3, body.GetProperty("batches").GetInt32()); // 7 per batch (configured)
        var auditId = body.GetProperty("auditId").GetInt64();
        var actor = await TaskRows.ScalarAsync<string>(Db, "SELECT actor || '/' || actor_role || '/' || action || '/' || host(client_ip) FROM orchestra_admin.audit_log WHERE id = @auditId", new { auditId });
        Assert.Equal($"{TasksApiApp.TokenName}/Operator/task.requeue/127.0.0.1", actor);
        Assert.Equal(20, await TaskRows.ScalarAsync<long>(Db, "SELECT count(*) FROM task_queue WHERE task_type = @type AND status = 'pending' AND priority = 4", new { type }));

        // By ids and by payload containment.
        (status, body) = await PostAsync(client, $$"""{"ids": ["{{odd}}"], "dryRun": true}""");
        Assert.Equal(1, body.GetProperty("matched").GetInt64());
        (status, body) = await PostAsync(client, $$"""{"filter": {"payloadContains": {"customer": 42}, "taskType": "{{type}}"}, "dryRun": false}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, body.GetProperty("requeued").GetInt64());
    }

    [Fact]
    public async Task A_run_with_the_dry_runs_confirmation_requeues_only_what_the_dry_run_matched_and_says_why_it_skipped_the_rest()
    {
        var type = NewType();
        await TaskRows.InsertManyFailedAsync(Db, type, 20, DateTimeOffset.UtcNow.AddHours(-2));
        using var client = fixture.Client();
        var filter = $$"""{"taskType": "{{type}}", "errorContains": "timed out"}""";

        var (status, body) = await PostAsync(client, $$"""{"filter": {{filter}}, "dryRun": true}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(20, body.GetProperty("matched").GetInt64());
        var confirmation = body.GetProperty("confirmation").GetString();

        // Between the dry run and the run: three no longer match (still failed), two fail again with another error, four new matching failures.
        var matching = await TaskRows.ListAsync<Guid>(Db, "SELECT id FROM task_queue WHERE task_type = @type ORDER BY id", new { type });
        var edited = matching.Take(3).ToArray();
        var failedAgain = matching.Skip(3).Take(2).ToArray();
        await using (var worker = await Db.OpenOtherConnectionAsync("worker"))
        {
            await worker.ExecuteAsync("UPDATE task_queue SET error = 'KeyError: ''email''' WHERE id = ANY(@edited)", new { edited });
            await worker.ExecuteAsync("UPDATE task_queue SET status = 'pending', error = NULL WHERE id = ANY(@failedAgain)", new { failedAgain });
            await worker.ExecuteAsync("UPDATE task_queue SET status = 'failed', completed_at = now(), error = 'ConnectionError: refused' WHERE id = ANY(@failedAgain)", new { failedAgain });
        }
        var appeared = new List<Guid>();
        for (var i = 0; i < 4; i++) appeared.Add(await TaskRows.InsertAsync(Db, type, error: "TimeoutError: timed out after 5 ms"));

        (status, body) = await PostAsync(client, $$"""{"filter": {{filter}}, "dryRun": false, "confirmation": "{{confirmation}}"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        var untouched = edited.Concat(failedAgain).Concat(appeared).ToArray();
        Assert.Equal(0, await TaskRows.ScalarAsync<long>(Db, "SELECT count(*) FROM task_queue WHERE id = ANY(@untouched) AND status <> 'failed'", new { untouched }));
        Assert.Equal(15, await TaskRows.ScalarAsync<long>(Db, "SELECT count(*) FROM task_queue WHERE task_type = @type AND status = 'pending'", new { type }));
        Assert.Equal((20L, 15L, 5L), (body.GetProperty("matched").GetInt64(), body.GetProperty("requeued").GetInt64(), body.GetProperty("skipped").GetInt64()));
        Assert.Equal(5, body.GetProperty("skippedBecause").GetProperty("noLongerMatching").GetInt64());

        // The audit entry says the same.
        var parameters = await TaskRows.ScalarAsync<string>(Db, "SELECT parameters::text FROM orchestra_admin.audit_log WHERE id = @id", new { id = body.GetProperty("auditId").GetInt64() });
        using var json = JsonDocument.Parse(parameters);
        Assert.Equal(confirmation, json.RootElement.GetProperty("confirmation").GetString());
        Assert.Equal(20, json.RootElement.GetProperty("matchedAtConfirmation").GetInt64());
        Assert.Equal(5, json.RootElement.GetProperty("skippedBecause").GetProperty("noLongerMatching").GetInt64());
    }

    [Fact]
    public async Task A_confirmation_of_another_token_or_another_filter_gets_409_and_changes_nothing()
    {
        var type = NewType();
        await TaskRows.InsertManyFailedAsync(Db, type, 3, DateTimeOffset.UtcNow.AddHours(-2));
        using var client = fixture.Client();
        var (_, body) = await PostAsync(client, $$"""{"filter": {"taskType": "{{type}}"}, "dryRun": true}""");
        var confirmation = body.GetProperty("confirmation").GetString();
        Assert.True(body.GetProperty("expiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow);

        using var other = fixture.Client("another-token-value-000000");
        var (status, refused) = await PostAsync(other, $$"""{"filter": {"taskType": "{{type}}"}, "dryRun": false, "confirmation": "{{confirmation}}"}""");
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("confirmation", refused.GetProperty("field").GetString());
        Assert.Contains($"is {TasksApiApp.TokenName}'s", refused.GetProperty("error").GetString());

        // Widening the filter under the same confirmation.
        (status, refused) = await PostAsync(client, $$"""{"filter": {}, "all": true, "dryRun": false, "confirmation": "{{confirmation}}"}""");
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("another filter", refused.GetProperty("error").GetString());
        (status, refused) = await PostAsync(client, $$"""{"filter": {"taskType": "{{type}}"}, "dryRun": false, "confirmation": "{{Guid.NewGuid()}}"}""");
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("unknown or expired", refused.GetProperty("error").GetString());
        Assert.Equal(3, await TaskRows.ScalarAsync<long>(Db, "SELECT count(*) FROM task_queue WHERE task_type = @type AND status = 'failed'", new { type }));
    }

    [Theory]
    [InlineData("""{"filter": {"taskType": "x"}, "dryRun": true""", "body", "not valid JSON")]
    [InlineData("""[1, 2]""", "body", "must be a JSON object")]
    [InlineData("""{"filter": {"taskType": "x"}, "dryRun": true, "force": true}""", "force", "Unknown field 'force'")]
    [InlineData("""{"filter": {"tasktype": "x"}, "dryRun": true}""", "filter.tasktype", "Unknown field 'filter.tasktype'")]
    [InlineData("""{"filter": {}, "dryRun": false}""", "filter", "all = true")]
    [InlineData("""{"filter": {"taskType": "x"}}""", "dryRun", "dryRun is required")]
    [InlineData("""{"ids": ["nope"], "dryRun": true}""", "ids[0]", "not a task id")]
    [InlineData("""{"ids": ["3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a1b"], "filter": {"taskType": "x"}, "dryRun": true}""", "ids", "not both")]
    [InlineData("""{"filter": {"failedAfter": "yesterday"}, "dryRun": true}""", "filter.failedAfter", "ISO 8601")]
    [InlineData("""{"filter": {"payloadContains": "[1]"}, "dryRun": true}""", "filter.payloadContains", "JSON object")]
    [InlineData("""{"filter": {"failedAfter": "2026-02-01T00:00:00Z", "failedBefore": "2026-01-01T00:00:00Z"}, "dryRun": true}""", "filter.failedAfter/failedBefore", "starts after it ends")]
    [InlineData("""{"filter": {"taskType": "x"}, "all": true, "dryRun": true}""", "all", "only for the empty filter")]
    [InlineData("""{"filter": {"taskType": "x"}, "dryRun": false, "confirmation": "yes"}""", "confirmation", "a UUID")]
    [InlineData("""{"filter": {"taskType": "x"}, "dryRun": true, "confirmation": "3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a1b"}""", "confirmation", "goes with dryRun: false")]
    public async Task Bad_requests_get_400_with_the_reason_and_the_field_and_change_nothing(string json, string field, string reason)
    {
        using var client = fixture.Client();
        var before = await TaskRows.ScalarAsync<long>(Db, "SELECT count(*) FROM orchestra_admin.audit_log");
        var (status, body) = await PostAsync(client, json);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(field, body.GetProperty("field").GetString());
        Assert.Contains(reason, body.GetProperty("error").GetString());
        Assert.Equal(before, await TaskRows.ScalarAsync<long>(Db, "SELECT count(*) FROM orchestra_admin.audit_log"));
    }

    [Fact]
    public async Task Requeueing_everything_needs_the_explicit_all()
    {
        var type = NewType();
        await TaskRows.InsertAsync(Db, type);
        using var client = fixture.Client();
        var (status, body) = await PostAsync(client, """{"filter": {}, "all": true, "dryRun": true}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(await TaskRows.ScalarAsync<long>(Db, "SELECT count(*) FROM task_queue WHERE status = 'failed'"), body.GetProperty("matched").GetInt64());
    }

    [Fact]
    public async Task Stats_answer_counts_by_status_and_task_type_and_the_oldest_pending_age()
    {
        var type = NewType();
        await TaskRows.InsertAsync(Db, type, status: "pending", error: null, created: DateTimeOffset.UtcNow.AddDays(-2));
        await TaskRows.InsertAsync(Db, type, status: "failed");
        // The app's sampler counts the queue once per round; the first round may predate these rows, so wait for the next.
        using var client = fixture.Client();
        JsonElement body = default;
        for (var i = 0; i < 100; i++)
        {
            using var response = await client.GetAsync("api/tasks/stats");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            if (body.GetProperty("byTaskType").TryGetProperty(type, out _)) break;
            await Task.Delay(300);
        }
        var mine = body.GetProperty("byTaskType").GetProperty(type);
        Assert.Equal(1, mine.GetProperty("pending").GetInt64());
        Assert.Equal(1, mine.GetProperty("failed").GetInt64());
        Assert.True(body.GetProperty("byStatus").GetProperty("pending").GetInt64() >= 1);
        Assert.True(body.GetProperty("oldestPendingSeconds").GetDouble() >= 2 * 86_400 - 120);
        Assert.True(body.TryGetProperty("readAt", out _));
    }

    [Fact]
    public async Task The_dev_token_works_from_loopback_as_its_own_actor()
    {
        var type = NewType();
        var id = await TaskRows.InsertAsync(Db, type);
        using var client = fixture.Client(TasksApiApp.DevToken);
        var (status, body) = await PostAsync(client, $$"""{"ids": ["{{id}}"], "dryRun": false}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, body.GetProperty("requeued").GetInt64());
        Assert.Equal(ApiTokens.DevTokenName, await TaskRows.ScalarAsync<string>(Db,
            "SELECT actor FROM orchestra_admin.audit_log WHERE id = @id", new { id = body.GetProperty("auditId").GetInt64() }));
    }
}

/// <summary>Reading ORCHESTRA_ADMIN_API_TOKENS and the dev token at start-up.</summary>
public class ApiTokensSettingsTests
{
    private static ApiTokens Load(IConfiguration configuration, int failuresAllowed = 10) =>
        ApiTokens.Load(configuration, new FailedAttempts(failuresAllowed, TimeSpan.FromMinutes(1)));

    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void A_plain_token_a_malformed_entry_or_a_duplicate_name_stops_start_up_with_the_entry_named()
    {
        var e = Assert.Throws<SettingsException>(() => Load(Config((ApiTokens.TokensKey, "ci:plain-secret-token"))));
        Assert.Contains("entry 1 (ci)", e.Message);
        Assert.Contains("hash-password", e.Message);
        Assert.DoesNotContain("plain-secret-token", e.Message);
        e = Assert.Throws<SettingsException>(() => Load(Config((ApiTokens.TokensKey, "justahash"))));
        Assert.Contains("is not name:hash", e.Message);
        var hash = PasswordHashing.Hash("t");
        e = Assert.Throws<SettingsException>(() => Load(Config((ApiTokens.TokensKey, $"ci:{hash};CI:{hash}"))));
        Assert.Contains("more than once", e.Message);
    }

    [Fact]
    public void The_dev_token_needs_the_dev_login_and_a_real_length()
    {
        var e = Assert.Throws<SettingsException>(() => Load(Config((ApiTokens.DevTokenKey, "dev-token-for-loopback-only"))));
        Assert.Contains(AccountsLoader.DevLoginKey, e.Message);
        e = Assert.Throws<SettingsException>(() => Load(Config((ApiTokens.DevTokenKey, "short"), (AccountsLoader.DevLoginKey, "true"))));
        Assert.Contains("at least 16", e.Message);
    }

    [Fact]
    public void A_token_is_found_by_its_hash_and_the_dev_token_only_from_loopback()
    {
        var tokens = Load(Config(
            (ApiTokens.TokensKey, $"ci:{PasswordHashing.Hash("token-one-xxxxxxxxxxxx")};ops:{PasswordHashing.Hash("token-two-xxxxxxxxxxxx")}"),
            (ApiTokens.DevTokenKey, "dev-token-for-loopback-only"), (AccountsLoader.DevLoginKey, "true")));
        Assert.Equal("ops", tokens.Check("token-two-xxxxxxxxxxxx", IPAddress.Parse("10.0.0.1")).Name);
        Assert.Equal("ops", tokens.Check("token-two-xxxxxxxxxxxx", IPAddress.Parse("10.0.0.1")).Name); // remembered
        Assert.Equal(ApiTokenCheck.Unknown, tokens.Check("token-three", IPAddress.Loopback));
        Assert.Equal(ApiTokens.DevTokenName, tokens.Check("dev-token-for-loopback-only", IPAddress.Loopback).Name);
        Assert.Equal(ApiTokenCheck.Unknown, tokens.Check("dev-token-for-loopback-only", IPAddress.Parse("192.168.1.9")));
    }

    [Fact]
    public void An_address_that_sent_too_many_unknown_tokens_is_refused_without_checking_but_a_verified_token_still_passes()
    {
        var tokens = Load(Config((ApiTokens.TokensKey, $"ci:{PasswordHashing.Hash("token-one-xxxxxxxxxxxx")};ops:{PasswordHashing.Hash("token-two-xxxxxxxxxxxx")}")), failuresAllowed: 2);
        var guesser = IPAddress.Parse("10.0.0.1");
        Assert.Equal("ops", tokens.Check("token-two-xxxxxxxxxxxx", guesser).Name);
        Assert.Equal(ApiTokenCheck.Unknown, tokens.Check("guess-1", guesser));
        Assert.Equal(ApiTokenCheck.Unknown, tokens.Check("guess-2", guesser));

        var refused = tokens.Check("token-one-xxxxxxxxxxxx", guesser); // a real token, but not verified before: not checked
        Assert.Null(refused.Name);
        Assert.Equal(TimeSpan.FromMinutes(1), refused.RetryAfter);
        Assert.Equal("ops", tokens.Check("token-two-xxxxxxxxxxxx", guesser).Name);
        Assert.Equal("ci", tokens.Check("token-one-xxxxxxxxxxxx", IPAddress.Parse("10.0.0.2")).Name); // other addresses are not affected
    }
}

/// <summary>The same app allowing 3 unknown tokens per address and window.</summary>
public sealed class ThrottledTasksApiApp : TasksApiApp
{
    protected override void AddSettings(Dictionary<string, string?> settings) => settings["OrchestraAdmin:Auth:ApiTokenFailuresPerIp"] = "3";
}

public class ApiTokenThrottleTests(ThrottledTasksApiApp fixture) : IClassFixture<ThrottledTasksApiApp>
{
    [Fact]
    public async Task Guessing_tokens_gets_429_with_retry_after_while_the_known_token_keeps_working()
    {
        using var known = fixture.Client();
        using (var response = await known.GetAsync("api/tasks/stats")) Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        for (var i = 0; i < 3; i++)
        {
            using var guess = fixture.Client($"guess-{i}");
            using var response = await guess.GetAsync("api/tasks/stats");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        using var next = fixture.Client("guess-3");
        using var refused = await next.GetAsync("api/tasks/stats");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(60), refused.Headers.RetryAfter?.Delta);
        using var body = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        Assert.Equal("too many unknown API tokens from this address: try again in 60 s", body.RootElement.GetProperty("error").GetString());

        using (var response = await known.GetAsync("api/tasks/stats")) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
