namespace Orchestra.Admin.Features.Tasks;

/// <summary>
/// Which indexes the stack's task_queue lacks for the workers' dequeue and for these pages, decided from its catalog
/// (sql/tasks/index_catalog.sql). The dashboard never creates them: it shows the statement to run.
/// </summary>
public static class TaskIndexAdvice
{
    internal sealed record IndexRow
    {
        public string Name { get; init; } = "";
        public bool IsValid { get; init; }
        public string Method { get; init; } = "";
        public string? Predicate { get; init; }
        public string[] KeyColumns { get; init; } = [];
        public bool[] Descending { get; init; } = [];
    }

    public static readonly IndexAdvice Dequeue = new(
        "task_queue_dequeue_idx",
        "The workers take work with WHERE status = 'pending' ORDER BY priority DESC, created_at LIMIT 1 FOR UPDATE SKIP LOCKED. " +
        "No index serves that order, so every dequeue reads and sorts all pending tasks (and scans the whole table to find them); " +
        "with this index a dequeue reads the first entry. It also lets the counts by status use an index-only scan.",
        "CREATE INDEX CONCURRENTLY task_queue_dequeue_idx ON task_queue (status, priority DESC, created_at);");

    public static readonly IndexAdvice FailedList = new(
        "task_queue_failed_idx",
        "The failed list pages newest first by failed time (completed_at, NULL as -infinity) and id, and requeueing by filter " +
        "looks up the failed tasks. Without this partial index each page scans the table; with it a page reads its 50 entries " +
        "at any depth. It holds only failed tasks, so it stays small and costs the workers little.",
        "CREATE INDEX CONCURRENTLY task_queue_failed_idx ON task_queue ((COALESCE(completed_at, '-infinity'::timestamptz)) DESC, id DESC) WHERE status = 'failed';");

    public static readonly IndexAdvice Running = new(
        "task_queue_running_idx",
        "Stuck tasks are running tasks started before a threshold. Without an index on started_at for running tasks, finding " +
        "them scans the table; this partial index holds only the running tasks.",
        "CREATE INDEX CONCURRENTLY task_queue_running_idx ON task_queue (started_at) WHERE status = 'running';");

    internal static IReadOnlyList<IndexAdvice> Advise(IReadOnlyList<IndexRow> indexes)
    {
        var usable = indexes.Where(i => i.IsValid && i.Method == "btree").ToList();
        var advice = new List<IndexAdvice>();
        if (!usable.Any(ServesDequeue)) advice.Add(Dequeue);
        if (!usable.Any(ServesFailedList)) advice.Add(FailedList);
        if (!usable.Any(ServesRunning)) advice.Add(Running);
        return advice;
    }

    private static bool Is(IndexRow i, int k, string column) => i.KeyColumns.Length > k && Unquote(i.KeyColumns[k]) == column;
    private static bool Desc(IndexRow i, int k) => i.Descending.Length > k && i.Descending[k];
    private static string Unquote(string column) => column.Trim().Trim('"');
    private static bool PartialOn(IndexRow i, string status) =>
        i.Predicate is { } p && p.Contains("status", StringComparison.Ordinal) && p.Contains($"'{status}'", StringComparison.Ordinal) && !p.Contains(" OR ", StringComparison.OrdinalIgnoreCase);

    /// <summary>(status, priority, created_at) or, partial on pending, (priority, created_at), with priority and created_at in
    /// opposite directions (a backward scan serves DESC/ASC as well as ASC/DESC).</summary>
    private static bool ServesDequeue(IndexRow i)
    {
        if (Is(i, 0, "status") && Is(i, 1, "priority") && Is(i, 2, "created_at")) return Desc(i, 1) != Desc(i, 2);
        if (PartialOn(i, "pending") && Is(i, 0, "priority") && Is(i, 1, "created_at")) return Desc(i, 0) != Desc(i, 1);
        return false;
    }

    /// <summary>Partial on failed, leading with the list's sort key (the COALESCE expression).</summary>
    private static bool ServesFailedList(IndexRow i) =>
        PartialOn(i, "failed") && i.KeyColumns.Length >= 2
        && i.KeyColumns[0].Contains("COALESCE(completed_at", StringComparison.OrdinalIgnoreCase) && Is(i, 1, "id");

    private static bool ServesRunning(IndexRow i) =>
        (PartialOn(i, "running") && Is(i, 0, "started_at")) || (Is(i, 0, "status") && Is(i, 1, "started_at"));
}
