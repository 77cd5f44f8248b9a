using Bogus;

namespace Orchestra.Admin.Features.Demo;

/// <summary>A row of <c>task_queue</c>; <see cref="Payload"/> is JSON.</summary>
public sealed record TaskRow(
    Guid Id, string TaskType, string Payload, string Status, int Priority,
    DateTime CreatedAt, DateTime? StartedAt, DateTime? CompletedAt, string? Error);

/// <summary>
/// A week of a busy queue: mostly completed work, a backlog of pending tasks, a few running
/// (some stuck for hours) and 3 % failed with the errors each kind of task really meets.
/// </summary>
public sealed class TaskGenerator(int seed, DateTime now)
{
    public static readonly string[] TaskTypes =
        ["send_email", "generate_embedding", "webhook_delivery", "resize_image", "sync_crm", "generate_report", "cleanup_expired_sessions"];
    private static readonly float[] TaskTypeWeights = [0.30f, 0.25f, 0.15f, 0.12f, 0.10f, 0.05f, 0.03f];

    public const double FailedShare = 0.03;

    public IEnumerable<TaskRow> Generate(int count)
    {
        var f = DemoData.Faker(seed);
        var statuses = DemoData.Quota(f, count, ("failed", FailedShare), ("pending", 0.08), ("running", 0.005), ("completed", 0.0));
        for (var i = 0; i < count; i++)
        {
            var type = f.Random.WeightedRandom(TaskTypes, TaskTypeWeights);
            var status = statuses[i];
            var priority = f.Random.WeightedRandom([0, 1, 2, 5, 10], [0.70f, 0.10f, 0.08f, 0.07f, 0.05f]);
            DateTime created;
            DateTime? started = null, completed = null;
            string? error = null;
            switch (status)
            {
                case "pending":
                    // Mostly a fresh backlog; a tenth waiting since yesterday (a dead worker pool, a low priority).
                    created = f.Random.Bool(0.9f) ? DemoData.Ago(f, now, TimeSpan.FromHours(2)) : DemoData.Ago(f, now, TimeSpan.FromDays(1));
                    break;
                case "running":
                    started = f.Random.Bool(0.85f)
                        ? DemoData.Ago(f, now, TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(1))
                        : DemoData.Ago(f, now, TimeSpan.FromHours(6), TimeSpan.FromHours(1)); // stuck: its worker died
                    created = started.Value - QueueDelay(f);
                    break;
                default: // completed or failed: work back from when it finished
                    completed = DemoData.Ago(f, now, TimeSpan.FromDays(7), TimeSpan.FromSeconds(5));
                    started = completed.Value - Duration(f, type);
                    created = started.Value - QueueDelay(f);
                    if (status == "failed") error = TaskErrors.For(f, type);
                    break;
            }
            yield return new TaskRow(DemoData.Uuid(f), type, DemoData.ToJson(Payload(f, type)), status, priority, created, started, completed, error);
        }
    }

    private static TimeSpan QueueDelay(Faker f) => TimeSpan.FromMilliseconds(Math.Pow(f.Random.Double(), 3) * 180_000 + f.Random.Number(20, 400));

    private static TimeSpan Duration(Faker f, string type) => TimeSpan.FromMilliseconds(type switch
    {
        "send_email" => f.Random.Number(150, 3_000),
        "generate_embedding" => f.Random.Number(80, 2_500),
        "webhook_delivery" => f.Random.Number(40, 10_000),
        "resize_image" => f.Random.Number(300, 9_000),
        "sync_crm" => f.Random.Number(800, 25_000),
        "generate_report" => f.Random.Number(5_000, 300_000),
        _ => f.Random.Number(1_000, 60_000),
    });

    private object Payload(Faker f, string type) => type switch
    {
        "send_email" => new
        {
            to = f.Internet.Email(),
            template = f.PickRandom("welcome", "password_reset", "order_confirmation", "weekly_digest", "invoice"),
            locale = f.PickRandom("en", "en", "de", "fr", "es"),
            variables = new { first_name = f.Name.FirstName(), order_number = f.Random.Bool() ? $"ORD-{now.Year}-{f.Random.Number(100_000, 999_999)}" : null },
            attempt = f.Random.Number(1, 3),
        },
        "generate_embedding" => new
        {
            document_id = DemoData.Uuid(f),
            collection = f.PickRandom(DocumentGenerator.Collections),
            weaviate_class = "Memory",
            model = f.PickRandom("text-embedding-3-small", "all-MiniLM-L6-v2"),
            chunk_index = f.Random.Number(0, 12),
            text_length = f.Random.Number(40, 8_000),
        },
        "webhook_delivery" => new
        {
            url = $"https://{f.Internet.DomainName()}/webhooks/{f.PickRandom("orders", "orchestra", "events", "incoming")}",
            @event = f.PickRandom("order.created", "order.paid", "user.signed_up", "document.updated", "invoice.failed"),
            payload_id = DemoData.Uuid(f),
            signature = $"sha256={f.Random.Hash(64)}",
            attempt = f.Random.Number(1, 5),
        },
        "resize_image" => new
        {
            source = $"s3://orchestra-uploads/{now:yyyy}/{now:MM}/{DemoData.Uuid(f)}.{f.PickRandom("jpg", "png", "heic", "webp")}",
            sizes = f.Random.ArrayElements(new[] { 64, 128, 256, 512, 1024, 2048 }, f.Random.Number(1, 4)).Order().Select(w => new { width = w, height = w }).ToArray(),
            format = f.PickRandom("webp", "avif", "jpeg"),
            quality = f.Random.Number(60, 95),
        },
        "sync_crm" => new
        {
            crm = f.PickRandom("hubspot", "salesforce", "pipedrive"),
            @object = f.PickRandom("contact", "company", "deal"),
            operation = f.PickRandom("upsert", "upsert", "upsert", "delete"),
            record_id = f.Random.Number(1_000_000, 9_999_999).ToString(),
            fields = f.Random.ArrayElements(new[] { "email", "first_name", "last_name", "phone", "company", "lifecycle_stage", "owner_id" }, f.Random.Number(1, 5)),
        },
        "generate_report" => new
        {
            report = f.PickRandom("monthly_revenue", "active_users", "churn", "task_throughput"),
            period = new { from = now.Date.AddDays(-30), to = now.Date },
            format = f.PickRandom("pdf", "csv", "xlsx"),
            requested_by = f.Internet.Email(),
        },
        _ => new { older_than_hours = f.PickRandom(24, 72, 168), batch_size = f.PickRandom(500, 1_000, 5_000), dry_run = f.Random.Bool(0.1f) },
    };
}
