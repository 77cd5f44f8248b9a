using Orchestra.Admin.Components.Controls;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Features.Sessions;

namespace Orchestra.Admin.Tests.Components;

/// <summary>A keyset list's position to and from the URL: exact to the tick, and anything else is the first page.</summary>
public class KeysetPositionTests
{
    private static readonly SessionCursor Cursor = new(new DateTimeOffset(2026, 11, 26, 15, 4, 5, TimeSpan.Zero).AddTicks(1234560), Guid.NewGuid());

    private static KeysetPosition<SessionCursor> RoundTrip(KeysetPosition<SessionCursor> position)
    {
        var query = position.ToQuery();
        var read = new KeysetPosition<SessionCursor>();
        read.FromQuery((string?)query["after"], (string?)query["before"], (string?)query["page"]);
        return read;
    }

    [Fact]
    public void Next_and_previous_pages_survive_the_url_exactly()
    {
        var position = new KeysetPosition<SessionCursor>();
        position.Next(Cursor);
        position.Next(Cursor with { Id = Guid.NewGuid() });
        var read = RoundTrip(position);
        Assert.Equal(position.After, read.After);
        Assert.Null(read.Before);
        Assert.Equal(3, read.PageNumber);

        position.Previous(Cursor);
        read = RoundTrip(position);
        Assert.Equal(Cursor, read.Before);
        Assert.Null(read.After);
        Assert.Equal(2, read.PageNumber);
    }

    [Fact]
    public void The_first_page_has_no_parameters_and_the_minus_infinity_of_a_null_column_survives()
    {
        Assert.All(new KeysetPosition<SessionCursor>().ToQuery().Values, Assert.Null);
        var minusInfinity = new SessionCursor(DateTimeOffset.MinValue, Guid.NewGuid());
        Assert.Equal(minusInfinity, KeysetCursor.Parse<SessionCursor>(KeysetCursor.Format(minusInfinity)));
    }

    [Theory]
    [InlineData("", null, null)]
    [InlineData("garbage", null, "7")]
    [InlineData("123.not-a-guid", null, null)]
    [InlineData("-5.0123456789abcdef0123456789abcdef", null, null)]
    [InlineData("99999999999999999999.0123456789abcdef0123456789abcdef", null, null)]
    [InlineData("3155378976000000000.0123456789abcdef0123456789abcdef", null, null)] // one tick beyond DateTimeOffset.MaxValue
    [InlineData(null, "1.2", "3")]
    public void A_hand_edited_url_is_the_first_page(string? after, string? before, string? page)
    {
        var position = new KeysetPosition<SessionCursor>();
        position.Next(Cursor);
        position.FromQuery(after, before, page);
        Assert.Null(position.After);
        Assert.Null(position.Before);
        Assert.Equal(1, position.PageNumber);
    }

    [Fact]
    public void A_nonsense_page_number_is_replaced_by_the_smallest_that_fits_the_cursor()
    {
        var position = new KeysetPosition<SessionCursor>();
        position.FromQuery(KeysetCursor.Format(Cursor), null, "0");
        Assert.Equal(2, position.PageNumber);
        position.FromQuery(null, KeysetCursor.Format(Cursor), "abc");
        Assert.Equal(1, position.PageNumber);
    }
}
