using System.Globalization;
using Orchestra.Admin.Data.Postgres;

namespace Orchestra.Admin.Components.Controls;

/// <summary>
/// Where a keyset-paged list is: the cursor to read after (next page) or before (previous page), and the page
/// number shown. The service's page carries the neighbouring cursors; null means there is no such page.
/// A page that keeps its view in the URL keeps this there too (<see cref="ToQuery"/>, <see cref="FromQuery"/>), so a
/// reload, a shared link or the browser's Back button shows the same page.
/// </summary>
public sealed class KeysetPosition<TCursor> where TCursor : class, IKeysetCursor<TCursor>
{
    public const string AfterParameter = "after";
    public const string BeforeParameter = "before";
    public const string PageParameter = "page";

    public TCursor? After { get; private set; }
    public TCursor? Before { get; private set; }
    public int PageNumber { get; private set; } = 1;

    public void First() => (After, Before, PageNumber) = (null, null, 1);

    /// <returns>False when there is no next page (nothing changes).</returns>
    public bool Next(TCursor? next)
    {
        if (next is null) return false;
        (After, Before, PageNumber) = (next, null, PageNumber + 1);
        return true;
    }

    /// <returns>False when there is no previous page (nothing changes).</returns>
    public bool Previous(TCursor? previous)
    {
        if (previous is null) return false;
        (After, Before, PageNumber) = (null, previous, Math.Max(1, PageNumber - 1));
        return true;
    }

    /// <summary>The position as query parameters; on the first page they are null, which removes them from a URL.</summary>
    public Dictionary<string, object?> ToQuery() => new()
    {
        [AfterParameter] = After is null ? null : KeysetCursor.Format(After),
        [BeforeParameter] = Before is null ? null : KeysetCursor.Format(Before),
        [PageParameter] = After is null && Before is null ? null : PageNumber.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The parameters that put a list back on its first page (for a new filter or order).</summary>
    public static Dictionary<string, object?> FirstPageQuery() => new() { [AfterParameter] = null, [BeforeParameter] = null, [PageParameter] = null };

    /// <summary>The position a URL holds; anything that is not a position (a hand-edited URL) is the first page.</summary>
    public void FromQuery(string? after, string? before, string? page)
    {
        First();
        int? number = int.TryParse(page, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 ? n : null;
        if (KeysetCursor.Parse<TCursor>(after) is { } a) (After, PageNumber) = (a, Math.Max(2, number ?? 2));
        else if (KeysetCursor.Parse<TCursor>(before) is { } b) (Before, PageNumber) = (b, number ?? 1);
    }
}
