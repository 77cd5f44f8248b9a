namespace Orchestra.Admin.Components.Controls;

/// <summary>
/// Where a keyset-paged list is: the cursor to read after (next page) or before (previous page), and the page
/// number shown. The service's page carries the neighbouring cursors; null means there is no such page.
/// </summary>
public sealed class KeysetPosition<TCursor> where TCursor : class
{
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
}
