using System.Text.Json.Nodes;
using GraphQLParser;
using GraphQLParser.AST;
using Orchestra.Admin.Data.Weaviate;
using Orchestra.Admin.Features.VectorSearch;

namespace Orchestra.Admin.Tests.VectorSearch;

/// <summary>
/// The GraphQL text of a search: exact for each mode, invariant numbers, escaped strings, and every text field
/// either escaped harmlessly or refused — the built query always parses to exactly one Get of one class with the
/// expected arguments.
/// </summary>
public sealed class GraphQLSearchQueryTests
{
    private const string Id = "2f1c6b1e-8d7a-4a8e-9a53-0c1f3e5b7d21";

    internal static readonly WeaviateClass Memory = WeaviateJson.Deserialize<WeaviateClass>("""
        {
          "class": "Memory",
          "vectorizer": "none",
          "vectorIndexConfig": { "distance": "cosine" },
          "properties": [
            { "name": "content", "dataType": ["text"] },
            { "name": "metadata", "dataType": ["text"] },
            { "name": "timestamp", "dataType": ["date"] },
            { "name": "count", "dataType": ["int"] },
            { "name": "weight", "dataType": ["number"] },
            { "name": "pinned", "dataType": ["boolean"] },
            { "name": "tags", "dataType": ["text[]"] },
            { "name": "ranks", "dataType": ["int[]"] },
            { "name": "sourceId", "dataType": ["uuid"] },
            { "name": "secret", "dataType": ["text[]"], "indexFilterable": false, "indexSearchable": false },
            { "name": "place", "dataType": ["geoCoordinates"] },
            { "name": "picture", "dataType": ["blob"] },
            { "name": "author", "dataType": ["Person"] }
          ]
        }
        """)!;

    internal static readonly ClassSearchInfo MemoryInfo = new("Memory", "cosine", 3, Memory.Properties, null);

    private static readonly WeaviateClass Dot = Memory with { Name = "Dotted", VectorIndexConfig = new JsonObject { ["distance"] = "dot" } };
    private static readonly ClassSearchInfo DotInfo = new("Dotted", "dot", 3, Memory.Properties, "class Dotted has no vectorizer (vectors are supplied by the stack)");

    private static string Build(SearchRequest request, WeaviateClass? cls = null, ClassSearchInfo? info = null) =>
        GraphQLSearchQuery.Build(request, cls ?? Memory, info ?? MemoryInfo);

    private static SearchInputException Refused(SearchRequest request, string field, WeaviateClass? cls = null, ClassSearchInfo? info = null)
    {
        var e = Assert.Throws<SearchInputException>(() => Build(request, cls, info));
        Assert.Equal(field, e.Field);
        return e;
    }

    private static SearchRequest Near(string vector = "[0.1, -0.002, 3]") => new() { ClassName = "Memory", VectorText = vector };

    // ------------------------------------------------------------------ the parsed shape

    /// <summary>The query parsed: exactly one operation, one root field Get, one class field; returns the class field.</summary>
    internal static GraphQLField SingleGet(string query, string className = "Memory")
    {
        var document = Parser.Parse(query);
        var operation = Assert.IsAssignableFrom<GraphQLOperationDefinition>(Assert.Single(document.Definitions));
        Assert.Equal(OperationType.Query, operation.Operation);
        var get = Assert.IsAssignableFrom<GraphQLField>(Assert.Single(operation.SelectionSet.Selections));
        Assert.Equal("Get", get.Name.StringValue);
        Assert.Null(get.Arguments);
        var cls = Assert.IsAssignableFrom<GraphQLField>(Assert.Single(get.SelectionSet!.Selections));
        Assert.Equal(className, cls.Name.StringValue);
        Assert.Null(cls.Alias);
        return cls;
    }

    private static List<string> ArgumentNames(GraphQLField field) => field.Arguments?.Items.Select(a => a.Name.StringValue).ToList() ?? [];

    private static GraphQLValue Argument(GraphQLField field, string name) => field.Arguments!.Items.Single(a => a.Name.StringValue == name).Value;

    private static GraphQLValue Field(GraphQLValue value, string name) =>
        Assert.IsAssignableFrom<GraphQLObjectValue>(value).Fields!.Single(f => f.Name.StringValue == name).Value;

    private static List<string> FieldNames(GraphQLValue value) => Assert.IsAssignableFrom<GraphQLObjectValue>(value).Fields!.Select(f => f.Name.StringValue).ToList();

    private static string StringOf(GraphQLValue value) => Assert.IsAssignableFrom<GraphQLStringValue>(value).Value.ToString();

    private static List<string> Selected(GraphQLField cls) =>
        cls.SelectionSet!.Selections.Cast<GraphQLField>().Select(f => f.Name.StringValue).ToList();

    private static List<string> Additional(GraphQLField cls) =>
        cls.SelectionSet!.Selections.Cast<GraphQLField>().Single(f => f.Name.StringValue == "_additional")
            .SelectionSet!.Selections.Cast<GraphQLField>().Select(f => f.Name.StringValue).ToList();

    // ------------------------------------------------------------------ exact text per mode

    [Fact]
    public void NearVector_with_a_distance()
    {
        var query = Build(Near() with { ThresholdKind = ThresholdKind.Distance, Threshold = 0.25 });
        Assert.Equal("{ Get { Memory(nearVector: {vector: [0.1, -0.002, 3], distance: 0.25}, limit: 10) { content metadata _additional { id distance certainty } } } }", query);
    }

    [Fact]
    public void NearVector_with_a_certainty_chosen_properties_and_no_threshold()
    {
        Assert.Equal("{ Get { Memory(nearVector: {vector: [1, 0, 0], certainty: 0.8}, limit: 1000) { content timestamp count _additional { id distance certainty } } } }",
            Build(Near("1 0 0") with { ThresholdKind = ThresholdKind.Certainty, Threshold = 0.8, Limit = 1000, Properties = ["content", "timestamp", "count", "content"] }));
        Assert.Equal("{ Get { Memory(nearVector: {vector: [1, 0, 0]}, limit: 1) { content metadata _additional { id distance certainty } } } }",
            Build(Near("1,0,0") with { Limit = 1 }));
    }

    [Fact]
    public void NearObject()
    {
        var query = Build(new SearchRequest { ClassName = "Memory", Mode = SearchMode.NearObject, ObjectId = " " + Id.ToUpperInvariant() + " ", ThresholdKind = ThresholdKind.Certainty, Threshold = 0.9, Limit = 5, Properties = ["content"] });
        Assert.Equal($"{{ Get {{ Memory(nearObject: {{id: \"{Id}\", certainty: 0.9}}, limit: 5) {{ content _additional {{ id distance certainty }} }} }} }}", query);
        Assert.Contains($"id: \"{Id}\"", Build(new SearchRequest { ClassName = "Memory", Mode = SearchMode.NearObject, ObjectId = Id.Replace("-", "") }));
    }

    [Fact]
    public void NearText_when_the_class_has_a_text_vectorizer()
    {
        var query = Build(new SearchRequest { ClassName = "Memory", Mode = SearchMode.NearText, QueryText = "space telescopes", ThresholdKind = ThresholdKind.Distance, Threshold = 0.4 });
        Assert.Equal("{ Get { Memory(nearText: {concepts: [\"space telescopes\"], distance: 0.4}, limit: 10) { content metadata _additional { id distance certainty } } } }", query);

        var e = Refused(new SearchRequest { ClassName = "Memory", Mode = SearchMode.NearText, QueryText = "x" }, "mode",
            info: MemoryInfo with { NearTextUnavailableReason = "class Memory has no vectorizer (vectors are supplied by the stack)" });
        Assert.Equal("nearText is not available: class Memory has no vectorizer (vectors are supplied by the stack).", e.Message);
    }

    [Fact]
    public void Bm25()
    {
        Assert.Equal("{ Get { Memory(bm25: {query: \"telescope orbit\"}, limit: 3) { content metadata _additional { id score } } } }",
            Build(new SearchRequest { ClassName = "Memory", Mode = SearchMode.Bm25, QueryText = "telescope orbit", Limit = 3 }));
    }

    [Fact]
    public void Hybrid_with_fusion_alpha_and_vector()
    {
        Assert.Equal("{ Get { Memory(hybrid: {query: \"telescope\", alpha: 0.5, fusionType: rankedFusion, vector: [1, 0, 0]}, limit: 10) { content metadata _additional { id score } } } }",
            Build(new SearchRequest { ClassName = "Memory", Mode = SearchMode.Hybrid, QueryText = "telescope", Alpha = 0.5, Fusion = HybridFusion.RankedFusion, VectorText = "[1, 0, 0]" }));
        Assert.Equal("{ Get { Memory(hybrid: {query: \"telescope\", alpha: 0, fusionType: relativeScoreFusion}, limit: 10) { content metadata _additional { id score } } } }",
            Build(new SearchRequest { ClassName = "Memory", Mode = SearchMode.Hybrid, QueryText = "telescope", Alpha = 0 }, info: DotInfo with { ClassName = "Memory", Distance = "cosine" }));
    }

    [Fact]
    public void Hybrid_without_a_vector_on_a_class_without_vectorizer_needs_alpha_0()
    {
        var e = Refused(new SearchRequest { ClassName = "Memory", Mode = SearchMode.Hybrid, QueryText = "telescope", Alpha = 0.75 }, "vector",
            info: MemoryInfo with { NearTextUnavailableReason = "class Memory has no vectorizer (vectors are supplied by the stack)" });
        Assert.Contains("class Memory has no vectorizer", e.Message);
        Assert.Contains("set alpha to 0", e.Message);
    }

    [Fact]
    public void Where_rows_are_typed_by_the_property_and_combined_with_And()
    {
        var query = Build(Near() with
        {
            Properties = ["content"],
            Filters =
            [
                new("count", FilterOperator.GreaterThan, " 5 "),
                new("content", FilterOperator.Like, "tele*"),
                new("weight", FilterOperator.LessThanEqual, "-2.5e-1"),
                new("pinned", FilterOperator.Equal, "TRUE"),
                new("timestamp", FilterOperator.GreaterThanEqual, "2025-01-31T13:00:00.250+01:00"),
                new("timestamp", FilterOperator.LessThan, "2025-02-01t00:00:00z"),
                new("sourceId", FilterOperator.Equal, Id.ToUpperInvariant()),
                new("tags", FilterOperator.ContainsAny, "astronomy, music ,"),
                new("ranks", FilterOperator.ContainsAny, "[1, 2]"),
                new("tags", FilterOperator.Equal, "astronomy"),
            ],
        });
        Assert.Equal(
            "{ Get { Memory(nearVector: {vector: [0.1, -0.002, 3]}, limit: 10, where: {operator: And, operands: [" +
            "{path: [\"count\"], operator: GreaterThan, valueInt: 5}, " +
            "{path: [\"content\"], operator: Like, valueText: \"tele*\"}, " +
            "{path: [\"weight\"], operator: LessThanEqual, valueNumber: -0.25}, " +
            "{path: [\"pinned\"], operator: Equal, valueBoolean: true}, " +
            "{path: [\"timestamp\"], operator: GreaterThanEqual, valueDate: \"2025-01-31T13:00:00.25+01:00\"}, " +
            "{path: [\"timestamp\"], operator: LessThan, valueDate: \"2025-02-01T00:00:00Z\"}, " +
            $"{{path: [\"sourceId\"], operator: Equal, valueText: \"{Id}\"}}, " +
            "{path: [\"tags\"], operator: ContainsAny, valueTextArray: [\"astronomy\", \"music\"]}, " +
            "{path: [\"ranks\"], operator: ContainsAny, valueIntArray: [1, 2]}, " +
            "{path: [\"tags\"], operator: Equal, valueText: \"astronomy\"}" +
            "]}) { content _additional { id distance certainty } } } }", query);

        var single = Build(Near() with { Filters = [new("content", FilterOperator.ContainsAny, "[\"a, b\", \"c\"]")] });
        Assert.Contains("limit: 10, where: {path: [\"content\"], operator: ContainsAny, valueTextArray: [\"a, b\", \"c\"]}) {", single);
        SingleGet(single);
    }

    [Fact]
    public void A_class_with_another_metric_returns_no_certainty_and_refuses_one()
    {
        Assert.Equal("{ Get { Dotted(nearVector: {vector: [1, 2, 3], distance: -5}, limit: 10) { content metadata _additional { id distance } } } }",
            Build(new SearchRequest { ClassName = "Dotted", VectorText = "1 2 3", ThresholdKind = ThresholdKind.Distance, Threshold = -5 }, Dot, DotInfo));

        var e = Refused(new SearchRequest { ClassName = "Dotted", VectorText = "1 2 3", ThresholdKind = ThresholdKind.Certainty, Threshold = 0.5 }, "threshold", Dot, DotInfo);
        Assert.Equal("Certainty exists only for cosine distance; class Dotted uses dot — give a distance instead.", e.Message);

        var unknown = Refused(new SearchRequest { ClassName = "Dotted", VectorText = "1 2 3", ThresholdKind = ThresholdKind.Certainty, Threshold = 0.5 }, "threshold", Dot, DotInfo with { Distance = null });
        Assert.Contains("distance metric is unknown", unknown.Message);
    }

    // ------------------------------------------------------------------ validation

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1001)]
    [InlineData(int.MaxValue)]
    public void The_limit_is_1_to_1000(int limit)
    {
        Assert.Equal($"The limit must be between 1 and 1,000 (it is {limit}).", Refused(Near() with { Limit = limit }, "limit").Message);
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Alpha_is_0_to_1(double alpha)
    {
        var e = Refused(new SearchRequest { ClassName = "Memory", Mode = SearchMode.Hybrid, QueryText = "x", Alpha = alpha }, "alpha");
        Assert.StartsWith("Alpha must be between 0 (keyword only) and 1 (vector only)", e.Message);
    }

    [Theory]
    [InlineData(ThresholdKind.Certainty, -0.1, "Certainty must be between 0 and 1; it is -0.1.")]
    [InlineData(ThresholdKind.Certainty, 1.5, "Certainty must be between 0 and 1; it is 1.5.")]
    [InlineData(ThresholdKind.Certainty, double.NaN, "Certainty must be between 0 and 1; it is NaN.")]
    [InlineData(ThresholdKind.Certainty, null, "Give a minimum certainty between 0 and 1, or choose no threshold.")]
    [InlineData(ThresholdKind.Distance, double.PositiveInfinity, "The distance must be a finite number; it is Infinity.")]
    [InlineData(ThresholdKind.Distance, double.NaN, "The distance must be a finite number; it is NaN.")]
    [InlineData(ThresholdKind.Distance, null, "Give a maximum distance, or choose no threshold.")]
    public void Thresholds_are_checked(ThresholdKind kind, double? value, string message)
    {
        Assert.Equal(message, Refused(Near() with { ThresholdKind = kind, Threshold = value }, "threshold").Message);
    }

    [Fact]
    public void Keyword_searches_take_no_threshold_and_need_query_text()
    {
        Assert.Contains("applies to nearVector, nearObject and nearText only, not to bm25",
            Refused(new SearchRequest { ClassName = "Memory", Mode = SearchMode.Bm25, QueryText = "x", ThresholdKind = ThresholdKind.Distance, Threshold = 1 }, "threshold").Message);
        foreach (var mode in new[] { SearchMode.Bm25, SearchMode.Hybrid, SearchMode.NearText })
        {
            Assert.Equal($"{mode switch { SearchMode.Bm25 => "bm25", SearchMode.Hybrid => "hybrid", _ => "nearText" }} needs query text.",
                Refused(new SearchRequest { ClassName = "Memory", Mode = mode, QueryText = " \n\t" }, "query").Message);
            Assert.Equal("The query text is 10,001 characters long; at most 10,000 are accepted.",
                Refused(new SearchRequest { ClassName = "Memory", Mode = mode, QueryText = new string('a', 10_001), Alpha = 0 }, "query").Message);
        }
        Build(new SearchRequest { ClassName = "Memory", Mode = SearchMode.Bm25, QueryText = new string('a', 10_000) });
    }

    [Fact]
    public void Unknown_or_unusable_names_are_refused_with_what_exists()
    {
        Assert.Equal("There is no class 'Nope' in Weaviate's schema.", Refused(Near() with { ClassName = "Nope" }, "class", cls: null!, info: MemoryInfo).Message);
        Assert.StartsWith("There is no class", Assert.Throws<SearchInputException>(() => GraphQLSearchQuery.Build(Near() with { ClassName = "Nope" }, null, MemoryInfo)).Message);
        Assert.Equal("A class name is required.", Refused(Near() with { ClassName = "" }, "class").Message);

        var property = Refused(Near() with { Properties = ["nope"] }, "properties");
        Assert.StartsWith("Class 'Memory' has no property 'nope' (properties: author, content, count,", property.Message);
        Assert.Contains("needs sub-fields", Refused(Near() with { Properties = ["place"] }, "properties").Message);
        Assert.Contains("needs sub-fields", Refused(Near() with { Properties = ["author"] }, "properties").Message);

        Assert.StartsWith("Filter row 2: class 'Memory' has no property 'nope'",
            Refused(Near() with { Filters = [new("content", FilterOperator.Equal, "x"), new("nope", FilterOperator.Equal, "x")] }, "filter[1]").Message);
        Assert.Equal("Filter row 1: property 'place' is of type geoCoordinates, which cannot be filtered here.",
            Refused(Near() with { Filters = [new("place", FilterOperator.Equal, "x")] }, "filter[0]").Message);
        Assert.Equal("Filter row 1: property 'picture' is of type blob, which cannot be filtered here.",
            Refused(Near() with { Filters = [new("picture", FilterOperator.Equal, "x")] }, "filter[0]").Message);
        Assert.Equal("Filter row 1: property 'secret' is not indexed for filtering (indexFilterable: false).",
            Refused(Near() with { Filters = [new("secret", FilterOperator.Equal, "x")] }, "filter[0]").Message);

    }

    [Theory]
    [InlineData("count", FilterOperator.Like, "x", "Filter row 1: Like does not apply to property 'count' (int); use Equal, NotEqual, GreaterThan, GreaterThanEqual, LessThan, LessThanEqual.")]
    [InlineData("pinned", FilterOperator.GreaterThan, "true", "Filter row 1: GreaterThan does not apply to property 'pinned' (boolean); use Equal, NotEqual.")]
    [InlineData("count", FilterOperator.ContainsAny, "1", "Filter row 1: ContainsAny does not apply to property 'count' (int); use Equal, NotEqual, GreaterThan, GreaterThanEqual, LessThan, LessThanEqual.")]
    [InlineData("content", FilterOperator.GreaterThan, "x", "Filter row 1: GreaterThan does not apply to property 'content' (text); use Equal, NotEqual, Like, ContainsAny.")]
    [InlineData("count", FilterOperator.Equal, "5.5", "Filter row 1: '5.5' is not a whole number (e.g. 42 or -7).")]
    [InlineData("count", FilterOperator.Equal, "99999999999999999999", "Filter row 1: '99999999999999999999' is not a whole number (e.g. 42 or -7).")]
    [InlineData("count", FilterOperator.Equal, "1,000", "Filter row 1: '1,000' is not a whole number (e.g. 42 or -7).")]
    [InlineData("weight", FilterOperator.Equal, "0,5", "Filter row 1: '0,5' is not a number (e.g. 0.5 or -2e-3; a dot is the decimal separator, not a comma).")]
    [InlineData("weight", FilterOperator.Equal, "NaN", "Filter row 1: 'NaN' is not a number (e.g. 0.5 or -2e-3; a dot is the decimal separator).")]
    [InlineData("weight", FilterOperator.Equal, "-Infinity", "Filter row 1: '-Infinity' is not a number (e.g. 0.5 or -2e-3; a dot is the decimal separator).")]
    [InlineData("weight", FilterOperator.Equal, "1e999", "Filter row 1: '1e999' is not a number (e.g. 0.5 or -2e-3; a dot is the decimal separator).")]
    [InlineData("pinned", FilterOperator.Equal, "yes", "Filter row 1: 'yes' is not a boolean: use true or false.")]
    [InlineData("timestamp", FilterOperator.Equal, "2025-01-31", "Filter row 1: '2025-01-31' is not an RFC 3339 date-time: use e.g. 2025-01-31T12:00:00Z or 2025-01-31T13:00:00+01:00.")]
    [InlineData("timestamp", FilterOperator.Equal, "2025-01-31T12:00:00", "Filter row 1: '2025-01-31T12:00:00' is not an RFC 3339 date-time: use e.g. 2025-01-31T12:00:00Z or 2025-01-31T13:00:00+01:00.")]
    [InlineData("timestamp", FilterOperator.Equal, "2025-02-30T12:00:00Z", "Filter row 1: '2025-02-30T12:00:00Z' is not an RFC 3339 date-time: use e.g. 2025-01-31T12:00:00Z or 2025-01-31T13:00:00+01:00.")]
    [InlineData("timestamp", FilterOperator.Equal, "31.01.2025 12:00", "Filter row 1: '31.01.2025 12:00' is not an RFC 3339 date-time: use e.g. 2025-01-31T12:00:00Z or 2025-01-31T13:00:00+01:00.")]
    [InlineData("sourceId", FilterOperator.Equal, "not-a-uuid", "Filter row 1: 'not-a-uuid' is not a UUID (e.g. 2f1c6b1e-8d7a-4a8e-9a53-0c1f3e5b7d21).")]
    [InlineData("content", FilterOperator.Equal, "", "Filter row 1: give a text value.")]
    [InlineData("tags", FilterOperator.ContainsAny, " , ,", "Filter row 1: give at least one value (several separated by commas).")]
    [InlineData("tags", FilterOperator.ContainsAny, "[\"a\", {\"b\": 1}]", "Filter row 1: the values are not a JSON array of strings or numbers; write [\"a\", \"b\"] or a, b.")]
    [InlineData("ranks", FilterOperator.ContainsAny, "1, two", "Filter row 1: 'two' is not a whole number (e.g. 42 or -7).")]
    public void Filter_values_must_fit_the_property(string property, FilterOperator op, string value, string message)
    {
        foreach (var culture in new[] { "en-US", "de-DE" })
        {
            var e = VectorParserTests.InCulture(culture, () => Refused(Near() with { Filters = [new(property, op, value)] }, "filter[0]"));
            Assert.Equal(message, e.Message);
        }
    }

    [Fact]
    public void The_operators_offered_follow_the_data_type()
    {
        FilterOperator[] Ops(string name) => [.. SearchChecks.OperatorsFor(Memory.FindProperty(name)!)];
        Assert.Equal([FilterOperator.Equal, FilterOperator.NotEqual, FilterOperator.Like, FilterOperator.ContainsAny], Ops("content"));
        Assert.Equal([FilterOperator.Equal, FilterOperator.NotEqual, FilterOperator.GreaterThan, FilterOperator.GreaterThanEqual, FilterOperator.LessThan, FilterOperator.LessThanEqual], Ops("timestamp"));
        Assert.Equal([FilterOperator.Equal, FilterOperator.NotEqual, FilterOperator.GreaterThan, FilterOperator.GreaterThanEqual, FilterOperator.LessThan, FilterOperator.LessThanEqual, FilterOperator.ContainsAny], Ops("ranks"));
        Assert.Equal([FilterOperator.Equal, FilterOperator.NotEqual], Ops("pinned"));
        Assert.Empty(Ops("place"));
        Assert.Empty(Ops("secret"));
        Assert.Equal(["content", "metadata"], SearchChecks.DefaultProperties(Memory));
        Assert.Equal(["count"], SearchChecks.DefaultProperties(Memory with { Properties = [Memory.FindProperty("count")!, Memory.FindProperty("place")!] }));
    }

    // ------------------------------------------------------------------ escaping and invariant numbers

    [Fact]
    public void Numbers_are_invariant_under_german_culture()
    {
        var request = new SearchRequest
        {
            ClassName = "Memory", Mode = SearchMode.Hybrid, QueryText = "x", Alpha = 0.25, VectorText = "[0.5, 1.25, -3e-7]",
            Filters = [new("weight", FilterOperator.GreaterThan, "1234.5"), new("count", FilterOperator.LessThan, "-1000000")],
        };
        var de = VectorParserTests.InCulture("de-DE", () => Build(request));
        var en = VectorParserTests.InCulture("en-US", () => Build(request));
        Assert.Equal(en, de);
        Assert.Contains("alpha: 0.25", de);
        Assert.Contains("vector: [0.5, 1.25, -3E-07]", de);
        Assert.Contains("valueNumber: 1234.5", de);
        Assert.Contains("valueInt: -1000000", de);
        Assert.DoesNotMatch(@"\d,\d", de);

        var near = VectorParserTests.InCulture("de-DE", () => Build(Near("0.5 1.5 2.5") with { ThresholdKind = ThresholdKind.Distance, Threshold = 0.125 }));
        Assert.Contains("nearVector: {vector: [0.5, 1.5, 2.5], distance: 0.125}", near);
    }

    [Theory]
    [InlineData("say \"hi\"")]
    [InlineData("back\\slash \\\" \\n")]
    [InlineData("line one\nline two\r\nthree\ttab")]
    [InlineData("Ünïcødé 日本語 emoji 😀 and \u2028 \u2029 \uFEFF")]
    [InlineData("control \u0000 \u0001 \u001f \u007f")]
    [InlineData("\"}, limit: 1000) { content _additional { vector } } } } #")]
    [InlineData("\"\"\" block string \"\"\"")]
    [InlineData("$variable @skip(if: true) ...fragment")]
    public void Query_text_and_filter_values_are_escaped_and_read_back_exactly(string text)
    {
        foreach (var mode in new[] { SearchMode.Bm25, SearchMode.Hybrid, SearchMode.NearText })
        {
            var query = Build(new SearchRequest { ClassName = "Memory", Mode = mode, QueryText = text, Alpha = 0, Filters = [new("content", FilterOperator.Equal, text)] });
            var cls = SingleGet(query);
            var name = mode switch { SearchMode.Bm25 => "bm25", SearchMode.Hybrid => "hybrid", _ => "nearText" };
            Assert.Equal([name, "limit", "where"], ArgumentNames(cls));
            var search = Argument(cls, name);
            var sent = mode == SearchMode.NearText
                ? StringOf(Assert.Single(Assert.IsAssignableFrom<GraphQLListValue>(Field(search, "concepts")).Values!))
                : StringOf(Field(search, "query"));
            Assert.Equal(text, sent);
            Assert.Equal(text, StringOf(Field(Argument(cls, "where"), "valueText")));
            Assert.Equal(["path", "operator", "valueText"], FieldNames(Argument(cls, "where")));
            Assert.Equal(["content", "metadata", "_additional"], Selected(cls));
        }
    }

    [Fact]
    public void A_lone_surrogate_becomes_a_replacement_character()
    {
        var query = Build(new SearchRequest { ClassName = "Memory", Mode = SearchMode.Bm25, QueryText = "a\uD800b" });
        Assert.Equal("a\uFFFDb", StringOf(Field(Argument(SingleGet(query), "bm25"), "query")));
    }

    // ------------------------------------------------------------------ injection in every text field

    public static TheoryData<string, string> ClassNameAttacks => new()
    {
        { "Memory(limit: 1) { content } } Other { x", "class" },
        { "Memory\n", "class" },
        { "Memory ", "class" },
        { "memory", "class" },
        { "Memory#", "class" },
        { "Mem\"ory", "class" },
        { "Memory{", "class" },
        { "__Schema", "class" },
    };

    [Theory]
    [MemberData(nameof(ClassNameAttacks))]
    public void Class_name_attacks_are_refused(string className, string field)
    {
        // Even with a schema class of that (impossible) name, the shape check refuses it first.
        var e = Refused(Near() with { ClassName = className }, field, Memory with { Name = className }, MemoryInfo with { ClassName = className });
        Assert.DoesNotContain("\n", e.Message.TrimEnd());
    }

    public static TheoryData<string> NameAttacks => new()
    {
        "content } _additional { vector",
        "content\"]",
        "content\n",
        "content,metadata",
        "content(limit: 1)",
        "__typename",
        "content #",
        "",
    };

    [Theory]
    [MemberData(nameof(NameAttacks))]
    public void Property_name_attacks_are_refused_in_every_place_a_property_is_named(string name)
    {
        // Even when a (hostile) schema claims such a property exists, the shape check refuses the name.
        var hostile = Memory with { Properties = [.. Memory.Properties, new Property { Name = name, DataType = ["text"] }] };
        var info = MemoryInfo with { Properties = hostile.Properties };
        Refused(Near() with { Properties = [name] }, "properties", hostile, info);
        Refused(Near() with { Properties = ["content"], Filters = [new(name, FilterOperator.Equal, "x")] }, "filter[0]", hostile, info);
        // Nor does it slip in as a default property (a text property of the class).
        Refused(Near(), "properties", hostile, info);
    }

    public static TheoryData<string, string> ValueAttacks => new()
    {
        // property, value typed into the row
        { "count", "5, valueText: \"x\"" },
        { "count", "5}) { content } } }" },
        { "weight", "1.5]}, operands: []" },
        { "pinned", "true, operator: Or" },
        { "timestamp", "2025-01-01T00:00:00Z\", operator: Like, valueText: \"*" },
        { "sourceId", Id + "\"}" },
        { "ranks", "1, 2]}, {path: [\"x\"]" },
    };

    [Theory]
    [MemberData(nameof(ValueAttacks))]
    public void Typed_filter_value_attacks_are_refused(string property, string value)
    {
        var op = property == "ranks" ? FilterOperator.ContainsAny : FilterOperator.Equal;
        var e = Refused(Near() with { Filters = [new(property, op, value)] }, "filter[0]");
        Assert.StartsWith("Filter row 1: ", e.Message);
    }

    [Theory]
    [InlineData("x\"}, {path: [\"secret\"], operator: Like, valueText: \"*")]
    [InlineData("a\", \"b\"], operator: Or")]
    [InlineData("x\"}) { content } } } { Get { Memory { secret } } }")]
    public void Text_filter_value_attacks_stay_one_value(string value)
    {
        var query = Build(Near() with { Filters = [new("content", FilterOperator.Like, value), new("tags", FilterOperator.ContainsAny, "[" + System.Text.Json.JsonSerializer.Serialize(value) + "]")] });
        var cls = SingleGet(query);
        Assert.Equal(["nearVector", "limit", "where"], ArgumentNames(cls));
        var where = Argument(cls, "where");
        Assert.Equal(["operator", "operands"], FieldNames(where));
        var operands = Assert.IsAssignableFrom<GraphQLListValue>(Field(where, "operands")).Values!;
        Assert.Equal(2, operands.Count);
        Assert.Equal(value, StringOf(Field(operands[0], "valueText")));
        Assert.Equal(value, StringOf(Assert.Single(Assert.IsAssignableFrom<GraphQLListValue>(Field(operands[1], "valueTextArray")).Values!)));
    }

    [Theory]
    [InlineData(Id + "\"}) { secret } } } #")]
    [InlineData(Id + "\", distance: 2")]
    [InlineData("\"" + Id + "\"")]
    [InlineData("{" + Id + "}) {")]
    [InlineData("00000000-0000-0000-0000-000000000000\n")] // trailing newline trimmed, accepted; see below
    public void Object_id_attacks_are_refused_or_normalised(string objectId)
    {
        var request = new SearchRequest { ClassName = "Memory", Mode = SearchMode.NearObject, ObjectId = objectId };
        if (Guid.TryParseExact(objectId.Trim(), "D", out var id))
        {
            var cls = SingleGet(Build(request));
            Assert.Equal(id.ToString("D"), StringOf(Field(Argument(cls, "nearObject"), "id")));
            Assert.Equal(["id"], FieldNames(Argument(cls, "nearObject")));
            return;
        }
        Assert.StartsWith("'", Refused(request, "objectId").Message);
    }

    [Theory]
    [InlineData("1, 2], certainty: 0.1}, limit: 1000) {")]
    [InlineData("[1, 2, 3]}) { secret } } } #")]
    [InlineData("1 2 3 \"")]
    [InlineData("1 2 3 $v")]
    [InlineData("[1, 2, 3], distance: 5")]
    public void Vector_attacks_are_refused(string vector)
    {
        Refused(Near(vector), "vector");
        Refused(new SearchRequest { ClassName = "Memory", Mode = SearchMode.Hybrid, QueryText = "x", VectorText = vector }, "vector");
    }

    [Fact]
    public void Every_built_query_has_exactly_the_expected_arguments_and_selection()
    {
        var cases = new (SearchRequest Request, string[] Arguments, string[] SearchFields, string[] Additional)[]
        {
            (Near(), ["nearVector", "limit"], ["vector"], ["id", "distance", "certainty"]),
            (Near() with { ThresholdKind = ThresholdKind.Distance, Threshold = 1, Filters = [new("count", FilterOperator.Equal, "1")] }, ["nearVector", "limit", "where"], ["vector", "distance"], ["id", "distance", "certainty"]),
            (new() { ClassName = "Memory", Mode = SearchMode.NearObject, ObjectId = Id, ThresholdKind = ThresholdKind.Certainty, Threshold = 0.5 }, ["nearObject", "limit"], ["id", "certainty"], ["id", "distance", "certainty"]),
            (new() { ClassName = "Memory", Mode = SearchMode.NearText, QueryText = "x" }, ["nearText", "limit"], ["concepts"], ["id", "distance", "certainty"]),
            (new() { ClassName = "Memory", Mode = SearchMode.Bm25, QueryText = "x" }, ["bm25", "limit"], ["query"], ["id", "score"]),
            (new() { ClassName = "Memory", Mode = SearchMode.Hybrid, QueryText = "x", VectorText = "1 2 3" }, ["hybrid", "limit"], ["query", "alpha", "fusionType", "vector"], ["id", "score"]),
        };
        foreach (var (request, arguments, searchFields, additional) in cases)
        {
            var cls = SingleGet(Build(request));
            Assert.Equal(arguments, ArgumentNames(cls));
            Assert.Equal(searchFields, FieldNames(Argument(cls, arguments[0])));
            Assert.Equal(additional, Additional(cls));
            Assert.IsAssignableFrom<GraphQLIntValue>(Argument(cls, "limit"));
        }
    }
}
