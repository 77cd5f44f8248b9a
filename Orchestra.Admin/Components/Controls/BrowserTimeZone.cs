using Microsoft.JSInterop;

namespace Orchestra.Admin.Components.Controls;

/// <summary>
/// The operator's browser time zone, per circuit. Times are stored in UTC and shown in this zone;
/// until the browser has answered (prerender, first paint) they are shown in UTC, labelled so.
/// </summary>
public sealed class BrowserTimeZone
{
    public TimeZoneInfo? Zone { get; private set; }

    public event Action? Resolved;

    public async Task ResolveAsync(IJSRuntime js)
    {
        if (Zone != null) return;
        var id = await js.InvokeAsync<string?>("orchestraAdmin.timeZone");
        Zone = id != null && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;
        Resolved?.Invoke();
    }

    public string Format(DateTimeOffset value) =>
        Zone is { } zone
            ? TimeZoneInfo.ConvertTime(value, zone).ToString("yyyy-MM-dd HH:mm:ss")
            : value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss") + " UTC";
}
