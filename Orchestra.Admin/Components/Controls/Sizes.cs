using System.Globalization;

namespace Orchestra.Admin.Components.Controls;

/// <summary>Byte counts as people read them (1024-based, as PostgreSQL's pg_size_pretty).</summary>
public static class Sizes
{
    private static readonly string[] Units = ["bytes", "kB", "MB", "GB", "TB", "PB"];

    public static string Format(long bytes)
    {
        if (bytes < 1024) return $"{bytes} bytes";
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < Units.Length - 1) { value /= 1024; unit++; }
        return value.ToString(value < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) + " " + Units[unit];
    }
}
