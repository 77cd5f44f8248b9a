using System.Globalization;
using System.Text.RegularExpressions;
using Dapper;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Features.Documents;

namespace Orchestra.Admin.Features.Tasks;

/// <summary>
/// The one translation of a <see cref="FailedTaskFilter"/> into SQL, shared by the failed list, the error groups, the
/// dry-run count and the requeue: fixed "AND …" lines (<see cref="Fragments"/>) and bound parameters, never text from
/// the input. Bad input is a <see cref="TaskFilterException"/> naming the field, before anything runs.
/// </summary>
public static partial class TaskFilterSql
{
    internal sealed record Built(List<string> Lines, DynamicParameters Parameters);

    internal static class Fragments
    {
        public const string SortKey = "COALESCE(t.completed_at, '-infinity'::timestamptz)";
        public const string TaskType = "  AND t.task_type = @task_type";
        public const string ErrorContains = @"  AND t.error ILIKE @error_pattern ESCAPE '\'";
        public const string PayloadContains = "  AND t.payload @> @payload_contains::jsonb";
        public const string Priority = "  AND COALESCE(t.priority, 0) = @priority";
        public const string Fingerprint = "  AND orchestra_admin.error_fingerprint(t.error) = @fingerprint";
        /// <summary>{0}: &lt; or &gt;.</summary>
        public const string Keyset = "  AND (" + SortKey + ", t.id) {0} (@cursor_at, @cursor_id)";
    }

    /// <summary>Checks the filter and turns it into WHERE lines and parameters.</summary>
    internal static Built Build(FailedTaskFilter? filter)
    {
        var f = filter ?? new FailedTaskFilter();
        var lines = new List<string>();
        var p = new DynamicParameters();
        FilteredQuery.RefuseNul("taskType", "task type", f.TaskType, Invalid);
        FilteredQuery.RefuseNul("errorContains", "error text", f.ErrorContains, Invalid);
        if (!string.IsNullOrWhiteSpace(f.TaskType))
        {
            lines.Add(Fragments.TaskType);
            p.Add("task_type", f.TaskType.Trim());
        }
        if (!string.IsNullOrEmpty(f.ErrorContains))
        {
            lines.Add(Fragments.ErrorContains);
            p.Add("error_pattern", "%" + FilteredQuery.EscapeLike(f.ErrorContains) + "%");
        }
        if (PayloadFilter(f.PayloadContains) is { } payload)
        {
            lines.Add(Fragments.PayloadContains);
            p.Add("payload_contains", payload);
        }
        if (f.Priority is { } priority)
        {
            lines.Add(Fragments.Priority);
            p.Add("priority", priority);
        }
        FilteredQuery.AddRange(lines, p, "created", "t.created_at", f.CreatedFrom, f.CreatedTo, Invalid);
        FilteredQuery.AddRange(lines, p, "failed", "t.completed_at", f.FailedFrom, f.FailedTo, Invalid);
        if (!string.IsNullOrWhiteSpace(f.Fingerprint))
        {
            var fingerprint = f.Fingerprint.Trim().ToLowerInvariant();
            if (!FingerprintShape().IsMatch(fingerprint))
                throw new TaskFilterException("fingerprint", $"A fingerprint is 16 hexadecimal characters, as an error group shows it (is '{f.Fingerprint.Trim()}').");
            lines.Add(Fragments.Fingerprint);
            p.Add("fingerprint", fingerprint);
        }
        return new Built(lines, p);
    }

    /// <summary>The payload filter when it is one JSON object; the error says where it is wrong (line, position).</summary>
    internal static string? PayloadFilter(string? text)
    {
        try
        {
            return DocumentsService.JsonObjectFilter(text, "payloadContains");
        }
        catch (FilterInputException e)
        {
            throw new TaskFilterException("payloadContains", e.Message, e.Position);
        }
    }

    internal static void AddKeyset(Built built, TaskCursor cursor, bool olderThan)
    {
        built.Lines.Add(string.Format(CultureInfo.InvariantCulture, Fragments.Keyset, olderThan ? "<" : ">"));
        built.Parameters.Add("cursor_at", cursor.At.UtcDateTime);
        built.Parameters.Add("cursor_id", cursor.Id);
    }

    /// <summary>A template of sql/tasks with /*filters*/ (and /*direction*/) filled.</summary>
    internal static string Compose(string template, IEnumerable<string> lines, string direction = "DESC") =>
        FilteredQuery.Compose(template, lines, direction: direction);

    private static TaskFilterException Invalid(string field, string message) => new(field, message);
    private static TaskFilterException Invalid(string field, string message, int position) => new(field, message, position);

    [GeneratedRegex("^[0-9a-f]{16}$", RegexOptions.NonBacktracking)]
    private static partial Regex FingerprintShape();

}
