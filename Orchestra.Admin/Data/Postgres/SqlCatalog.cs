using System.Collections.Frozen;

namespace Orchestra.Admin.Data.Postgres;

/// <summary>
/// The SQL files under the solution's <c>sql/</c> folder, embedded into this assembly:
/// the single source of every query. Names are paths without the extension,
/// e.g. <c>monitoring/cache/hit_ratio</c> or <c>admin/001_schema</c>.
/// </summary>
public static class SqlCatalog
{
    private static readonly FrozenDictionary<string, string> Files = Load();

    public static string Get(string name) =>
        Files.TryGetValue(name, out var sql) ? sql : throw new KeyNotFoundException($"No SQL file sql/{name}.sql is embedded.");

    /// <summary>The files in one folder (e.g. <c>schema</c>), in file-name order.</summary>
    public static IReadOnlyList<(string Name, string Sql)> Folder(string folder) =>
        Files.Where(f => f.Key.StartsWith(folder + "/", StringComparison.Ordinal))
             .OrderBy(f => f.Key, StringComparer.Ordinal)
             .Select(f => (f.Key, f.Value))
             .ToList();

    public static IEnumerable<string> Names => Files.Keys;

    private static FrozenDictionary<string, string> Load()
    {
        var assembly = typeof(SqlCatalog).Assembly;
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith("sql/", StringComparison.Ordinal) || !resource.EndsWith(".sql", StringComparison.Ordinal))
                continue;
            // MSBuild writes the recursive dir with the OS separator; normalise so names are the same everywhere.
            var name = resource["sql/".Length..^".sql".Length].Replace('\\', '/');
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
            files[name] = reader.ReadToEnd();
        }
        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
