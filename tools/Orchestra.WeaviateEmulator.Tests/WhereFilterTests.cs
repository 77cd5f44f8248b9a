namespace Orchestra.WeaviateEmulator.Tests;

/// <summary>
/// GraphQL <c>where</c> operators on Filter_Class (see <see cref="SharedEmulator"/>):
/// 1 "Quick brown fox" A-1 count 1 price 9.5 active 2024-01-01 [red, blue];
/// 2 "Lazy dog sleeps" B-2 count 5 price 20 inactive 2024-06-01 [green];
/// 3 "Brown dog barks at fox" C-3 count 10 price 100.25 active 2025-01-01 [blue, green];
/// 4 "Nothing here" (no code, no tags) count 7 price 0.5 inactive 2023-03-15T12:00+02:00.
/// </summary>
[Collection(SharedEmulatorCollection.Name)]
public sealed class WhereFilterTests(SharedEmulator shared)
{
    private async Task<int[]> Matching(string where)
    {
        var hits = await shared.Client.Get("Filter_Class", $"where: {where}", "_additional { id }");
        return hits.Select(h => Array.FindIndex([1, 2, 3, 4], i => SharedEmulator.FilterId(i).ToString() == h!["_additional"]!["id"]!.GetValue<string>()) + 1)
            .Order().ToArray();
    }

    [Theory]
    // text, word tokenization: Equal means every token of the value is present
    [InlineData("""{path: ["title"], operator: Equal, valueText: "brown"}""", new[] { 1, 3 })]
    [InlineData("""{path: ["title"], operator: Equal, valueText: "Fox BROWN"}""", new[] { 1, 3 })]
    [InlineData("""{path: ["title"], operator: Equal, valueText: "brown dog"}""", new[] { 3 })]
    [InlineData("""{path: ["title"], operator: NotEqual, valueText: "dog"}""", new[] { 1, 4 })]
    [InlineData("""{path: ["title"], operator: Equal, valueString: "lazy"}""", new[] { 2 })]
    // text, field tokenization: the whole value
    [InlineData("""{path: ["code"], operator: Equal, valueText: "A-1"}""", new[] { 1 })]
    [InlineData("""{path: ["code"], operator: Equal, valueText: "A"}""", new int[0])]
    [InlineData("""{path: ["code"], operator: NotEqual, valueText: "A-1"}""", new[] { 2, 3, 4 })]
    // Like: * and ?, per token for word tokenization, whole value for field
    [InlineData("""{path: ["title"], operator: Like, valueText: "bro*"}""", new[] { 1, 3 })]
    [InlineData("""{path: ["title"], operator: Like, valueText: "d?g"}""", new[] { 2, 3 })]
    [InlineData("""{path: ["title"], operator: Like, valueText: "*ee*"}""", new[] { 2 })]
    [InlineData("""{path: ["code"], operator: Like, valueText: "?-1"}""", new[] { 1 })]
    // int, number, boolean, date
    [InlineData("""{path: ["count"], operator: Equal, valueInt: 5}""", new[] { 2 })]
    [InlineData("""{path: ["count"], operator: NotEqual, valueInt: 5}""", new[] { 1, 3, 4 })]
    [InlineData("""{path: ["count"], operator: GreaterThan, valueInt: 5}""", new[] { 3, 4 })]
    [InlineData("""{path: ["count"], operator: GreaterThanEqual, valueInt: 5}""", new[] { 2, 3, 4 })]
    [InlineData("""{path: ["price"], operator: LessThan, valueNumber: 10}""", new[] { 1, 4 })]
    [InlineData("""{path: ["price"], operator: LessThanEqual, valueNumber: 20.0}""", new[] { 1, 2, 4 })]
    [InlineData("""{path: ["active"], operator: Equal, valueBoolean: true}""", new[] { 1, 3 })]
    [InlineData("""{path: ["created"], operator: GreaterThan, valueDate: "2024-03-01T00:00:00Z"}""", new[] { 2, 3 })]
    [InlineData("""{path: ["created"], operator: LessThan, valueDate: "2023-03-15T11:00:00Z"}""", new[] { 4 })]
    // arrays and ContainsAny / ContainsAll
    [InlineData("""{path: ["tags"], operator: ContainsAny, valueText: ["red", "green"]}""", new[] { 1, 2, 3 })]
    [InlineData("""{path: ["tags"], operator: ContainsAll, valueTextArray: ["blue", "green"]}""", new[] { 3 })]
    [InlineData("""{path: ["tags"], operator: Equal, valueText: "blue"}""", new[] { 1, 3 })]
    [InlineData("""{path: ["count"], operator: ContainsAny, valueInt: [1, 7]}""", new[] { 1, 4 })]
    // And / Or, nested
    [InlineData("""{operator: And, operands: [{path: ["count"], operator: GreaterThan, valueInt: 1}, {path: ["active"], operator: Equal, valueBoolean: true}]}""", new[] { 3 })]
    [InlineData("""{operator: Or, operands: [{path: ["code"], operator: Equal, valueText: "A-1"}, {path: ["count"], operator: Equal, valueInt: 7}]}""", new[] { 1, 4 })]
    [InlineData("""{operator: Or, operands: [{operator: And, operands: [{path: ["title"], operator: Equal, valueText: "dog"}, {path: ["active"], operator: Equal, valueBoolean: false}]}, {path: ["price"], operator: LessThan, valueNumber: 1}]}""", new[] { 2, 4 })]
    // special paths
    [InlineData("""{path: ["id"], operator: Equal, valueText: "10000000-0000-0000-0000-000000000003"}""", new[] { 3 })]
    [InlineData("""{path: ["code"], operator: IsNull, valueBoolean: true}""", new[] { 4 })]
    public async Task Operators_select_the_right_objects(string where, int[] expected)
    {
        Assert.Equal(expected, await Matching(where));
    }

    [Fact]
    public async Task A_filter_combines_with_a_vector_search()
    {
        var hits = await shared.Client.Get("Filter_Class",
            """nearVector: {vector: [1, 0]}, where: {path: ["active"], operator: Equal, valueBoolean: false}""", "title");
        Assert.Equal(["Lazy dog sleeps", "Nothing here"], hits.Select(h => h!["title"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_is_a_resolver_error()
    {
        var result = await shared.Client.GraphQL("""{ Get { Filter_Class(where: {path: ["count"], operator: Equal, valueText: "5"}) { title } } }""");
        Assert.Equal("invalid 'where' filter: data type filter cannot use \"valueText\" on type \"int\", use \"valueInt\"", TestHttp.SingleError(result));
        Assert.Null(result["data"]!["Get"]!["Filter_Class"]);
    }

    [Fact]
    public async Task An_unknown_path_is_a_resolver_error()
    {
        var result = await shared.Client.GraphQL("""{ Get { Filter_Class(where: {path: ["nope"], operator: Equal, valueText: "x"}) { title } } }""");
        Assert.StartsWith("invalid 'where' filter: no such prop with name 'nope' found in class 'Filter_Class'", TestHttp.SingleError(result));
    }

    [Fact]
    public async Task An_unknown_operator_is_a_validation_error()
    {
        var result = await shared.Client.GraphQL("""{ Get { Filter_Class(where: {path: ["count"], operator: Between, valueInt: 5}) { title } } }""");
        Assert.Contains("Expected type \"WhereOperatorEnum\", found Between.", TestHttp.SingleError(result));
        Assert.False(result.ContainsKey("data"));
    }
}
