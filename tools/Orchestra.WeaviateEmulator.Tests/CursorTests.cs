using System.Text.Json.Nodes;

namespace Orchestra.WeaviateEmulator.Tests;

/// <summary>GET /v1/objects cursor paging and its error rules (ENDPOINTS.md §7).</summary>
[Collection(SharedEmulatorCollection.Name)]
public sealed class CursorTests(SharedEmulator shared)
{
    private readonly HttpClient _client = shared.Client;
    private static OpenApiContract Spec => OpenApiContract.Instance;

    private async Task<JsonObject> Page(string query, int expectedStatus = 200)
    {
        using var response = await _client.GetAsync("v1/objects?" + query);
        Assert.Equal(expectedStatus, (int)response.StatusCode);
        return (await Spec.AssertResponse(response, "/objects", "get"))?.AsObject() ?? [];
    }

    private static string Message(JsonObject error) => error["error"]![0]!["message"]!.GetValue<string>();

    [Fact]
    public async Task Paging_visits_every_object_exactly_once_in_ascending_uuid_order()
    {
        var seen = new List<string>();
        var after = "";
        var pages = 0;
        while (true)
        {
            var page = await Page($"class=Memory&limit=97&after={after}");
            var ids = page["objects"]!.AsArray().Select(o => o!["id"]!.GetValue<string>()).ToList();
            pages++;
            if (ids.Count > 0)
                Assert.Equal(ids.Count, page["totalResults"]!.GetValue<long>());
            seen.AddRange(ids);
            if (ids.Count < 97)
                break;
            after = ids[^1];
        }

        var expected = DemoData.Generate(SharedEmulator.DemoCount).Select(o => o.Id.ToString("D")).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, seen);                      // every object, once, in UUID byte order
        Assert.Equal(SharedEmulator.DemoCount / 97 + 1, pages);
    }

    [Fact]
    public async Task The_cursor_object_itself_is_excluded()
    {
        var first = await Page("class=Cosine_Class&limit=2&after=");
        Assert.Equal([SharedEmulator.ExampleId(1).ToString(), SharedEmulator.ExampleId(2).ToString()],
            first["objects"]!.AsArray().Select(o => o!["id"]!.GetValue<string>()));
        var next = await Page($"class=Cosine_Class&limit=2&after={SharedEmulator.ExampleId(2)}");
        Assert.Equal([SharedEmulator.ExampleId(3).ToString(), SharedEmulator.ExampleId(4).ToString()],
            next["objects"]!.AsArray().Select(o => o!["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task The_page_after_the_last_is_empty_without_totalResults()
    {
        var last = await Page($"class=Cosine_Class&limit=2&after={SharedEmulator.ExampleId(4)}");
        Assert.Empty(last["objects"]!.AsArray());
        Assert.Empty(last["deprecations"]!.AsArray());
        Assert.False(last.ContainsKey("totalResults"));
    }

    [Fact]
    public async Task After_needs_a_limit()
    {
        var error = await Page("class=Memory&after=", 422);
        Assert.Equal("msg:cursor api: invalid 'after' parameter code:400 err:limit parameter must be set", Message(error));
    }

    [Theory]
    [InlineData("offset=5", "offset")]
    [InlineData("sort=timestamp", "sort")]
    [InlineData("offset=1&sort=timestamp", "offset,sort")]
    public async Task After_refuses_offset_and_sort(string extra, string named)
    {
        var error = await Page($"class=Memory&limit=5&after=&{extra}", 422);
        Assert.Equal($"msg:cursor api: invalid 'after' parameter code:400 err:{named} cannot be set with after and limit parameters", Message(error));
    }

    [Fact]
    public async Task After_with_offset_zero_is_fine()
    {
        var page = await Page("class=Memory&limit=5&after=&offset=0");
        Assert.Equal(5, page["objects"]!.AsArray().Count);
    }

    [Fact]
    public async Task After_must_be_a_uuid()
    {
        var error = await Page("class=Memory&limit=5&after=abc", 422);
        Assert.StartsWith("msg:cursor api: invalid 'after' parameter code:400 err:after parameter 'abc' is not a valid uuid", Message(error));
    }

    [Fact]
    public async Task After_without_class_is_a_500()
    {
        var error = await Page("limit=5&after=", 500);
        Assert.Equal("list objects: after parameter not allowed, cursor must be specific to one class, set class query param", Message(error));
    }

    [Fact]
    public async Task An_unknown_class_is_404_with_an_empty_body()
    {
        using var response = await _client.GetAsync("v1/objects?class=NoSuchClass&limit=5&after=");
        Assert.Equal(404, (int)response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Without_limit_the_listing_returns_ten()
    {
        var page = await Page("class=Memory");
        Assert.Equal(10, page["objects"]!.AsArray().Count);
        Assert.Equal(10, page["totalResults"]!.GetValue<long>());
    }

    [Fact]
    public async Task Offset_and_limit_page_through_the_same_order()
    {
        var all = (await Page("class=Memory&limit=20"))["objects"]!.AsArray().Select(o => o!["id"]!.GetValue<string>()).ToList();
        var second = (await Page("class=Memory&limit=10&offset=10"))["objects"]!.AsArray().Select(o => o!["id"]!.GetValue<string>());
        Assert.Equal(all.Skip(10), second);
    }

    [Fact]
    public async Task Offset_plus_limit_beyond_the_maximum_is_a_422()
    {
        var error = await Page("class=Memory&limit=9000&offset=2000", 422);
        Assert.StartsWith("query maximum results exceeded", Message(error));
    }

    [Fact]
    public async Task Sort_orders_by_a_property()
    {
        var page = await Page("class=Filter_Class&sort=count&order=desc");
        Assert.Equal([10L, 7L, 5L, 1L], page["objects"]!.AsArray().Select(o => o!["properties"]!["count"]!.GetValue<long>()));
    }

    [Fact]
    public async Task An_unknown_include_is_a_400()
    {
        var error = await Page("class=Memory&include=everything", 400);
        Assert.Equal("unrecognized property 'everything' in ?include list", Message(error));
    }

    [Fact]
    public async Task Vectors_come_only_with_include_vector()
    {
        var withVector = await Page($"class=Cosine_Class&limit=1&after=&include=vector");
        Assert.Equal([0.7f, 0.3f], withVector["objects"]![0]!["vector"]!.AsArray().Select(x => x!.GetValue<float>()));
        var without = await Page($"class=Cosine_Class&limit=1&after=");
        Assert.False(without["objects"]![0]!.AsObject().ContainsKey("vector"));
    }
}
