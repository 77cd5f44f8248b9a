using Orchestra.Admin.Features.VectorSearch;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.VectorSearchPage;

public class RecentSearchesTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task A_search_comes_back_as_it_was_typed_newest_first()
    {
        var store = new RecentSearches(db.DataSource);
        var request = new SearchRequest
        {
            ClassName = "Memory",
            Properties = ["content", "metadata"],
            Mode = SearchMode.Hybrid,
            QueryText = "dividend \"q3\"\nüber",
            VectorText = "0.5, -1e-3",
            Alpha = 0.3,
            Fusion = HybridFusion.RankedFusion,
            ThresholdKind = ThresholdKind.Distance,
            Threshold = 0.42,
            Limit = 77,
            Filters = [new FilterRow("importance", FilterOperator.GreaterThan, "3")],
        };

        await store.RememberAsync("rita", new SearchRequest { ClassName = "Memory", VectorText = "[1,2]" });
        await store.RememberAsync("rita", request);
        await store.RememberAsync("someone-else", new SearchRequest { ClassName = "Other" });

        var mine = await store.ListAsync("rita");
        Assert.Equal(2, mine.Count);
        var newest = mine[0].Request;
        Assert.Equal(request with { Properties = [], Filters = [] }, newest with { Properties = [], Filters = [] });
        Assert.Equal(request.Properties, newest.Properties);
        Assert.Equal(request.Filters, newest.Filters);
        Assert.Equal("[1,2]", mine[1].Request.VectorText);
    }

    [Fact]
    public async Task The_same_search_again_moves_to_the_top_instead_of_adding_a_copy()
    {
        var store = new RecentSearches(db.DataSource);
        var repeated = new SearchRequest { ClassName = "Memory", VectorText = "[1,2]", Limit = 5 };
        await store.RememberAsync("ada", repeated);
        await store.RememberAsync("ada", repeated with { Limit = 6 });
        await store.RememberAsync("ada", repeated with { Properties = [] }); // equal by value: a new record, the same search

        var mine = await store.ListAsync("ada");

        Assert.Equal([5, 6], mine.Select(m => m.Request.Limit));
    }

    [Fact]
    public async Task Only_the_newest_are_kept_per_operator()
    {
        var store = new RecentSearches(db.DataSource);
        for (var i = 1; i <= RecentSearches.KeptPerOperator + 5; i++)
            await store.RememberAsync("kim", new SearchRequest { ClassName = "Memory", Limit = i });
        await store.RememberAsync("lea", new SearchRequest { ClassName = "Memory", Limit = 1 });

        var kept = await store.ListAsync("kim");

        Assert.Equal(Enumerable.Range(6, RecentSearches.KeptPerOperator).Reverse(), kept.Select(k => k.Request.Limit));
        Assert.Single(await store.ListAsync("lea"));
    }
}
