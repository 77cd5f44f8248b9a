using Orchestra.Admin.Features.VectorSearch;
using Orchestra.Admin.Tests.VectorSearch;

namespace Orchestra.Admin.Tests.BadInput;

/// <summary>
/// The vector search form's text and number inputs fed the same hostile values (its pure parts: no Weaviate needed):
/// each gets a <see cref="SearchInputException"/> naming the field, or a query that still parses to exactly one Get
/// of the chosen class (the value escaped, never read as GraphQL).
/// </summary>
public sealed class VectorSearchBadInputTests
{
    private const string Vector = "[0.1, 0.2, 0.3]";

    private static readonly Dictionary<string, Func<string, SearchRequest>> TextInputs = new()
    {
        ["vector.nearVector"] = v => new SearchRequest { ClassName = "Memory", VectorText = v },
        ["vector.className"] = v => new SearchRequest { ClassName = v, VectorText = Vector },
        ["vector.objectId"] = v => new SearchRequest { ClassName = "Memory", Mode = SearchMode.NearObject, ObjectId = v },
        ["vector.bm25Query"] = v => new SearchRequest { ClassName = "Memory", Mode = SearchMode.Bm25, QueryText = v },
        ["vector.property"] = v => new SearchRequest { ClassName = "Memory", VectorText = Vector, Properties = [v] },
        ["vector.filterText"] = v => new SearchRequest { ClassName = "Memory", VectorText = Vector, Filters = [new FilterRow("content", FilterOperator.Equal, v)] },
        ["vector.filterInt"] = v => new SearchRequest { ClassName = "Memory", VectorText = Vector, Filters = [new FilterRow("count", FilterOperator.GreaterThan, v)] },
        ["vector.filterNumber"] = v => new SearchRequest { ClassName = "Memory", VectorText = Vector, Filters = [new FilterRow("weight", FilterOperator.LessThan, v)] },
        ["vector.filterDate"] = v => new SearchRequest { ClassName = "Memory", VectorText = Vector, Filters = [new FilterRow("timestamp", FilterOperator.Equal, v)] },
        ["vector.filterProperty"] = v => new SearchRequest { ClassName = "Memory", VectorText = Vector, Filters = [new FilterRow(v, FilterOperator.Equal, "x")] },
    };

    public static TheoryData<string, string> TextCases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var input in TextInputs.Keys)
            foreach (var value in HostileValues.All.Keys)
                cases.Add(input, value);
        return cases;
    }

    [Theory]
    [MemberData(nameof(TextCases))]
    public void A_hostile_text_gets_a_clear_error_or_a_query_of_the_one_class(string input, string valueName) =>
        Check(input, TextInputs[input](HostileValues.All[valueName]));

    /// <summary>The vector parser on its own (the page parses the pasted text before anything else).</summary>
    [Theory]
    [MemberData(nameof(ValueNames))]
    public void The_vector_parser_refuses_a_hostile_text_clearly_or_reads_numbers(string valueName)
    {
        try
        {
            var values = VectorParser.Parse(HostileValues.All[valueName]);
            Assert.NotEmpty(values);
            Assert.All(values, v => Assert.True(float.IsFinite(v), $"{valueName}: {v} is not finite"));
        }
        catch (SearchInputException e)
        {
            Assert.Equal(VectorParser.Field, e.Field);
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
        }
    }

    public static TheoryData<string> ValueNames() => new(HostileValues.All.Keys);

    public static TheoryData<string, double> NumberCases()
    {
        var cases = new TheoryData<string, double>();
        foreach (var input in new[] { "alpha", "distance", "certainty", "limit" })
            foreach (var n in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity, -1, 0, int.MaxValue, 1e308 })
                cases.Add(input, n);
        return cases;
    }

    [Theory]
    [MemberData(nameof(NumberCases))]
    public void A_hostile_number_gets_a_clear_error_or_a_query_of_the_one_class(string input, double n) =>
        Check(input, input switch
        {
            "alpha" => new SearchRequest { ClassName = "Memory", Mode = SearchMode.Hybrid, QueryText = "q", VectorText = Vector, Alpha = n },
            "distance" => new SearchRequest { ClassName = "Memory", VectorText = Vector, ThresholdKind = ThresholdKind.Distance, Threshold = n },
            "certainty" => new SearchRequest { ClassName = "Memory", VectorText = Vector, ThresholdKind = ThresholdKind.Certainty, Threshold = n },
            _ => new SearchRequest { ClassName = "Memory", VectorText = Vector, Limit = double.IsFinite(n) && Math.Abs(n) <= int.MaxValue ? (int)n : int.MinValue },
        });

    private static void Check(string input, SearchRequest request)
    {
        string query;
        try
        {
            query = GraphQLSearchQuery.Build(request, GraphQLSearchQueryTests.Memory, GraphQLSearchQueryTests.MemoryInfo);
        }
        catch (SearchInputException e)
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Field), $"{input}: no field");
            Assert.False(string.IsNullOrWhiteSpace(e.Message), $"{input}: no message");
            return;
        }
        catch (Exception e)
        {
            Assert.Fail($"{input}: expected a query or a SearchInputException, got {e.GetType().FullName}: {e.Message}");
            return;
        }
        GraphQLSearchQueryTests.SingleGet(query);
    }
}
