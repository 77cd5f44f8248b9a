using System.Globalization;

namespace Orchestra.Admin.Components.Controls;

/// <summary>Durations as an operator reads them: 850 ms, 42 s, 3 min 5 s, 2 h 10 min, 3 d 4 h.</summary>
public static class Durations
{
    public static string Format(double? seconds)
    {
        if (seconds is not { } s) return "–";
        if (s < 1) return ((int)(s * 1000)).ToString(CultureInfo.InvariantCulture) + " ms";
        var t = TimeSpan.FromSeconds(s);
        return t.TotalMinutes < 1 ? $"{(int)t.TotalSeconds} s"
            : t.TotalHours < 1 ? $"{t.Minutes} min {t.Seconds} s"
            : t.TotalDays < 1 ? $"{(int)t.TotalHours} h {t.Minutes} min"
            : $"{(int)t.TotalDays} d {t.Hours} h";
    }
}
