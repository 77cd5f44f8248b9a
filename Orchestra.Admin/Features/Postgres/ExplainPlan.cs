using System.Globalization;
using System.Text.Json;

namespace Orchestra.Admin.Features.Postgres;

/// <summary>One node of a plan from <c>EXPLAIN (FORMAT JSON)</c>, with its own share of the cost (or time).</summary>
public sealed record PlanNode
{
    public string NodeType { get; init; } = "";
    /// <summary>Insert / Update / Delete / Merge for a ModifyTable node.</summary>
    public string? Operation { get; init; }
    public string? JoinType { get; init; }
    public string? Strategy { get; init; }
    public string? RelationName { get; init; }
    public string? Schema { get; init; }
    public string? Alias { get; init; }
    public string? IndexName { get; init; }
    /// <summary>Outer, Inner, InitPlan, SubPlan, Member…</summary>
    public string? ParentRelationship { get; init; }
    public double StartupCost { get; init; }
    public double TotalCost { get; init; }
    public double PlanRows { get; init; }
    public int PlanWidth { get; init; }
    /// <summary>Per loop, milliseconds (EXPLAIN ANALYZE only).</summary>
    public double? ActualStartupMs { get; init; }
    public double? ActualTotalMs { get; init; }
    /// <summary>Per loop (EXPLAIN ANALYZE only).</summary>
    public double? ActualRows { get; init; }
    public double? ActualLoops { get; init; }
    /// <summary>Conditions, keys and counters worth reading: "Filter: (…)", "Index Cond: (…)", "Rows Removed by Filter: 10".</summary>
    public IReadOnlyList<string> Details { get; init; } = [];
    public IReadOnlyList<PlanNode> Children { get; init; } = [];
    public int Depth { get; init; }

    /// <summary>The node's cost without its children's (estimated, in the planner's units).</summary>
    public double ExclusiveCost { get; init; }
    /// <summary>0..1 of the whole plan's estimated cost.</summary>
    public double CostShare { get; init; }
    /// <summary>Time spent in this node itself over all loops (EXPLAIN ANALYZE only).</summary>
    public double? ExclusiveMs { get; init; }
    /// <summary>0..1 of the whole execution time (EXPLAIN ANALYZE only).</summary>
    public double? TimeShare { get; init; }
    /// <summary>Takes a large share of the time (ANALYZE) or of the estimated cost: where to look first.</summary>
    public bool IsCostly { get; init; }

    public bool NeverExecuted => ActualLoops == 0;

    /// <summary>"Seq Scan on public.documents d", "Index Scan using documents_pkey on public.documents", "Hash Left Join".</summary>
    public string Title
    {
        get
        {
            var name = NodeType switch
            {
                "ModifyTable" when Operation != null => Operation,
                // As EXPLAIN's text format names them: "Hash Left Join", "Nested Loop Anti Join".
                _ when JoinType is { } join && join != "Inner" => NodeType.EndsWith(" Join", StringComparison.Ordinal)
                    ? NodeType[..^" Join".Length] + " " + join + " Join"
                    : NodeType + " " + join + " Join",
                "Aggregate" => Strategy switch { "Hashed" => "HashAggregate", "Sorted" => "GroupAggregate", "Mixed" => "MixedAggregate", _ => "Aggregate" },
                _ => NodeType,
            };
            if (IndexName != null) name += $" using {IndexName}";
            if (RelationName != null)
            {
                name += " on " + (Schema != null ? $"{Schema}.{RelationName}" : RelationName);
                if (Alias != null && Alias != RelationName) name += " " + Alias;
            }
            return name;
        }
    }

    /// <summary>This node and all below it, depth first (the order EXPLAIN prints them).</summary>
    public IEnumerable<PlanNode> DepthFirst()
    {
        yield return this;
        foreach (var child in Children)
            foreach (var node in child.DepthFirst())
                yield return node;
    }
}

/// <summary>Reads <c>EXPLAIN (FORMAT JSON)</c> output into a tree and marks its costly nodes.</summary>
public static class ExplainPlan
{
    /// <summary>A node whose own cost (or time) is at least this share of the whole is highlighted.</summary>
    public const double CostlyShare = 0.3;

    public sealed record Parsed(PlanNode Root, double? PlanningMs, double? ExecutionMs);

    private static readonly string[] DetailKeys =
    [
        "Index Cond", "Recheck Cond", "Hash Cond", "Merge Cond", "Join Filter", "Filter", "One-Time Filter",
        "Sort Key", "Group Key", "Presorted Key", "Sort Method", "Rows Removed by Filter", "Rows Removed by Join Filter",
        "Rows Removed by Index Recheck", "Heap Fetches", "Workers Planned", "Workers Launched", "CTE Name",
        "Function Name", "Subplan Name", "Shared Hit Blocks", "Shared Read Blocks", "Shared Dirtied Blocks",
        "Shared Written Blocks", "Temp Read Blocks", "Temp Written Blocks",
    ];

    public static Parsed Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var top = doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement[0] : doc.RootElement;
        var raw = Read(top.GetProperty("Plan"), 0);
        var analyzed = raw.ActualTotalMs != null;
        var rootCost = raw.TotalCost;
        var rootTime = analyzed ? Inclusive(raw) : 0;
        var root = Measure(raw, rootCost, rootTime);
        return new Parsed(root, Number(top, "Planning Time"), Number(top, "Execution Time"));
    }

    private static PlanNode Read(JsonElement e, int depth)
    {
        var children = e.TryGetProperty("Plans", out var plans)
            ? plans.EnumerateArray().Select(p => Read(p, depth + 1)).ToList()
            : [];
        return new PlanNode
        {
            NodeType = Text(e, "Node Type") ?? "?",
            Operation = Text(e, "Operation"),
            JoinType = Text(e, "Join Type"),
            Strategy = Text(e, "Strategy"),
            RelationName = Text(e, "Relation Name"),
            Schema = Text(e, "Schema"),
            Alias = Text(e, "Alias"),
            IndexName = Text(e, "Index Name"),
            ParentRelationship = Text(e, "Parent Relationship"),
            StartupCost = Number(e, "Startup Cost") ?? 0,
            TotalCost = Number(e, "Total Cost") ?? 0,
            PlanRows = Number(e, "Plan Rows") ?? 0,
            PlanWidth = (int)(Number(e, "Plan Width") ?? 0),
            ActualStartupMs = Number(e, "Actual Startup Time"),
            ActualTotalMs = Number(e, "Actual Total Time"),
            ActualRows = Number(e, "Actual Rows"),
            ActualLoops = Number(e, "Actual Loops"),
            Details = DetailKeys.Where(k => e.TryGetProperty(k, out _)).Select(k => $"{k}: {Text(e, k)}").ToList(),
            Children = children,
            Depth = depth,
        };
    }

    // Exclusive = the node's own total minus its children's totals (clamped: loops and parallel workers make
    // the estimate rough). With ANALYZE, times are per loop: multiply by the loops first.
    private static PlanNode Measure(PlanNode node, double rootCost, double rootTime)
    {
        var children = node.Children.Select(c => Measure(c, rootCost, rootTime)).ToList();
        var exclusiveCost = Math.Max(0, node.TotalCost - node.Children.Sum(c => c.TotalCost));
        var costShare = rootCost > 0 ? Math.Min(1, exclusiveCost / rootCost) : 0;
        double? exclusiveMs = null, timeShare = null;
        if (node.ActualTotalMs != null)
        {
            exclusiveMs = Math.Max(0, Inclusive(node) - node.Children.Sum(Inclusive));
            timeShare = rootTime > 0 ? Math.Min(1, exclusiveMs.Value / rootTime) : 0;
        }
        return node with
        {
            Children = children,
            ExclusiveCost = exclusiveCost,
            CostShare = costShare,
            ExclusiveMs = exclusiveMs,
            TimeShare = timeShare,
            IsCostly = (timeShare ?? costShare) >= CostlyShare,
        };
    }

    private static double Inclusive(PlanNode node) => (node.ActualTotalMs ?? 0) * (node.ActualLoops ?? 1);

    private static string? Text(JsonElement e, string key) =>
        !e.TryGetProperty(key, out var v) ? null : v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Array => string.Join(", ", v.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString() : x.GetRawText())),
            JsonValueKind.Null => null,
            _ => v.GetRawText(),
        };

    private static double? Number(JsonElement e, string key) =>
        e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble()
        : e.TryGetProperty(key, out v) && v.ValueKind == JsonValueKind.String
          && double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d
        : null;
}
