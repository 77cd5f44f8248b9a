using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Orchestra.Admin.Components.Controls;

namespace Orchestra.Admin.Features.Tasks;

/// <summary>The addresses of the task pages, and the failed list's filter as URL query (so a view can be shared).</summary>
public static class TasksLinks
{
    public const string Page = "tasks";

    public static string Task(Guid id) => $"tasks/{id}";

    /// <summary>The Failed tab with this filter's fields in the query.</summary>
    public static string Failed(FailedFilterForm form) =>
        QueryHelpers.AddQueryString(Page, form.ToQuery().Where(p => p.Value != null).Prepend(new("tab", "failed"))!);

    public static string FailedOfType(string taskType) => Failed(new FailedFilterForm { TaskType = taskType });

    public static string FailedOfGroup(string fingerprint) => Failed(new FailedFilterForm { Fingerprint = fingerprint });

    /// <summary>The audit page showing one entry (its id is what the actions report).</summary>
    public static string AuditEntry(long auditId) => $"audit?id={auditId.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>
/// The failed list's filter as typed (and as held in the URL: dates are days in the operator's time zone).
/// <see cref="ToFilter"/> checks what can be checked here and puts the message at the field; the service checks the rest
/// (JSON, with its position) and says so with <see cref="TaskFilterException"/>.
/// </summary>
public sealed class FailedFilterForm
{
    private const string DayFormat = "yyyy-MM-dd";

    public string? TaskType { get; set; }
    public string? ErrorContains { get; set; }
    public string? PayloadContains { get; set; }
    /// <summary>Text, so that a value that is not a whole number can be refused at the field.</summary>
    public string? Priority { get; set; }
    public DateTime? CreatedFrom { get; set; }
    public DateTime? CreatedTo { get; set; }
    public DateTime? FailedFrom { get; set; }
    public DateTime? FailedTo { get; set; }
    public string? Fingerprint { get; set; }

    /// <summary>Field ("taskType", "errorContains", "payloadContains", "priority", "created", "failed", "fingerprint") → message.</summary>
    public Dictionary<string, string> Errors { get; } = [];

    public static FailedFilterForm FromQuery(string query)
    {
        var q = QueryHelpers.ParseQuery(query);
        var form = new FailedFilterForm
        {
            TaskType = Text(q, "type"),
            ErrorContains = Text(q, "error"),
            PayloadContains = Text(q, "payload"),
            Priority = Text(q, "priority"),
            Fingerprint = Text(q, "group"),
        };
        form.CreatedFrom = form.Day(q, "created_from", "created");
        form.CreatedTo = form.Day(q, "created_to", "created");
        form.FailedFrom = form.Day(q, "failed_from", "failed");
        form.FailedTo = form.Day(q, "failed_to", "failed");
        return form;
    }

    public Dictionary<string, string?> ToQuery() => new()
    {
        ["type"] = Blank(TaskType),
        ["error"] = string.IsNullOrEmpty(ErrorContains) ? null : ErrorContains,
        ["payload"] = Blank(PayloadContains),
        ["priority"] = Blank(Priority),
        ["created_from"] = DayText(CreatedFrom),
        ["created_to"] = DayText(CreatedTo),
        ["failed_from"] = DayText(FailedFrom),
        ["failed_to"] = DayText(FailedTo),
        ["group"] = Blank(Fingerprint),
    };

    /// <summary>The filter to run, or null when a field is wrong (its message is in <see cref="Errors"/>; nothing runs).</summary>
    public FailedTaskFilter? ToFilter(TimeZoneInfo zone)
    {
        int? priority = null;
        if (Blank(Priority) is { } p)
        {
            if (int.TryParse(p, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)) priority = value;
            else Errors["priority"] = $"'{p}' is not a whole number: a priority is an integer such as 0, 5 or -1.";
        }
        if (CreatedFrom is { } cf && CreatedTo is { } ct && ct < cf) Errors["created"] = "The end date is before the start date.";
        if (FailedFrom is { } ff && FailedTo is { } ft && ft < ff) Errors["failed"] = "The end date is before the start date.";
        if (Errors.Count > 0) return null;
        return new FailedTaskFilter
        {
            TaskType = Blank(TaskType),
            ErrorContains = string.IsNullOrEmpty(ErrorContains) ? null : ErrorContains,
            PayloadContains = Blank(PayloadContains),
            Priority = priority,
            CreatedFrom = LocalDays.Start(CreatedFrom, zone),
            CreatedTo = LocalDays.End(CreatedTo, zone),
            FailedFrom = LocalDays.Start(FailedFrom, zone),
            FailedTo = LocalDays.End(FailedTo, zone),
            Fingerprint = Blank(Fingerprint),
        };
    }

    public void Clear()
    {
        TaskType = ErrorContains = PayloadContains = Priority = Fingerprint = null;
        CreatedFrom = CreatedTo = FailedFrom = FailedTo = null;
        Errors.Clear();
    }

    private DateTime? Day(Dictionary<string, StringValues> q, string key, string field)
    {
        if (Text(q, key) is not { } text) return null;
        if (DateTime.TryParseExact(text, DayFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)) return day;
        Errors[field] = $"'{text}' in the address is not a date ({DayFormat}).";
        return null;
    }

    private static string? Text(Dictionary<string, StringValues> q, string key) =>
        q.TryGetValue(key, out var v) && !string.IsNullOrEmpty(v.ToString()) ? v.ToString() : null;

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static string? DayText(DateTime? day) => day?.ToString(DayFormat, CultureInfo.InvariantCulture);
}
