using Bogus;

namespace Orchestra.Admin.Features.Demo;

/// <summary>
/// The errors failed tasks record. Each kind of error comes back many times with different values in it
/// (milliseconds, hosts, addresses, ids, quoted keys), as real ones do, so grouping errors by their
/// fingerprint has something to find. Stack traces repeat the same frames: the same code failed.
/// </summary>
internal static class TaskErrors
{
    public static string For(Faker f, string taskType)
    {
        var (host, url) = Endpoint(f, taskType);
        Func<string>[] kinds = taskType switch
        {
            "send_email" => [() => SmtpRefused(f), () => SmtpTimeout(f, host), () => ConnectionRefused(f, 25, 587, 6379), () => InvalidEmail(f), () => MissingTemplateVariable(f)],
            "generate_embedding" => [() => RateLimited(f, host), () => Timeout(f, host, url), () => Http5xx(f, url), () => VectorLengthMismatch(f), () => DocumentNotFound(f), () => ConnectionRefused(f, 8080, 50051, 5432)],
            "webhook_delivery" => [() => Http5xx(f, url), () => Http5xx(f, url), () => Timeout(f, host, url), () => ConnectionRefused(f, 443, 6379), () => CertificateExpired(host)],
            "resize_image" => [() => NullReference(f), () => OutOfMemory(f), () => UnsupportedFormat(f), () => Timeout(f, host, url)],
            "sync_crm" => [() => MissingCrmField(f), () => Http5xx(f, url), () => RateLimited(f, host), () => Timeout(f, host, url), () => Deadlock(f)],
            "generate_report" => [() => StatementTimeout(f), () => Deadlock(f), () => MissingCrmField(f)],
            _ => [() => Deadlock(f), () => ConnectionRefused(f, 5432, 6432), () => StatementTimeout(f)],
        };
        return f.PickRandom(kinds)();
    }

    /// <summary>The service a task of this type talks to, so that its errors name the right hosts.</summary>
    private static (string Host, string Url) Endpoint(Faker f, string taskType)
    {
        switch (taskType)
        {
            case "send_email":
                return (f.PickRandom("smtp.sendgrid.net", "email-smtp.eu-west-1.amazonaws.com", "smtp.mailgun.org"), "");
            case "generate_embedding":
                return f.Random.Bool(0.8f) ? ("api.openai.com", "https://api.openai.com/v1/embeddings") : ("api.cohere.com", "https://api.cohere.com/v1/embed");
            case "sync_crm":
                var instance = $"{f.Internet.DomainWord()}.my.salesforce.com";
                return f.Random.Number(0, 2) switch
                {
                    0 => ("api.hubapi.com", "https://api.hubapi.com/crm/v3/objects/contacts/batch/upsert"),
                    1 => (instance, $"https://{instance}/services/data/v60.0/sobjects/Contact"),
                    _ => ("api.pipedrive.com", "https://api.pipedrive.com/v1/deals"),
                };
            case "resize_image":
                const string bucket = "orchestra-uploads.s3.eu-central-1.amazonaws.com";
                return (bucket, $"https://{bucket}/originals/{DemoData.Uuid(f)}.jpg");
            default: // webhooks go to the customers' own servers
                var host = f.Random.Number(0, 3) switch
                {
                    0 => $"{f.Internet.DomainWord()}.myshopify.com",
                    1 => "hooks.zapier.com",
                    _ => $"api.{f.Internet.DomainName()}",
                };
                return (host, $"https://{host}/webhooks/{f.PickRandom("orchestra", "orders", "events", "incoming")}");
        }
    }

    private static string Timeout(Faker f, string host, string url) => f.Random.Number(0, 2) switch
    {
        0 => $"TimeoutError: {(host.Contains(".s3.") ? "GET" : "POST")} {url} timed out after {f.Random.Number(2_000, 60_000)} ms",
        1 => $"httpx.ReadTimeout: The read operation timed out (timeout={f.PickRandom(5, 10, 30, 60)}.0s, host='{host}')",
        _ => $"asyncio.exceptions.TimeoutError: task exceeded its deadline of {f.Random.Number(10, 300)} s (worker {f.PickRandom("alpha", "bravo", "charlie", "delta")}-{f.Random.Number(1, 8)})",
    };

    private static string SmtpTimeout(Faker f, string host) =>
        $"smtplib.SMTPServerDisconnected: Connection unexpectedly closed: timed out after {f.Random.Number(5_000, 30_000)} ms ({host}:587)";

    private static string Http5xx(Faker f, string url)
    {
        var (code, reason) = f.PickRandom((500, "Internal Server Error"), (502, "Bad Gateway"), (503, "Service Unavailable"), (504, "Gateway Timeout"));
        return $"HTTPStatusError: Server error '{code} {reason}' for url '{url}'";
    }

    /// <summary>A service of the stack's own network that is down: PostgreSQL, Redis, Weaviate, the mail relay.</summary>
    private static string ConnectionRefused(Faker f, params int[] ports) => f.Random.Bool(0.7f)
        ? $"ConnectionRefusedError: [Errno 111] Connect call failed ('{DemoData.PrivateIp(f)}', {f.PickRandom(ports)})"
        : $"OSError: [Errno 113] Connect call failed ('{DemoData.Ipv4(f)}', 443): No route to host";

    private static string RateLimited(Faker f, string host) =>
        $"RateLimitError: 429 Too Many Requests from {host}: retry after {f.Random.Number(1, 90)} s (request id req_{f.Random.Hash(24)})";

    private static string SmtpRefused(Faker f)
    {
        var email = f.Internet.Email();
        return $"SMTPRecipientsRefused: {{'{email}': (550, b'5.1.1 <{email}>: Recipient address rejected: User unknown in virtual mailbox table')}}";
    }

    private static string InvalidEmail(Faker f) =>
        $"ValueError: invalid email address '{f.Internet.UserName()}@{f.PickRandom("gmail,com", "", "example..org", "hotmail")}' in field 'to'";

    private static string UnsupportedFormat(Faker f) =>
        $"ValueError: unsupported image format '{f.PickRandom("image/heic", "image/x-icon", "application/octet-stream", "image/svg+xml")}' for s3://orchestra-uploads/originals/{DemoData.Uuid(f)}.{f.PickRandom("heic", "ico", "bin", "svg")}";

    private static string DocumentNotFound(Faker f) =>
        $"DocumentNotFound: document {DemoData.Uuid(f)} not found in collection '{f.PickRandom(DocumentGenerator.Collections)}'";

    private static string VectorLengthMismatch(Faker f)
    {
        var (expected, got) = f.PickRandom((1536, 384), (384, 1536), (768, 1536));
        return $"WeaviateError: 422 Unprocessable Entity: put object {DemoData.Uuid(f)}: new node has a vector with length {got}. Existing nodes have vectors with length {expected}";
    }

    private static string CertificateExpired(string host) =>
        $"SSLError: HTTPSConnectionPool(host='{host}', port=443): Max retries exceeded with url: /webhooks/orchestra " +
        "(Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired (_ssl.c:1006)')))";

    private static string StatementTimeout(Faker f) =>
        $"psycopg.errors.QueryCanceled: canceling statement due to statement timeout\nCONTEXT:  SQL statement \"SELECT collection, count(*) FROM documents WHERE created_at >= now() - interval '{f.Random.Number(7, 90)} days' GROUP BY collection\"";

    private static string Deadlock(Faker f)
    {
        int pid1 = f.Random.Number(1_000, 99_999), pid2 = f.Random.Number(1_000, 99_999);
        long xid1 = f.Random.Number(100_000, 9_999_999), xid2 = xid1 + f.Random.Number(1, 50);
        return $"""
            psycopg.errors.DeadlockDetected: deadlock detected
            DETAIL:  Process {pid1} waits for ShareLock on transaction {xid2}; blocked by process {pid2}.
            Process {pid2} waits for ShareLock on transaction {xid1}; blocked by process {pid1}.
            HINT:  See server log for query details.
            CONTEXT:  while updating tuple ({f.Random.Number(0, 5_000)},{f.Random.Number(1, 60)}) in relation "task_queue"
            """;
    }

    private static string OutOfMemory(Faker f)
    {
        int width = f.Random.Number(4_000, 12_000), height = f.Random.Number(3_000, 9_000);
        return $"MemoryError: Unable to allocate {width * height * 4 / 1_048_576} MiB for an array with shape ({height}, {width}, 4) and data type uint8";
    }

    private static string MissingTemplateVariable(Faker f)
    {
        var key = f.PickRandom("first_name", "order_number", "reset_url", "unsubscribe_url");
        return $$"""
            Traceback (most recent call last):
              File "/app/orchestra/worker.py", line 142, in run_task
                result = await handler(task.payload)
              File "/app/orchestra/tasks/send_email.py", line 61, in handle
                body = render(template, payload["variables"])
              File "/app/orchestra/mail/templates.py", line 27, in render
                return source.format(**{k: variables[k] for k in placeholders})
            KeyError: '{{key}}'
            """;
    }

    private static string MissingCrmField(Faker f)
    {
        var key = f.PickRandom("email", "owner_id", "lifecycle_stage", "company_id", "amount");
        return $$"""
            Traceback (most recent call last):
              File "/app/orchestra/worker.py", line 142, in run_task
                result = await handler(task.payload)
              File "/app/orchestra/tasks/sync_crm.py", line 88, in handle
                properties = {name: record[name] for name in payload["fields"]}
              File "/app/orchestra/tasks/sync_crm.py", line 88, in <dictcomp>
                properties = {name: record[name] for name in payload["fields"]}
            KeyError: '{{key}}'
            """;
    }

    private static string NullReference(Faker f)
    {
        var jobId = DemoData.Uuid(f);
        return $"""
            System.NullReferenceException: Object reference not set to an instance of an object.
               at Orchestra.Imaging.ResizeHandler.ResizeAsync(ImageJob job, CancellationToken ct) in /src/Orchestra.Imaging/ResizeHandler.cs:line 87
               at Orchestra.Imaging.ResizeHandler.HandleAsync(QueuedTask task, CancellationToken ct) in /src/Orchestra.Imaging/ResizeHandler.cs:line 41
               at Orchestra.Workers.TaskRunner.ExecuteAsync(QueuedTask task) in /src/Orchestra.Workers/TaskRunner.cs:line 131
            --- job {jobId} on worker imaging-{f.Random.Number(1, 4)} ---
            """;
    }
}
