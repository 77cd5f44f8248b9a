using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Npgsql;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.Features.Tasks;

/// <summary>A request body the API refuses: what is wrong and where (a JSON path such as <c>filter.failedAfter</c>).</summary>
public sealed class ApiRequestException(string field, string message, int? position = null) : Exception(message)
{
    public string Field { get; } = field;
    public int? Position { get; } = position;
}

/// <summary>
/// The operator API for scripts: <c>POST /api/tasks/requeue</c> and <c>GET /api/tasks/stats</c>, authenticated only by an
/// Operator API token (<see cref="ApiTokenHandler"/>). The requeue goes through <see cref="ITaskActions"/> as the UI's does
/// (same checks, batches and audit entry, the token's name as the actor). <c>dryRun: true</c> answers the count and a
/// <c>confirmation</c>; <c>dryRun: false</c> with the same request and that confirmation requeues only the tasks the dry
/// run matched (409 when it expired, is another token's or was made for another request).
/// </summary>
public static class TasksApi
{
    public const string RequeuePath = "/api/tasks/requeue";
    public const string StatsPath = "/api/tasks/stats";
    internal const int MaxBodyBytes = 1024 * 1024;

    public static IEndpointRouteBuilder MapTasksApi(this IEndpointRouteBuilder app)
    {
        var policy = new AuthorizationPolicyBuilder(ApiTokenHandler.SchemeName).RequireAuthenticatedUser().RequireRole(AdminRoles.Operator).Build();
        app.MapPost(RequeuePath, RequeueAsync).RequireAuthorization(policy).DisableAntiforgery();
        app.MapGet(StatsPath, StatsAsync).RequireAuthorization(policy);
        return app;
    }

    private static async Task<IResult> RequeueAsync(HttpContext http, ITaskActions actions)
    {
        var ct = http.RequestAborted;
        ApiRequeue parsed;
        try
        {
            var body = await ReadBodyAsync(http, ct);
            parsed = ParseRequeue(body);
        }
        catch (ApiRequestException e)
        {
            return BadRequest(e.Field, e.Message, e.Position);
        }

        var actor = new OperatorIdentity(http.User.Identity?.Name ?? "api", AdminRoles.Operator, http.Connection.RemoteIpAddress);
        try
        {
            if (parsed.DryRun)
            {
                var confirmed = await actions.ConfirmRequeueAsync(actor, parsed.Request, ct);
                return Results.Json(new { matched = confirmed.Matched, confirmation = confirmed.Id, confirmedAt = confirmed.ConfirmedAt, expiresAt = confirmed.ExpiresAt });
            }
            var report = await actions.RequeueAsync(actor, parsed.Request, parsed.Confirmation, ct: ct);
            return Results.Json(new
            {
                matched = report.Matched,
                requeued = report.Requeued,
                skipped = report.Skipped,
                skippedBecause = (report.SkippedBecause ?? RequeueSkips.None).ByName(),
                failed = report.Failed,
                batches = report.Batches,
                cancelled = report.Cancelled,
                confirmation = parsed.Confirmation,
                confirmedAt = report.ConfirmedAt,
                auditId = report.AuditId,
            });
        }
        catch (RequeueConfirmationException e)
        {
            return Results.Json(new { error = e.Message, field = "confirmation" }, statusCode: StatusCodes.Status409Conflict);
        }
        catch (TaskFilterException e)
        {
            return BadRequest(FieldOf(e.Field), e.Message, e.Position);
        }
        catch (OperatorRequiredException e)
        {
            return Results.Json(new { error = e.Message }, statusCode: StatusCodes.Status403Forbidden);
        }
        catch (QueryTimeoutException e)
        {
            return Results.Json(new { error = $"PostgreSQL did not answer within {e.Timeout.TotalSeconds:0} s ({e.QueryName}): narrow the filter or try again." },
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        catch (NpgsqlException e)
        {
            return Results.Json(new { error = $"PostgreSQL: {e.Message}" }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static async Task<IResult> StatsAsync(ITasksService tasks, CancellationToken ct)
    {
        try
        {
            var o = await tasks.OverviewAsync(ct);
            return Results.Json(new
            {
                readAt = o.ReadAt,
                byStatus = o.Counts.GroupBy(c => c.Status).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(c => c.Count)),
                byTaskType = o.Counts.GroupBy(c => c.TaskType).OrderBy(g => g.Key, StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => g.OrderBy(c => c.Status, StringComparer.Ordinal).ToDictionary(c => c.Status, c => c.Count)),
                running = o.Running,
                oldestPendingSeconds = o.OldestPendingAge is { } age ? Math.Round(age.TotalSeconds, 1) : (double?)null,
                failureRateLastHour = o.FailureRateLastHour,
            });
        }
        catch (Exception e) when (e is NpgsqlException or QueryTimeoutException)
        {
            return Results.Json(new { error = $"PostgreSQL: {e.Message}" }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static IResult BadRequest(string field, string message, int? position) =>
        Results.Json(new { error = message, field, position }, statusCode: StatusCodes.Status400BadRequest);

    /// <summary>The request's field for a filter error of the service.</summary>
    internal static string FieldOf(string field) => field switch
    {
        "ids" => "ids",
        "filter" => "filter",
        "failed" => "filter.failedAfter/failedBefore",
        "created" => "filter.createdAfter/createdBefore",
        _ => "filter." + field,
    };

    private static async Task<byte[]> ReadBodyAsync(HttpContext http, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBodyBytes)
                throw new ApiRequestException("body", $"The body is larger than {MaxBodyBytes / 1024} KB: requeue by filter rather than by so many ids.");
        }
        return buffer.ToArray();
    }

    internal sealed record ApiRequeue(RequeueRequest Request, bool DryRun, Guid? Confirmation = null);

    private static readonly string[] TopFields = ["ids", "filter", "all", "dryRun", "priority", "confirmation"];
    private static readonly string[] FilterFields =
        ["taskType", "errorContains", "payloadContains", "failedBefore", "failedAfter", "createdBefore", "createdAfter", "priority", "fingerprint"];

    /// <summary>Reads the requeue body strictly: JSON, known fields of the right types; every refusal names the field.</summary>
    internal static ApiRequeue ParseRequeue(byte[] body)
    {
        if (body.Length == 0)
            throw new ApiRequestException("body", """The body is empty: send JSON such as {"filter": {"taskType": "send_email"}, "dryRun": true}.""");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false, MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new ApiRequestException("body", $"The body is not valid JSON: line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}: {StripPosition(e.Message)}");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new ApiRequestException("body", $"The body must be a JSON object, not {Kind(root)}.");
            Unknown(root, TopFields, "");

            bool? dryRun = null;
            var all = false;
            int? priority = null;
            List<Guid>? ids = null;
            FailedTaskFilter? filter = null;
            Guid? confirmation = null;
            foreach (var p in root.EnumerateObject())
            {
                switch (p.Name)
                {
                    case "dryRun": dryRun = Bool(p.Value, "dryRun"); break;
                    case "all": all = Bool(p.Value, "all"); break;
                    case "priority": priority = Int(p.Value, "priority"); break;
                    case "ids": ids = Ids(p.Value); break;
                    case "filter": filter = Filter(p.Value); break;
                    case "confirmation": confirmation = Confirmation(p.Value); break;
                }
            }
            if (dryRun is not { } isDryRun)
                throw new ApiRequestException("dryRun", "dryRun is required: true to count the matching failed tasks only, false to requeue them.");
            if (ids != null && filter != null)
                throw new ApiRequestException("ids", "Give either ids or filter, not both.");
            if (ids == null && filter == null)
                throw new ApiRequestException("filter", """Give "ids": [...] or "filter": {...}.""");
            if (all && ids != null)
                throw new ApiRequestException("all", "\"all\": true goes with \"filter\": {} (every failed task), not with ids.");
            if (filter is { IsEmpty: false } && all)
                throw new ApiRequestException("all", "\"all\": true is only for the empty filter {}: remove it, or empty the filter to requeue every failed task.");
            if (isDryRun && confirmation != null)
                throw new ApiRequestException("confirmation", "confirmation goes with dryRun: false (the run of what that dry run matched); a dry run makes a new one.");
            return new ApiRequeue(new RequeueRequest(ids, filter, all, priority), isDryRun, confirmation);
        }
    }

    private static FailedTaskFilter Filter(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object)
            throw new ApiRequestException("filter", $"filter must be a JSON object, not {Kind(e)}.");
        Unknown(e, FilterFields, "filter.");
        var f = new FailedTaskFilter();
        foreach (var p in e.EnumerateObject())
        {
            var field = "filter." + p.Name;
            f = p.Name switch
            {
                "taskType" => f with { TaskType = Text(p.Value, field) },
                "errorContains" => f with { ErrorContains = Text(p.Value, field) },
                "fingerprint" => f with { Fingerprint = Text(p.Value, field) },
                "payloadContains" => p.Value.ValueKind == JsonValueKind.Object
                    ? f with { PayloadContains = p.Value.GetRawText() }
                    : throw new ApiRequestException(field, $"{field} must be a JSON object matched by containment, e.g. {{\"customer_id\": 42}}, not {Kind(p.Value)}."),
                "priority" => f with { Priority = Int(p.Value, field) },
                "failedAfter" => f with { FailedFrom = Time(p.Value, field) },
                "failedBefore" => f with { FailedTo = Time(p.Value, field) },
                "createdAfter" => f with { CreatedFrom = Time(p.Value, field) },
                "createdBefore" => f with { CreatedTo = Time(p.Value, field) },
                _ => f,
            };
        }
        return f;
    }

    private static Guid Confirmation(JsonElement e) =>
        e.ValueKind == JsonValueKind.String && Guid.TryParse(e.GetString(), out var id) ? id
        : throw new ApiRequestException("confirmation", $"confirmation must be the \"confirmation\" a dry run answered (a UUID), not {Shorten(e.GetRawText())}.");

    private static List<Guid> Ids(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Array)
            throw new ApiRequestException("ids", $"ids must be an array of task ids (UUIDs), not {Kind(e)}.");
        var ids = new List<Guid>();
        var i = 0;
        foreach (var item in e.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || !Guid.TryParse(item.GetString(), out var id))
                throw new ApiRequestException($"ids[{i}]", $"ids[{i}] is not a task id (a UUID such as 3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a1b): {Shorten(item.GetRawText())}.");
            ids.Add(id);
            i++;
        }
        if (ids.Count == 0) throw new ApiRequestException("ids", "ids is empty: nothing to requeue.");
        return ids;
    }

    private static void Unknown(JsonElement e, string[] known, string prefix)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in e.EnumerateObject())
        {
            if (!known.Contains(p.Name, StringComparer.Ordinal))
                throw new ApiRequestException(prefix + p.Name, $"Unknown field '{prefix}{p.Name}' (known: {string.Join(", ", known.Select(k => prefix + k))}; names are case-sensitive).");
            if (!seen.Add(p.Name))
                throw new ApiRequestException(prefix + p.Name, $"The field '{prefix}{p.Name}' appears twice.");
        }
    }

    private static bool Bool(JsonElement e, string field) => e.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw new ApiRequestException(field, $"{field} must be true or false, not {Kind(e)}."),
    };

    private static int Int(JsonElement e, string field) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var n) ? n
        : throw new ApiRequestException(field, $"{field} must be a whole number (a 32-bit integer), not {Shorten(e.GetRawText())}.");

    private static string? Text(JsonElement e, string field) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Null => null,
        _ => throw new ApiRequestException(field, $"{field} must be a string, not {Kind(e)}."),
    };

    private static DateTimeOffset? Time(JsonElement e, string field)
    {
        if (e.ValueKind == JsonValueKind.Null) return null;
        if (e.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(e.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
            return t;
        throw new ApiRequestException(field, $"{field} must be an ISO 8601 time such as 2026-01-31T12:00:00Z (UTC when no offset is given), not {Shorten(e.GetRawText())}.");
    }

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static string Shorten(string s) => s.Length > 60 ? s[..60] + "…" : s;

    private static string StripPosition(string message)
    {
        var at = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        var path = message.IndexOf(" Path:", StringComparison.Ordinal);
        var cut = new[] { at, path }.Where(i => i >= 0).DefaultIfEmpty(message.Length).Min();
        return message[..cut].Trim();
    }
}
