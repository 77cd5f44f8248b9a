using Dapper;
using Orchestra.Admin.Features.Documents;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Documents;

/// <summary>Keyset pagination over real data with many ties on the sort time, and NULL times.</summary>
public class DocumentsPagingTests(DocumentsDatabase db) : IClassFixture<DocumentsDatabase>
{
    private DocumentsService Service => new(TestServices.QueryRunner(db));

    /// <summary>
    /// The expected order, computed here rather than by SQL: the sort time (NULL as the earliest) then the id as
    /// PostgreSQL orders uuids (byte by byte, which is the order of their lowercase text).
    /// </summary>
    private async Task<List<Guid>> ExpectedOrderAsync(string collection, DocumentSort sort, bool descending)
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        var rows = await conn.QueryAsync<(Guid Id, DateTime? Created, DateTime? Updated)>(
            "SELECT id, created_at, updated_at FROM documents WHERE collection = @collection", new { collection });
        var ordered = rows
            .OrderBy(r => (sort == DocumentSort.CreatedAt ? r.Created : r.Updated) ?? DateTime.MinValue)
            .ThenBy(r => r.Id.ToString(), StringComparer.Ordinal)
            .Select(r => r.Id)
            .ToList();
        if (descending) ordered.Reverse();
        return ordered;
    }

    private async Task<List<DocumentPage>> ForwardAsync(DocumentPageRequest request)
    {
        var pages = new List<DocumentPage>();
        DocumentCursor? after = null;
        do
        {
            var page = await Service.PageAsync(request with { After = after });
            pages.Add(page);
            after = page.Next;
            Assert.True(pages.Count <= 20, "the walk does not end");
        } while (after != null);
        return pages;
    }

    [Theory]
    [InlineData("paged", DocumentSort.CreatedAt, true, 25, 4)]
    [InlineData("paged", DocumentSort.CreatedAt, false, 25, 4)]
    [InlineData("paged", DocumentSort.UpdatedAt, true, 25, 4)]
    [InlineData("paged", DocumentSort.UpdatedAt, false, 25, 4)]
    [InlineData("paged", DocumentSort.CreatedAt, true, 50, 2)]
    [InlineData("paged", DocumentSort.UpdatedAt, false, 100, 1)]
    [InlineData("nulls", DocumentSort.CreatedAt, true, 25, 2)]
    [InlineData("nulls", DocumentSort.CreatedAt, false, 25, 2)]
    [InlineData("nulls", DocumentSort.UpdatedAt, true, 25, 2)]
    [InlineData("nulls", DocumentSort.UpdatedAt, false, 25, 2)]
    public async Task Forward_visits_every_document_once_in_order_and_backward_from_the_last_page_returns_the_same_pages(
        string collection, DocumentSort sort, bool descending, int pageSize, int expectedPages)
    {
        var expected = await ExpectedOrderAsync(collection, sort, descending);
        var request = new DocumentPageRequest(collection, new DocumentFilter(), sort, descending, pageSize);

        var pages = await ForwardAsync(request);

        Assert.Equal(expectedPages, pages.Count);
        Assert.Equal(expected, pages.SelectMany(p => p.Rows).Select(r => r.Id).ToList());
        Assert.Null(pages[0].Previous);
        Assert.Null(pages[^1].Next);
        Assert.All(pages.SkipLast(1), p => Assert.Equal(pageSize, p.Rows.Count));
        for (var i = 0; i < pages.Count; i++)
        {
            Assert.Equal(i > 0, pages[i].Previous != null);
            Assert.Equal(i < pages.Count - 1, pages[i].Next != null);
            // The cursors are the edge rows' sort time and id.
            if (pages[i].Next is { } next)
            {
                var last = pages[i].Rows[^1];
                Assert.Equal(new DocumentCursor(sort == DocumentSort.CreatedAt ? last.CreatedAt : last.UpdatedAt, last.Id), next);
            }
        }

        // Back from the last page, one Previous at a time: the same pages, in display order.
        var current = pages[^1];
        for (var i = pages.Count - 2; i >= 0; i--)
        {
            var previous = await Service.PageAsync(request with { Before = current.Previous });
            Assert.Equal(pages[i].Rows.Select(r => r.Id), previous.Rows.Select(r => r.Id));
            Assert.Equal(i > 0, previous.Previous != null);
            Assert.NotNull(previous.Next);
            // Next from a page reached backwards leads forward again to the page it came from.
            var again = await Service.PageAsync(request with { After = previous.Next });
            Assert.Equal(current.Rows.Select(r => r.Id), again.Rows.Select(r => r.Id));
            current = previous;
        }
    }

    [Fact]
    public async Task Documents_with_NULL_times_sort_as_the_earliest_and_read_as_MinValue()
    {
        var desc = await ForwardAsync(new DocumentPageRequest("nulls", new DocumentFilter(), DocumentSort.CreatedAt, Descending: true));
        var rows = desc.SelectMany(p => p.Rows).ToList();
        Assert.Equal(30, rows.Count);
        // 10 of 30 have no created_at: the last 10 when newest first (and the second page holds 5 of them).
        Assert.All(rows.TakeLast(10), r => Assert.Equal(DateTimeOffset.MinValue, r.CreatedAt));
        Assert.All(rows.Take(20), r => Assert.NotEqual(DateTimeOffset.MinValue, r.CreatedAt));
        // A cursor at a NULL time (-infinity) still pages: the last page's Previous and the first page's Next are inside the NULL run.
        Assert.Equal(DateTimeOffset.MinValue, desc[1].Previous!.At);

        var asc = await ForwardAsync(new DocumentPageRequest("nulls", new DocumentFilter(), DocumentSort.UpdatedAt, Descending: false, PageSize: 25));
        var ascRows = asc.SelectMany(p => p.Rows).ToList();
        Assert.All(ascRows.Take(6), r => Assert.Equal(DateTimeOffset.MinValue, r.UpdatedAt));
        Assert.Equal(DateTimeOffset.MinValue, ascRows[5].UpdatedAt);
        Assert.NotEqual(DateTimeOffset.MinValue, ascRows[6].UpdatedAt);

        var id = rows[^1].Id;
        var doc = await Service.GetAsync(id);
        Assert.Equal(DateTimeOffset.MinValue, doc!.CreatedAt);
    }

    [Fact]
    public async Task A_cursor_inside_a_run_of_equal_times_skips_exactly_the_rows_already_shown()
    {
        // 20 documents share each created_at: a page of 25 ends inside the second run.
        var first = await Service.PageAsync(new DocumentPageRequest("paged", new DocumentFilter(), PageSize: 25));
        Assert.Equal(first.Rows[20].CreatedAt, first.Rows[24].CreatedAt);
        var second = await Service.PageAsync(new DocumentPageRequest("paged", new DocumentFilter(), PageSize: 25, After: first.Next));
        Assert.Equal(first.Rows[24].CreatedAt, second.Rows[0].CreatedAt);
        Assert.Empty(first.Rows.Select(r => r.Id).Intersect(second.Rows.Select(r => r.Id)));
        Assert.Equal(15, second.Rows.Count(r => r.CreatedAt == first.Rows[24].CreatedAt));
    }

    [Fact]
    public async Task Paging_applies_the_filters_on_every_page()
    {
        // n % 2 = 0 among 100: 50 documents, 2 pages of 25.
        var request = new DocumentPageRequest("paged", new DocumentFilter { JsonPath = "$.n % 2 == 0" }, DocumentSort.UpdatedAt, PageSize: 25, Columns: ["n"]);
        var pages = await ForwardAsync(request);
        Assert.Equal(2, pages.Count);
        var ns = pages.SelectMany(p => p.Rows).Select(r => int.Parse(r.Values[0]!)).ToList();
        Assert.Equal(Enumerable.Range(1, 50).Select(i => i * 2), ns.Order());
    }

    [Fact]
    public async Task A_previous_page_that_comes_back_short_is_replaced_by_the_first_page()
    {
        var request = new DocumentPageRequest("paged", new DocumentFilter(), PageSize: 25);
        var first = await Service.PageAsync(request);
        var second = await Service.PageAsync(request with { After = first.Next });
        // Before the 10th row of page 1: only 9 rows precede it.
        var page = await Service.PageAsync(request with { Before = new DocumentCursor(first.Rows[9].CreatedAt, first.Rows[9].Id) });
        Assert.Equal(first.Rows.Select(r => r.Id), page.Rows.Select(r => r.Id));
        Assert.Null(page.Previous);
        Assert.Equal(first.Next, page.Next);
        Assert.NotEmpty(second.Rows);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(26)]
    [InlineData(1000)]
    public async Task Only_page_sizes_25_50_100_are_accepted(int size)
    {
        var e = await Assert.ThrowsAsync<FilterInputException>(() => Service.PageAsync(new DocumentPageRequest("paged", new DocumentFilter(), PageSize: size)));
        Assert.Equal("pageSize", e.Field);
        Assert.Contains("25, 50 or 100", e.Message);
    }
}
