using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Orchestra.Admin.Data.Postgres;

namespace Orchestra.Admin.Benchmarks;

/// <summary>
/// Keeps the comparison honest: records the statements each side sends (Npgsql's own tracing, the "Npgsql"
/// ActivitySource) and stops the program when the two sides do not run the same ones, or when a monitoring query
/// exists that the page view neither runs nor is known not to run (a new panel, not yet in the benchmark).
/// </summary>
public static partial class StatementParity
{
    /// <summary>The statements (as query names) one call sends, in the order they completed; the runner's SET LOCAL left out.</summary>
    public static async Task<List<string>> RecordAsync(Func<Task> run)
    {
        var statements = new ConcurrentQueue<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if ((activity.GetTagItem("db.query.text") ?? activity.GetTagItem("db.statement")) is string text)
                    statements.Enqueue(text);
            },
        };
        ActivitySource.AddActivityListener(listener);
        await run();
        return statements
            .Where(s => !TimeoutOnly().IsMatch(s))
            .Select(NameOf)
            .ToList();
    }

    /// <summary>Runs every variant once, recording; throws when they differ.</summary>
    public static async Task<IReadOnlyList<string>> VerifyAsync(IReadOnlyList<(string Name, Func<Task> Run)> variants)
    {
        List<string>? reference = null;
        string referenceName = "";
        foreach (var (name, run) in variants)
        {
            var recorded = await RecordAsync(run);
            recorded.Sort(StringComparer.Ordinal);
            if (recorded.Count == 0)
                throw new InvalidOperationException($"{name} sent no statement that Npgsql's tracing saw: the check cannot work (did Npgsql rename its ActivitySource or tags?).");
            if (reference is null)
            {
                (reference, referenceName) = (recorded, name);
                continue;
            }
            if (!recorded.SequenceEqual(reference))
            {
                var onlyReference = reference.Except(recorded).ToList();
                var onlyThis = recorded.Except(reference).ToList();
                throw new InvalidOperationException(
                    $"The sides run different statements: {referenceName} ran {reference.Count}, {name} ran {recorded.Count}. " +
                    $"Only in {referenceName}: [{string.Join(", ", onlyReference)}]; only in {name}: [{string.Join(", ", onlyThis)}]" +
                    " (or the same names a different number of times). Make PostgresPageViews.cs load what the tabs load.");
            }
        }

        if (reference is null) throw new ArgumentException("No variant to verify.", nameof(variants));
        // Every monitoring query is either run by the page view or known not to be on the page.
        var ran = reference.ToHashSet(StringComparer.Ordinal);
        var unaccounted = SqlCatalog.Names
            .Where(n => n.StartsWith("monitoring/", StringComparison.Ordinal))
            .Where(n => !ran.Contains(n) && !PostgresPage.NotOnThePage.ContainsKey(n))
            .Where(n => !(PostgresPage.VersionAlternatives.Contains(n) && PostgresPage.VersionAlternatives.Any(ran.Contains)))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (unaccounted.Count > 0)
            throw new InvalidOperationException(
                $"Monitoring queries that the benchmark's page view does not run: {string.Join(", ", unaccounted)}. If a tab of /postgres loads " +
                "them, add their panel to AppPageView and RawPageView (bench/Orchestra.Admin.Benchmarks/PostgresPageViews.cs); if not, list them in PostgresPage.NotOnThePage.");
        var strays = reference.Where(n => n.StartsWith('(')).Distinct().ToList();
        if (strays.Count > 0)
            throw new InvalidOperationException($"Statements that are no query of sql/monitoring: {string.Join("; ", strays)}");
        return reference;
    }

    private static readonly Lazy<Dictionary<string, string>> ByText = new(() =>
        SqlCatalog.Names.Where(n => n.StartsWith("monitoring/", StringComparison.Ordinal))
            .GroupBy(SqlCatalog.Get, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => string.Join("|", g.Order(StringComparer.Ordinal)), StringComparer.Ordinal));

    /// <summary>The catalog name of a statement text (the statements query has its extension's schema spliced in).</summary>
    private static string NameOf(string text)
    {
        text = TimeoutPrefix().Replace(text, ""); // should the runner send its SET LOCAL in the same command as the query
        if (ByText.Value.TryGetValue(text, out var name)) return name;
        var unqualified = QualifiedStatements().Replace(text, "FROM pg_stat_statements AS s");
        if (ByText.Value.TryGetValue(unqualified, out name)) return name;
        var oneLine = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return "(" + (oneLine.Length > 80 ? oneLine[..80] + "…" : oneLine) + ")";
    }

    [GeneratedRegex(@"\ASET LOCAL statement_timeout = \d+;?\s*\z")]
    private static partial Regex TimeoutOnly();

    [GeneratedRegex(@"\ASET LOCAL statement_timeout = \d+;\s*")]
    private static partial Regex TimeoutPrefix();

    [GeneratedRegex(@"FROM \S+\.pg_stat_statements AS s")]
    private static partial Regex QualifiedStatements();
}
