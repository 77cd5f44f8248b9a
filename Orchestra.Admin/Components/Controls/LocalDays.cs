namespace Orchestra.Admin.Components.Controls;

/// <summary>Date filters are whole days in the operator's time zone; these turn such a day into the instants it spans.</summary>
public static class LocalDays
{
    /// <summary>The day's first instant (00:00 in <paramref name="zone"/>).</summary>
    public static DateTimeOffset? Start(DateTime? day, TimeZoneInfo zone) =>
        day is { } d ? new DateTimeOffset(d.Date, zone.GetUtcOffset(d.Date)) : null;

    /// <summary>The day's last instant: the last microsecond (PostgreSQL's precision) before the next day starts.</summary>
    public static DateTimeOffset? End(DateTime? day, TimeZoneInfo zone) =>
        Start(day?.AddDays(1), zone)?.AddTicks(-10);
}
