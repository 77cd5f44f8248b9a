using System.Globalization;

namespace Orchestra.Admin.Data.Postgres;

/// <summary>
/// A keyset list's position: the sort column's value and the id of the row at a page's edge. As text (for a URL):
/// the instant's UTC ticks and the id, <c>638712345678901234.3f2a…</c>, exact to the tick (PostgreSQL keeps microseconds).
/// </summary>
public interface IKeysetCursor<TSelf> where TSelf : IKeysetCursor<TSelf>
{
    DateTimeOffset At { get; }
    Guid Id { get; }
    static abstract TSelf Create(DateTimeOffset at, Guid id);
}

public static class KeysetCursor
{
    public static string Format<T>(T cursor) where T : IKeysetCursor<T> =>
        string.Create(CultureInfo.InvariantCulture, $"{cursor.At.UtcTicks}.{cursor.Id:N}");

    /// <summary>Null for text that is not a cursor (a hand-edited URL): the list then starts at its first page.</summary>
    public static T? Parse<T>(string? text) where T : class, IKeysetCursor<T>
    {
        var dot = text?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        return dot > 0
               && long.TryParse(text.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
               && ticks <= DateTimeOffset.MaxValue.UtcTicks
               && Guid.TryParseExact(text.AsSpan(dot + 1), "N", out var id)
            ? T.Create(new DateTimeOffset(ticks, TimeSpan.Zero), id)
            : null;
    }
}
