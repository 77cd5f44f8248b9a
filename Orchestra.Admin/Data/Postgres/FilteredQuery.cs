using System.Globalization;
using System.Text.RegularExpressions;
using Dapper;

namespace Orchestra.Admin.Data.Postgres;

/// <summary>
/// The one way a filtered list's statement is built: a <c>sql/</c> template whose markers (<c>/*filters*/</c>,
/// <c>/*sort_key*/</c>, <c>/*direction*/</c>) are filled with fixed fragments from the code, and the operator's values
/// bound as parameters, never put into the text.
/// </summary>
public static partial class FilteredQuery
{
    /// <summary>The template with its comment lines removed and each marker replaced; lines left empty are dropped.</summary>
    public static string Compose(string template, IEnumerable<string> filterLines, string? sortKey = null, string? direction = null)
    {
        var sql = WithoutComments(SqlCatalog.Get(template)).Replace("/*filters*/", string.Join('\n', filterLines), StringComparison.Ordinal);
        if (sortKey != null) sql = sql.Replace("/*sort_key*/", sortKey, StringComparison.Ordinal);
        if (direction != null) sql = sql.Replace("/*direction*/", direction, StringComparison.Ordinal);
        return BlankLine().Replace(sql, "\n");
    }

    public static string WithoutComments(string sql) =>
        string.Join('\n', sql.Split('\n').Where(l => !l.TrimStart().StartsWith("--", StringComparison.Ordinal))).Trim();

    /// <summary>For LIKE/ILIKE … ESCAPE '\': the operator's %, _ and \ match themselves.</summary>
    public static string EscapeLike(string text) =>
        text.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal);

    /// <summary>
    /// PostgreSQL text cannot hold a NUL character (the query would fail as an encoding error), so no row can match a
    /// value with one: it is refused with the feature's own input error, made by <paramref name="invalid"/> (field,
    /// message, 0-based position).
    /// </summary>
    public static void RefuseNul(string field, string label, string? value, Func<string, string, int, Exception> invalid)
    {
        if (value?.IndexOf('\0', StringComparison.Ordinal) is >= 0 and var at)
            throw invalid(field, $"The {label} contains a NUL character (position {at + 1}), which PostgreSQL text cannot hold.", at);
    }

    /// <summary>
    /// A date range on <paramref name="column"/>, either end optional, as <c>@{field}_from</c> / <c>@{field}_to</c>.
    /// A range that starts after it ends is refused with the feature's own input error, made by <paramref name="invalid"/>
    /// (field, message).
    /// </summary>
    public static void AddRange(List<string> lines, DynamicParameters parameters, string field, string column,
        DateTimeOffset? from, DateTimeOffset? to, Func<string, string, Exception> invalid)
    {
        if (from != null && to != null && from > to)
            throw invalid(field, $"The {field} range starts after it ends ({from:u} > {to:u}).");
        if (from != null)
        {
            lines.Add(string.Format(CultureInfo.InvariantCulture, "  AND {0} >= @{1}_from", column, field));
            parameters.Add(field + "_from", from.Value.UtcDateTime);
        }
        if (to != null)
        {
            lines.Add(string.Format(CultureInfo.InvariantCulture, "  AND {0} <= @{1}_to", column, field));
            parameters.Add(field + "_to", to.Value.UtcDateTime);
        }
    }

    [GeneratedRegex(@"\n\s*\n", RegexOptions.NonBacktracking)]
    private static partial Regex BlankLine();
}
