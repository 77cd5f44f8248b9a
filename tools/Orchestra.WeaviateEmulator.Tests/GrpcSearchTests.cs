using System.Globalization;
using System.Text.Json.Nodes;
using Grpc.Core;
using Weaviate.V1;

namespace Orchestra.WeaviateEmulator.Tests;

/// <summary>
/// weaviate.v1.Weaviate/Search, /Aggregate and /TenantsGet through a real gRPC client, each compared with what
/// GraphQL answers for the same search on the same emulator (ids, order, distances and scores to 1e-6).
/// </summary>
[Collection(SharedEmulatorCollection.Name)]
public sealed class GrpcSearchTests(SharedEmulator shared) : IDisposable
{
    private readonly HttpClient _http = shared.Client;
    private readonly TestGrpc _grpc = new(shared.Emulator);

    public void Dispose() => _grpc.Dispose();

    private static string Literal(float[] vector) => "[" + string.Join(", ", vector.Select(x => x.ToString("R", CultureInfo.InvariantCulture))) + "]";

    private static List<string> Ids(SearchReply reply) => reply.Results.Select(r => r.Metadata.Id).ToList();

    private static List<string> Ids(JsonArray hits) => hits.Select(h => h!["_additional"]!["id"]!.GetValue<string>()).ToList();

    // ------------------------------------------------------------------ nearVector, nearObject

    public static TheoryData<string> VectorForms => ["vectors", "vector_bytes", "repeated float"];

    [Theory]
    [MemberData(nameof(VectorForms))]
    public async Task NearVector_in_every_vector_form_matches_GraphQL(string form)
    {
        var query = DemoData.TopicVector("astronomy");
        var nearVector = new NearVector();
#pragma warning disable CS0612 // the older forms are what the test sends on purpose
        switch (form)
        {
            case "vectors":
                nearVector.Vectors.Add(new Vectors { Type = Vectors.Types.VectorType.SingleFp32, VectorBytes = TestGrpc.Bytes(query) });
                break;
            case "vector_bytes":
                nearVector.VectorBytes = TestGrpc.Bytes(query);
                break;
            default:
                nearVector.Vector.Add(query);
                break;
        }
#pragma warning restore CS0612
        var request = TestGrpc.Request(DemoData.ClassName, 25, m => { m.Distance = true; m.Certainty = true; });
        request.NearVector = nearVector;

        var reply = await _grpc.Search(request);
        var graphql = await _http.Get(DemoData.ClassName, $"nearVector: {{vector: {Literal(query)}}}, limit: 25", "_additional { id distance certainty }");

        Assert.Equal(25, reply.Results.Count);
        Assert.Equal(Ids(graphql), Ids(reply));
        for (var i = 0; i < graphql.Count; i++)
        {
            var metadata = reply.Results[i].Metadata;
            Assert.True(metadata.DistancePresent && metadata.CertaintyPresent);
            Assert.Equal(graphql[i]!["_additional"]!["distance"]!.GetValue<double>(), metadata.Distance, 1e-6);
            Assert.Equal(graphql[i]!["_additional"]!["certainty"]!.GetValue<double>(), metadata.Certainty, 1e-6);
            Assert.Equal(1 - metadata.Distance / 2, metadata.Certainty, 1e-6);
        }
    }

    [Fact]
    public async Task NearVector_distance_and_certainty_thresholds_match_GraphQL()
    {
        var query = DemoData.TopicVector("cooking");
        var byDistance = TestGrpc.Request(DemoData.ClassName, 500, m => m.Distance = true);
        byDistance.NearVector = new NearVector { Distance = 0.5 };
        byDistance.NearVector.Vectors.Add(new Vectors { VectorBytes = TestGrpc.Bytes(query) });
        var byCertainty = TestGrpc.Request(DemoData.ClassName, 500);
        byCertainty.NearVector = new NearVector { Certainty = 0.75 };
        byCertainty.NearVector.Vectors.Add(new Vectors { VectorBytes = TestGrpc.Bytes(query) });

        var grpcDistance = await _grpc.Search(byDistance);
        var grpcCertainty = await _grpc.Search(byCertainty);
        var gqlDistance = await _http.Get(DemoData.ClassName, $"nearVector: {{vector: {Literal(query)}, distance: 0.5}}, limit: 500", "_additional { id }");
        var gqlCertainty = await _http.Get(DemoData.ClassName, $"nearVector: {{vector: {Literal(query)}, certainty: 0.75}}, limit: 500", "_additional { id }");

        Assert.NotEmpty(grpcDistance.Results);
        Assert.True(grpcDistance.Results.Count < 500, "the threshold cut the results");
        Assert.All(grpcDistance.Results, r => Assert.True(r.Metadata.Distance <= 0.5));
        Assert.Equal(Ids(gqlDistance), Ids(grpcDistance));
        Assert.Equal(Ids(gqlCertainty), Ids(grpcCertainty));
    }

    [Fact]
    public async Task NearObject_matches_GraphQL_and_needs_an_id()
    {
        var id = DemoData.Generate(1).Single().Id.ToString();
        var request = TestGrpc.Request(DemoData.ClassName, 10, m => m.Distance = true);
        request.NearObject = new NearObject { Id = id };

        var reply = await _grpc.Search(request);
        var graphql = await _http.Get(DemoData.ClassName, $"nearObject: {{id: \"{id}\"}}, limit: 10", "_additional { id distance }");

        Assert.Equal(id, reply.Results[0].Metadata.Id);
        Assert.Equal(0, reply.Results[0].Metadata.Distance, 1e-6);
        Assert.Equal(Ids(graphql), Ids(reply));
        Assert.Equal(graphql.Select(h => h!["_additional"]!["distance"]!.GetValue<double>()), reply.Results.Select(r => (double)r.Metadata.Distance),
            new ToleranceComparer(1e-6));

        var noId = TestGrpc.Request(DemoData.ClassName);
        noId.NearObject = new NearObject();
        var error = await TestGrpc.Fails(() => _grpc.Search(noId));
        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.Equal("near_object: id is required", error.Status.Detail);
    }

    // ------------------------------------------------------------------ bm25, hybrid

    [Fact]
    public async Task Bm25_matches_GraphQL_ids_order_and_scores()
    {
        var request = TestGrpc.Request(DemoData.ClassName, 20, m => { m.Score = true; m.ExplainScore = true; });
        request.Bm25Search = new BM25 { Query = "telescope galaxy" };

        var reply = await _grpc.Search(request);
        var graphql = await _http.Get(DemoData.ClassName, "bm25: {query: \"telescope galaxy\"}, limit: 20", "_additional { id score }");

        Assert.Equal(20, reply.Results.Count);
        Assert.Equal(Ids(graphql), Ids(reply));
        for (var i = 0; i < graphql.Count; i++)
        {
            Assert.True(reply.Results[i].Metadata.ScorePresent);
            Assert.Equal(double.Parse(graphql[i]!["_additional"]!["score"]!.GetValue<string>(), CultureInfo.InvariantCulture),
                reply.Results[i].Metadata.Score, 1e-6);
            Assert.Contains("BM25F_", reply.Results[i].Metadata.ExplainScore);
            Assert.False(reply.Results[i].Metadata.DistancePresent);
        }
    }

    [Theory]
    [InlineData(Hybrid.Types.FusionType.RelativeScore, "relativeScoreFusion")]
    [InlineData(Hybrid.Types.FusionType.Ranked, "rankedFusion")]
    public async Task Hybrid_matches_GraphQL_for_both_fusions(Hybrid.Types.FusionType fusion, string graphqlFusion)
    {
        var vector = DemoData.TopicVector("music");
        var request = TestGrpc.Request(DemoData.ClassName, 15, m => m.Score = true);
#pragma warning disable CS0612 // alpha as weaviate-client 3.14.0 sends it
        request.HybridSearch = new Hybrid { Query = "guitar concert", Alpha = 0.4f, FusionType = fusion };
#pragma warning restore CS0612
        request.HybridSearch.Vectors.Add(new Vectors { Type = Vectors.Types.VectorType.SingleFp32, VectorBytes = TestGrpc.Bytes(vector) });

        var reply = await _grpc.Search(request);
        var graphql = await _http.Get(DemoData.ClassName,
            $"hybrid: {{query: \"guitar concert\", alpha: 0.4, vector: {Literal(vector)}, fusionType: {graphqlFusion}}}, limit: 15", "_additional { id score }");

        Assert.Equal(15, reply.Results.Count);
        Assert.Equal(Ids(graphql), Ids(reply));
        Assert.Equal(graphql.Select(h => double.Parse(h!["_additional"]!["score"]!.GetValue<string>(), CultureInfo.InvariantCulture)),
            reply.Results.Select(r => (double)r.Metadata.Score), new ToleranceComparer(1e-6));
    }

    // ------------------------------------------------------------------ filters

    public static TheoryData<string, string> FilterCases => new()
    {
        // name of the gRPC filter below, the same filter as a GraphQL where
        { "like", "{path: [\"title\"], operator: Like, valueText: \"bro*\"}" },
        { "greater than (int sent for a number property)", "{path: [\"price\"], operator: GreaterThan, valueNumber: 9}" },
        { "date as text", "{path: [\"created\"], operator: GreaterThanEqual, valueDate: \"2024-06-01T00:00:00Z\"}" },
        { "and", "{operator: And, operands: [{path: [\"active\"], operator: Equal, valueBoolean: true}, {path: [\"count\"], operator: LessThan, valueInt: 5}]}" },
        { "or", "{operator: Or, operands: [{path: [\"tags\"], operator: ContainsAny, valueTextArray: [\"green\"]}, {path: [\"title\"], operator: Equal, valueText: \"nothing\"}]}" },
        { "not", "{operator: Not, operands: [{path: [\"code\"], operator: Equal, valueText: \"A-1\"}]}" },
    };

    private static Filters GrpcFilter(string name) => name switch
    {
        "like" => new Filters { Operator = Filters.Types.Operator.Like, Target = new FilterTarget { Property = "title" }, ValueText = "bro*" },
        "greater than (int sent for a number property)" =>
            new Filters { Operator = Filters.Types.Operator.GreaterThan, Target = new FilterTarget { Property = "price" }, ValueInt = 9 },
        "date as text" => new Filters
        {
            Operator = Filters.Types.Operator.GreaterThanEqual, Target = new FilterTarget { Property = "created" }, ValueText = "2024-06-01T00:00:00Z",
        },
        "and" => new Filters
        {
            Operator = Filters.Types.Operator.And,
            Filters_ =
            {
                new Filters { Operator = Filters.Types.Operator.Equal, Target = new FilterTarget { Property = "active" }, ValueBoolean = true },
                new Filters { Operator = Filters.Types.Operator.LessThan, Target = new FilterTarget { Property = "count" }, ValueInt = 5 },
            },
        },
        "or" => new Filters
        {
            Operator = Filters.Types.Operator.Or,
            Filters_ =
            {
                new Filters
                {
                    Operator = Filters.Types.Operator.ContainsAny, Target = new FilterTarget { Property = "tags" },
                    ValueTextArray = new TextArray { Values = { "green" } },
                },
                new Filters { Operator = Filters.Types.Operator.Equal, Target = new FilterTarget { Property = "title" }, ValueText = "nothing" },
            },
        },
        "not" => new Filters
        {
            Operator = Filters.Types.Operator.Not,
            Filters_ = { new Filters { Operator = Filters.Types.Operator.Equal, Target = new FilterTarget { Property = "code" }, ValueText = "A-1" } },
        },
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(FilterCases))]
    public async Task Filters_select_what_GraphQL_where_selects(string name, string where)
    {
        var request = TestGrpc.Request("Filter_Class", 100);
        request.Filters = GrpcFilter(name);

        var reply = await _grpc.Search(request);
        var graphql = await _http.Get("Filter_Class", $"where: {where}, limit: 100", "_additional { id }");

        Assert.NotEmpty(graphql);
        Assert.True(graphql.Count < 4, "the filter leaves some objects out");
        Assert.Equal(Ids(graphql).Order(), Ids(reply).Order());
    }

    [Fact]
    public async Task A_filter_on_an_unknown_property_fails_with_weaviates_words()
    {
        var request = TestGrpc.Request("Filter_Class");
        request.Filters = new Filters { Operator = Filters.Types.Operator.Equal, Target = new FilterTarget { Property = "colour" }, ValueText = "red" };

        var error = await TestGrpc.Fails(() => _grpc.Search(request));

        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.Contains("no such prop with name 'colour' found in class 'Filter_Class'", error.Status.Detail);
    }

    // ------------------------------------------------------------------ properties and metadata

    [Fact]
    public async Task Every_property_comes_back_typed_and_a_selection_only_what_it_names()
    {
        var id = SharedEmulator.FilterId(1).ToString();
        var all = TestGrpc.Request("Filter_Class", 1, m => { m.CreationTimeUnix = true; m.LastUpdateTimeUnix = true; });
        all.Filters = new Filters { Operator = Filters.Types.Operator.Equal, Target = new FilterTarget { Property = "_id" }, ValueText = id };
        var fields = (await _grpc.Search(all)).Results.Single().Properties.NonRefProps.Fields;

        Assert.Equal("Quick brown fox", fields["title"].TextValue);
        Assert.Equal("A-1", fields["code"].TextValue);
        Assert.Equal(1, fields["count"].IntValue);
        Assert.Equal(9.5, fields["price"].NumberValue);
        Assert.True(fields["active"].BoolValue);
        Assert.Equal("2024-01-01T00:00:00Z", fields["created"].DateValue);
        Assert.Equal(["red", "blue"], fields["tags"].ListValue.TextValues.Values);

        var some = TestGrpc.Request("Filter_Class", 1);
        some.Properties = new PropertiesRequest { NonRefProperties = { "title", "Count" } };
        some.Filters = all.Filters;
        var selected = (await _grpc.Search(some)).Results.Single().Properties;
        Assert.Equal(["count", "title"], selected.NonRefProps.Fields.Keys.Order());
        Assert.Equal("Filter_Class", selected.TargetCollection);

        var unknown = TestGrpc.Request("Filter_Class");
        unknown.Properties = new PropertiesRequest { NonRefProperties = { "colour" } };
        var error = await TestGrpc.Fails(() => _grpc.Search(unknown));
        Assert.Equal("no such prop with name 'colour' found in class 'Filter_Class' in the schema. Check your schema files for which properties in this class are available",
            error.Status.Detail);
    }

    [Fact]
    public async Task Metadata_is_what_was_asked_for_times_match_REST_and_the_vector_comes_on_demand()
    {
        var id = SharedEmulator.ExampleId(4);
        var filter = new Filters { Operator = Filters.Types.Operator.Equal, Target = new FilterTarget { Property = "_id" }, ValueText = id.ToString() };
        var withVector = TestGrpc.Request("Cosine_Class", 1, m => { m.Vector = true; m.CreationTimeUnix = true; m.LastUpdateTimeUnix = true; });
        withVector.Filters = filter;
        var without = TestGrpc.Request("Cosine_Class", 1);
        without.Filters = filter;

        var metadata = (await _grpc.Search(withVector)).Results.Single().Metadata;
        var plain = (await _grpc.Search(without)).Results.Single().Metadata;
        var rest = (await (await _http.GetAsync($"v1/objects/Cosine_Class/{id}")).ReadJson())!;

        Assert.Equal(id.ToString(), metadata.Id);
        Assert.Equal(id.ToByteArray(bigEndian: true).SkipWhile(b => b == 0), metadata.IdAsBytes.ToByteArray());
        Assert.Equal(SharedEmulator.ExampleVectors[3], TestGrpc.Floats(metadata.VectorBytes));
        Assert.Equal(rest["creationTimeUnix"]!.GetValue<long>(), metadata.CreationTimeUnix);
        Assert.Equal(rest["lastUpdateTimeUnix"]!.GetValue<long>(), metadata.LastUpdateTimeUnix);
        Assert.True(metadata.CreationTimeUnixPresent && metadata.LastUpdateTimeUnixPresent);
        Assert.True(plain.VectorBytes.IsEmpty);
        Assert.False(plain.CreationTimeUnixPresent || plain.DistancePresent || plain.ScorePresent);
    }

    [Fact]
    public async Task Certainty_is_left_out_on_a_dot_class_but_refused_as_an_argument()
    {
        var asMetadata = TestGrpc.Request("Dot_Class", 4, m => { m.Certainty = true; m.Distance = true; });
        asMetadata.NearVector = new NearVector();
        asMetadata.NearVector.Vectors.Add(new Vectors { VectorBytes = TestGrpc.Bytes([0.7f, 0.3f]) });
        var reply = await _grpc.Search(asMetadata);
        Assert.Equal(4, reply.Results.Count);
        Assert.All(reply.Results, r => Assert.False(r.Metadata.CertaintyPresent));
        Assert.Equal(-1.16, reply.Results[0].Metadata.Distance, 1e-5);

        var asArgument = asMetadata.Clone();
        asArgument.NearVector.Certainty = 0.8;
        var error = await TestGrpc.Fails(() => _grpc.Search(asArgument));
        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.Equal("can't compute and return certainty when vector index is configured with dot distance", error.Status.Detail);
    }

    // ------------------------------------------------------------------ paging

    [Fact]
    public async Task Limit_offset_and_after_page_like_GraphQL()
    {
        var query = DemoData.TopicVector("travel");
        var page = TestGrpc.Request(DemoData.ClassName, 7);
        page.Offset = 5;
        page.NearVector = new NearVector();
        page.NearVector.Vectors.Add(new Vectors { VectorBytes = TestGrpc.Bytes(query) });
        var gqlPage = await _http.Get(DemoData.ClassName, $"nearVector: {{vector: {Literal(query)}}}, limit: 7, offset: 5", "_additional { id }");
        Assert.Equal(Ids(gqlPage), Ids(await _grpc.Search(page)));

        var defaultLimit = await _grpc.Search(TestGrpc.Request(DemoData.ClassName));
        Assert.Equal(10, defaultLimit.Results.Count);     // QUERY_DEFAULTS_LIMIT, not GraphQL's 100

        var first = await _grpc.Search(TestGrpc.Request(DemoData.ClassName, 3));
        var after = TestGrpc.Request(DemoData.ClassName, 4);
        after.After = first.Results[^1].Metadata.Id;
        var gqlAfter = await _http.Get(DemoData.ClassName, $"after: \"{after.After}\", limit: 4", "_additional { id }");
        Assert.Equal(Ids(gqlAfter), Ids(await _grpc.Search(after)));
    }

    [Fact]
    public async Task Sorting_cannot_be_combined_with_a_search()
    {
        var request = TestGrpc.Request(DemoData.ClassName);
        request.Bm25Search = new BM25 { Query = "telescope" };
        request.SortBy.Add(new SortBy { Path = { "timestamp" }, Ascending = true });

        var error = await TestGrpc.Fails(() => _grpc.Search(request));

        Assert.Equal("sorting cannot be combined with search", error.Status.Detail);
    }

    // ------------------------------------------------------------------ refusals

    [Fact]
    public async Task NearText_is_refused_like_weaviate_without_a_vectorizer_module()
    {
        var request = TestGrpc.Request(DemoData.ClassName);
        request.NearText = new NearTextSearch { Query = { "stars at night" } };

        var error = await TestGrpc.Fails(() => _grpc.Search(request));

        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.Equal("explorer: get class: vectorize params: could not vectorize input for collection Memory with search-type nearText. " +
                     "Make sure a vectorizer module is configured for this collection", error.Status.Detail);
    }

    [Fact]
    public async Task Unknown_collections_named_vectors_and_tenants_are_refused_with_weaviates_words()
    {
        var unknown = await TestGrpc.Fails(() => _grpc.Search(TestGrpc.Request("Nope")));
        Assert.Equal("could not find class Nope in schema", unknown.Status.Detail);

        var named = TestGrpc.Request(DemoData.ClassName);
        named.NearVector = new NearVector { Targets = new Targets { TargetVectors = { "title_vector" } } };
        named.NearVector.Vectors.Add(new Vectors { VectorBytes = TestGrpc.Bytes(DemoData.TopicVector("music")) });
        var namedError = await TestGrpc.Fails(() => _grpc.Search(named));
        Assert.Equal("class Memory does not have named vector title_vector configured. Available named vectors map[]", namedError.Status.Detail);

        var tenant = TestGrpc.Request(DemoData.ClassName);
        tenant.Tenant = "tenantA";
        var tenantError = await TestGrpc.Fails(() => _grpc.Search(tenant));
        Assert.Equal("class Memory has multi-tenancy disabled, but request was with tenant", tenantError.Status.Detail);

        var tenants = await TestGrpc.Fails(() => _grpc.Client.TenantsGetAsync(new TenantsGetRequest { Collection = DemoData.ClassName }).ResponseAsync);
        Assert.Contains("multi-tenancy is not enabled for class \"Memory\"", tenants.Status.Detail);

        var groupBy = TestGrpc.Request(DemoData.ClassName);
        groupBy.GroupBy = new GroupBy { Path = { "content" }, NumberOfGroups = 2, ObjectsPerGroup = 2 };
        Assert.Equal(StatusCode.Unimplemented, (await TestGrpc.Fails(() => _grpc.Search(groupBy))).StatusCode);
    }

    // ------------------------------------------------------------------ aggregate

    [Fact]
    public async Task Aggregate_counts_match_GraphQL_with_and_without_a_filter()
    {
        var all = await _grpc.Client.AggregateAsync(new AggregateRequest { Collection = DemoData.ClassName, ObjectsCount = true });
        Assert.Equal(SharedEmulator.DemoCount, all.SingleResult.ObjectsCount);

        var filtered = await _grpc.Client.AggregateAsync(new AggregateRequest
        {
            Collection = DemoData.ClassName,
            ObjectsCount = true,
            Filters = new Filters { Operator = Filters.Types.Operator.Like, Target = new FilterTarget { Property = "content" }, ValueText = "telescope*" },
        });
        var graphql = await _http.GraphQL("{ Aggregate { Memory(where: {path: [\"content\"], operator: Like, valueText: \"telescope*\"}) { meta { count } } } }");
        var expected = graphql["data"]!["Aggregate"]!["Memory"]![0]!["meta"]!["count"]!.GetValue<long>();
        Assert.InRange(expected, 1, SharedEmulator.DemoCount - 1);
        Assert.Equal(expected, filtered.SingleResult.ObjectsCount);
    }

    [Fact]
    public async Task Aggregate_numeric_date_and_boolean_aggregations_match_GraphQL()
    {
        var request = new AggregateRequest { Collection = "Filter_Class" };
        request.Aggregations.Add(new AggregateRequest.Types.Aggregation
        {
            Property = "count",
            Int = new() { Count = true, Minimum = true, Maximum = true, Sum = true, Mean = true, Median = true, Mode = true, Type = true },
        });
        request.Aggregations.Add(new AggregateRequest.Types.Aggregation
        {
            Property = "price",
            Number = new() { Count = true, Minimum = true, Maximum = true, Sum = true, Mean = true, Median = true },
        });
        request.Aggregations.Add(new AggregateRequest.Types.Aggregation { Property = "created", Date = new() { Minimum = true, Maximum = true } });
        request.Aggregations.Add(new AggregateRequest.Types.Aggregation { Property = "active", Boolean = new() { TotalTrue = true, PercentageTrue = true } });
        request.Aggregations.Add(new AggregateRequest.Types.Aggregation { Property = "tags", Text = new() { Count = true, TopOccurences = true } });

        var reply = (await _grpc.Client.AggregateAsync(request)).SingleResult.Aggregations.Aggregations_;
        var graphql = (await _http.GraphQL("""
            { Aggregate { Filter_Class {
                count { count minimum maximum sum mean median mode }
                price { count minimum maximum sum mean median }
                created { minimum maximum }
                active { totalTrue percentageTrue }
            } } }
            """))["data"]!["Aggregate"]!["Filter_Class"]![0]!;

        var count = reply[0].Int;
        Assert.Equal(graphql["count"]!["count"]!.GetValue<long>(), count.Count);
        Assert.Equal(graphql["count"]!["minimum"]!.GetValue<double>(), count.Minimum);
        Assert.Equal(graphql["count"]!["maximum"]!.GetValue<double>(), count.Maximum);
        Assert.Equal(graphql["count"]!["sum"]!.GetValue<double>(), count.Sum);
        Assert.Equal(graphql["count"]!["mean"]!.GetValue<double>(), count.Mean, 1e-9);
        Assert.Equal(graphql["count"]!["median"]!.GetValue<double>(), count.Median, 1e-9);
        Assert.Equal(graphql["count"]!["mode"]!.GetValue<double>(), count.Mode);
        Assert.Equal("int", count.Type);
        var price = reply[1].Number;
        Assert.Equal(graphql["price"]!["sum"]!.GetValue<double>(), price.Sum, 1e-9);
        Assert.Equal(graphql["price"]!["median"]!.GetValue<double>(), price.Median, 1e-9);
        Assert.Equal(graphql["price"]!["maximum"]!.GetValue<double>(), price.Maximum);
        Assert.Equal(graphql["created"]!["minimum"]!.GetValue<string>(), reply[2].Date.Minimum);
        Assert.Equal(graphql["created"]!["maximum"]!.GetValue<string>(), reply[2].Date.Maximum);
        Assert.Equal(graphql["active"]!["totalTrue"]!.GetValue<long>(), reply[3].Boolean.TotalTrue);
        Assert.Equal(graphql["active"]!["percentageTrue"]!.GetValue<double>(), reply[3].Boolean.PercentageTrue, 1e-9);
        // red, blue / green / blue, green: blue and green twice, red once.
        Assert.Equal(5, reply[4].Text.Count);
        Assert.Equal([("blue", 2L), ("green", 2L), ("red", 1L)], reply[4].Text.TopOccurences.Items.Select(i => (i.Value, i.Occurs)));
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }
}
