using Dapper;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Tasks;

/// <summary>orchestra_admin.error_fingerprint / error_signature (sql/admin/005) on real-looking errors, in real PostgreSQL.</summary>
public class ErrorFingerprintTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private async Task<string> SignatureAsync(string? error)
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        return await conn.ExecuteScalarAsync<string>("SELECT orchestra_admin.error_signature(@error)", new { error }) ?? "";
    }

    private async Task<string> FingerprintAsync(string? error)
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        return await conn.ExecuteScalarAsync<string>("SELECT orchestra_admin.error_fingerprint(@error)", new { error }) ?? "";
    }

    private async Task SameGroupAsync(params string[] errors)
    {
        var fingerprints = new List<string>();
        foreach (var e in errors) fingerprints.Add(await FingerprintAsync(e));
        Assert.Single(fingerprints.Distinct());
        Assert.Matches("^[0-9a-f]{16}$", fingerprints[0]);
    }

    private async Task DifferentGroupsAsync(string a, string b) => Assert.NotEqual(await FingerprintAsync(a), await FingerprintAsync(b));

    [Fact]
    public async Task Timeouts_with_varying_milliseconds_hosts_and_urls_are_one_group()
    {
        await SameGroupAsync(
            "TimeoutError: POST https://api.openai.com/v1/embeddings timed out after 3120 ms",
            "TimeoutError: POST https://api.cohere.com/v1/embed timed out after 45000 ms",
            "TimeoutError: POST https://hooks.zapier.com/webhooks/orders?id=17 timed out after 2001 ms");
        Assert.Equal("TimeoutError: POST <url> timed out after <n> ms", await SignatureAsync("TimeoutError: POST https://api.openai.com/v1/embeddings timed out after 3120 ms"));
        await SameGroupAsync(
            "smtplib.SMTPServerDisconnected: Connection unexpectedly closed: timed out after 7000 ms (smtp.mailgun.org:587)",
            "smtplib.SMTPServerDisconnected: Connection unexpectedly closed: timed out after 29999 ms (email-smtp.eu-west-1.amazonaws.com:587)");
    }

    [Fact]
    public async Task Http_5xx_with_request_ids_uuids_and_quoted_values_are_one_group()
    {
        await SameGroupAsync(
            "HTTPStatusError: Server error '503 Service Unavailable' for url 'https://hooks.zapier.com/webhooks/orders'",
            "HTTPStatusError: Server error '502 Bad Gateway' for url 'https://api.shop.example.com/webhooks/events'");
        await SameGroupAsync(
            "RateLimitError: 429 Too Many Requests from api.openai.com: retry after 17 s (request id req_8f2a9c0d1e3b4f5a6b7c8d9e)",
            "RateLimitError: 429 Too Many Requests from api.hubapi.com: retry after 3 s (request id req_0a1b2c3d4e5f60718293a4b5)");
        await SameGroupAsync(
            "Upstream 500 Internal Server Error (x-request-id: 3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a1b) from 10.0.3.17:8080",
            "Upstream 504 Internal Server Error (x-request-id: 9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d) from 192.168.1.20:9090");
        await SameGroupAsync(
            "ConnectionRefusedError: [Errno 111] Connect call failed ('10.0.3.17', 6379)",
            "ConnectionRefusedError: [Errno 111] Connect call failed ('172.18.0.4', 5432)");
        await SameGroupAsync(
            "DocumentNotFound: document 3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a1b not found in collection \"notes\"",
            "DocumentNotFound: document 0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a not found in collection \"orders\"");
    }

    [Fact]
    public async Task Python_tracebacks_group_by_their_exception_line_whatever_the_frames()
    {
        const string a = """
            Traceback (most recent call last):
              File "/app/orchestra/worker.py", line 142, in run_task
                result = await handler(task.payload)
              File "/app/orchestra/tasks/send_email.py", line 61, in handle
                body = render(template, payload["variables"])
            KeyError: 'first_name'
            """;
        const string b = """
            Traceback (most recent call last):
              File "/srv/app/orchestra/worker.py", line 150, in run_task
                result = await handler(task.payload)
            KeyError: 'order_number'
            """;
        await SameGroupAsync(a, b);
        Assert.Equal("KeyError: '?'", await SignatureAsync(a));
        await DifferentGroupsAsync(a, "Traceback (most recent call last):\n  File \"/app/x.py\", line 1, in f\nValueError: invalid literal for int() with base 10: 'abc'");
    }

    [Fact]
    public async Task Dotnet_stack_traces_group_by_their_first_line_whatever_the_frames_and_job_ids()
    {
        const string a = """
            System.NullReferenceException: Object reference not set to an instance of an object.
               at Orchestra.Imaging.ResizeHandler.ResizeAsync(ImageJob job, CancellationToken ct) in /src/Orchestra.Imaging/ResizeHandler.cs:line 87
               at Orchestra.Workers.TaskRunner.ExecuteAsync(QueuedTask task) in /src/Orchestra.Workers/TaskRunner.cs:line 131
            --- job 3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a1b on worker imaging-2 ---
            """;
        const string b = "System.NullReferenceException: Object reference not set to an instance of an object.\r\n   at Orchestra.Imaging.ResizeHandler.ResizeAsync(ImageJob job, CancellationToken ct) in C:\\build\\ResizeHandler.cs:line 90";
        await SameGroupAsync(a, b);
        Assert.Equal("System.NullReferenceException: Object reference not set to an instance of an object.", await SignatureAsync(a));
        await DifferentGroupsAsync(a, "System.TimeoutException: The operation has timed out.\n   at Orchestra.Workers.TaskRunner.ExecuteAsync(QueuedTask task)");
    }

    [Fact]
    public async Task Multi_line_database_errors_group_by_their_first_line_and_different_errors_stay_apart()
    {
        await SameGroupAsync(
            "psycopg.errors.DeadlockDetected: deadlock detected\nDETAIL:  Process 4242 waits for ShareLock on transaction 991; blocked by process 77.",
            "psycopg.errors.DeadlockDetected: deadlock detected\nDETAIL:  Process 17 waits for ShareLock on transaction 12345; blocked by process 99.");
        await DifferentGroupsAsync("psycopg.errors.DeadlockDetected: deadlock detected", "psycopg.errors.QueryCanceled: canceling statement due to statement timeout");
        await DifferentGroupsAsync("TimeoutError: POST https://a.example.com/x timed out after 5 ms", "HTTPStatusError: Server error '503 Service Unavailable' for url 'https://a.example.com/x'");
        await SameGroupAsync(
            "OSError: could not open /var/lib/data/file_1.bin at 0x7ffe12ab",
            "OSError: could not open /tmp/other/file_2.bin at 0x00001f");
    }

    [Fact]
    public async Task Null_and_empty_errors_have_a_fingerprint_too()
    {
        Assert.Equal(await FingerprintAsync(null), await FingerprintAsync(""));
        Assert.Equal("", await SignatureAsync("   \n  "));
    }

    /// <summary>
    /// A task's error can carry what a user sent. PostgreSQL's regex engine (a DFA hybrid) stays linear on the hostile
    /// 64 KB texts every .NET regex is run on (RegexSafetyTests), about 10–80 ms each: a statement timeout far above that
    /// turns a pattern added later that blows up into a failure here.
    /// </summary>
    [Fact]
    public async Task Signatures_of_64_KB_hostile_errors_stay_within_a_statement_timeout()
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        await conn.ExecuteAsync("SET statement_timeout = '10s'");
        foreach (var error in Security.RegexSafetyTests.AdversarialInputs()
                     .Append("Traceback (most recent call last):" + string.Concat(Enumerable.Repeat("\n  a", 16 * 1024))))
            Assert.InRange((await conn.ExecuteScalarAsync<string>("SELECT orchestra_admin.error_signature(@error)", new { error }))!.Length, 0, 300);
    }
}
