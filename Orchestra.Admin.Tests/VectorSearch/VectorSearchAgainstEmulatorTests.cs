using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Orchestra.Admin.Data.Weaviate;
using Orchestra.Admin.Features.VectorSearch;
using Orchestra.Admin.Hosting;
using DemoData = Orchestra.WeaviateEmulator.DemoData;
using EmulatorOptions = Orchestra.WeaviateEmulator.EmulatorOptions;
using RunningEmulator = Orchestra.WeaviateEmulator.RunningEmulator;

namespace Orchestra.Admin.Tests.VectorSearch;

/// <summary>
/// The search end to end against the emulator (real HTTP, Weaviate's GraphQL, brute-force distances): the hits
/// are checked against a brute-force computation made here, from the vectors listed over REST.
/// </summary>
public sealed class VectorSearchAgainstEmulatorTests : IAsyncLifetime
{
    private const int Objects = 300;
    private const string ApiKey = "vector-search-key";
    private const string DotClass = "DotThing";
    private static readonly Guid Quokka = Guid.Parse("0b0b0b0b-0000-4000-8000-00000000beef");

    private RunningEmulator emulator = null!;
    private IWeaviateClient client = null!;
    private CountingClient counting = null!;
    private GraphQLVectorSearch search = null!;
    private List<(Guid Id, float[] Vector, JsonObject Properties)> memories = null!;

    public async Task InitializeAsync()
    {
        emulator = await RunningEmulator.StartAsync(new EmulatorOptions { DemoObjects = Objects, ApiKey = ApiKey });
        emulator.Store.CreateClass($$"""
            {"class": "{{DotClass}}", "vectorizer": "none", "vectorIndexConfig": {"distance": "dot"},
             "properties": [{"name": "label", "dataType": ["text"]}, {"name": "size", "dataType": ["int"]}]}
            """);
        float[][] dotVectors = [[1, 0, 0], [0, 2, 0], [3, 3, 0], [-1, -1, -1], [0.5f, 0.5f, 4]];
        for (var i = 0; i < dotVectors.Length; i++)
            emulator.Store.AddObject(DotClass, new { label = $"thing {i}", size = i }, dotVectors[i], Guid.Parse($"00000000-0000-4000-8000-00000000000{i}"));
        // One memory that a keyword search must put first.
        emulator.Store.AddObject(DemoData.ClassName,
            new JsonObject { ["content"] = "The quokka ate marmalade; the quokka smiled.", ["metadata"] = "{}", ["timestamp"] = "2030-01-01T00:00:00Z" },
            DemoData.TopicVector("music"), Quokka);

        var settings = new OrchestraAdminOptions { Weaviate = { Url = emulator.Url, ApiKey = ApiKey, RetryCount = 0 } };
        client = new ServiceCollection().AddLogging().AddWeaviateClient(settings).BuildServiceProvider().GetRequiredService<IWeaviateClient>();
        counting = CountingClient.Wrap(client);
        search = new GraphQLVectorSearch(new ServiceCollection().AddSingleton<IWeaviateClient>((IWeaviateClient)counting).BuildServiceProvider());

        memories = [];
        Guid? after = null;
        do
        {
            var page = await client.ListObjectsAsync(DemoData.ClassName, 100, after, includeVector: true);
            memories.AddRange(page.Objects.Select(o => (o.Id!.Value, o.Vector!, o.Properties!)));
            after = page.NextAfter(100);
        } while (after != null);
        Assert.Equal(Objects + 1, memories.Count);
    }

    public async Task DisposeAsync() => await emulator.DisposeAsync();

    private static string Text(float[] vector) => "[" + string.Join(", ", vector.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]";

    /// <summary>Cosine distance computed here, in double: 1 − a·b / (|a|·|b|).</summary>
    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }
        return 1 - dot / Math.Sqrt(na * nb);
    }

    private List<(Guid Id, double Distance)> BruteForce(float[] query, Func<JsonObject, bool>? where = null) =>
        memories.Where(m => where?.Invoke(m.Properties) ?? true)
            .Select(m => (m.Id, Distance: Cosine(m.Vector, query)))
            .OrderBy(m => m.Distance)
            .ToList();

    private static SearchRequest Near(float[] vector, int limit = 10) =>
        new() { ClassName = DemoData.ClassName, VectorText = Text(vector), Limit = limit };

    [Fact]
    public async Task The_class_is_described_from_schema_and_a_stored_vector()
    {
        Assert.Equal([DotClass, DemoData.ClassName], await search.ClassNamesAsync()); // by name

        var memory = await search.DescribeClassAsync(DemoData.ClassName);
        Assert.Equal("cosine", memory.Distance);
        Assert.Equal(DemoData.Dimensions, memory.VectorDimensions);
        Assert.Equal(["content", "metadata", "timestamp"], memory.Properties.Select(p => p.Name));
        Assert.Equal("class Memory has no vectorizer (vectors are supplied by the stack)", memory.NearTextUnavailableReason);

        var dot = await search.DescribeClassAsync(DotClass);
        Assert.Equal("dot", dot.Distance);
        Assert.Equal(3, dot.VectorDimensions);

        // Cached: a second description asks Weaviate nothing.
        var calls = counting.Calls.Count;
        await search.DescribeClassAsync(DemoData.ClassName);
        Assert.Equal(calls, counting.Calls.Count);
    }

    [Fact]
    public async Task NearVector_returns_the_truly_nearest_objects_in_order_with_their_cosine_distances()
    {
        var query = DemoData.TopicVector("astronomy");
        query[0] += 0.05f; // not exactly a centroid
        var result = await search.SearchAsync(Near(query, 25));
        var expected = BruteForce(query).Take(25).ToList();

        Assert.Equal(expected.Select(e => e.Id), result.Hits.Select(h => h.Id));
        Assert.Equal(Enumerable.Range(1, 25), result.Hits.Select(h => h.Rank));
        foreach (var (hit, truth) in result.Hits.Zip(expected))
        {
            Assert.Equal(truth.Distance, hit.Distance!.Value, 1e-5);
            Assert.Equal(1 - hit.Distance.Value / 2, hit.Certainty!.Value, 1e-6);   // certainty = 1 − distance/2 (cosine)
            Assert.Equal(1 - truth.Distance / 2, hit.Certainty.Value, 1e-5);
            Assert.Null(hit.Score);
            Assert.Equal(["content", "metadata"], hit.Properties.Select(p => p.Key));
            Assert.Contains("astronomy", hit.Properties["metadata"]!.GetValue<string>());
        }
        Assert.True(result.Elapsed > TimeSpan.Zero);
        Assert.Equal(await search.PreviewAsync(Near(query, 25)), result.Query);
        Assert.StartsWith("{ Get { Memory(nearVector: {vector: [", result.Query);
    }

    [Fact]
    public async Task Distance_and_certainty_thresholds_cut_where_the_brute_force_says()
    {
        var query = DemoData.TopicVector("cooking");
        var truth = BruteForce(query);
        var cut = (truth[7].Distance + truth[8].Distance) / 2; // between the 8th and the 9th

        var byDistance = await search.SearchAsync(Near(query, 100) with { ThresholdKind = ThresholdKind.Distance, Threshold = cut });
        Assert.Equal(truth.Take(8).Select(t => t.Id), byDistance.Hits.Select(h => h.Id));

        var byCertainty = await search.SearchAsync(Near(query, 100) with { ThresholdKind = ThresholdKind.Certainty, Threshold = 1 - cut / 2 });
        Assert.Equal(truth.Take(8).Select(t => t.Id), byCertainty.Hits.Select(h => h.Id));
    }

    [Fact]
    public async Task A_dot_product_class_refuses_certainty_before_sending_and_ranks_by_negative_dot()
    {
        var before = counting.Calls.Count(c => c == "GraphQLAsync");
        var request = new SearchRequest { ClassName = DotClass, VectorText = "1 1 0", ThresholdKind = ThresholdKind.Certainty, Threshold = 0.5 };
        var e = await Assert.ThrowsAsync<SearchInputException>(() => search.SearchAsync(request));
        Assert.Equal("threshold", e.Field);
        Assert.Equal("Certainty exists only for cosine distance; class DotThing uses dot — give a distance instead.", e.Message);
        Assert.Equal(before, counting.Calls.Count(c => c == "GraphQLAsync"));

        var result = await search.SearchAsync(request with { ThresholdKind = ThresholdKind.Distance, Threshold = -0.5 });
        Assert.DoesNotContain("certainty", result.Query);
        // distance = −(a·b) with [1, 1, 0]: thing 2 → −6, thing 1 → −2, thing 0 → −1; thing 4 (−1) too; thing 3 (+2) is cut.
        Assert.Equal(["thing 2", "thing 1", "thing 0", "thing 4"], result.Hits.Select(h => h.Properties["label"]!.GetValue<string>()));
        Assert.Equal([-6.0, -2.0, -1.0, -1.0], result.Hits.Select(h => h.Distance!.Value));
        Assert.All(result.Hits, h => Assert.Null(h.Certainty));

        // What Weaviate itself says when certainty is sent anyway: a GraphQL error with HTTP 200.
        var raw = await client.GraphQLAsync($"{{ Get {{ {DotClass}(nearVector: {{vector: [1, 1, 0], certainty: 0.5}}) {{ label _additional {{ id }} }} }} }}");
        var error = Assert.Throws<WeaviateException>(() => raw.EnsureNoErrors());
        Assert.Equal(WeaviateErrorKind.GraphQL, error.Kind);
        Assert.Equal("can't compute and return certainty when vector index is configured with dot distance", error.Message);
    }

    [Fact]
    public async Task NearObject_finds_the_source_object_first_as_Weaviate_does_then_its_neighbours()
    {
        var source = memories[42];
        var result = await search.SearchAsync(new SearchRequest { ClassName = DemoData.ClassName, Mode = SearchMode.NearObject, ObjectId = source.Id.ToString(), Limit = 6 });
        Assert.Equal(source.Id, result.Hits[0].Id);
        Assert.Equal(0, result.Hits[0].Distance!.Value, 1e-6);

        var expected = BruteForce(source.Vector).Take(6).ToList();
        Assert.Equal(expected.Select(e => e.Id), result.Hits.Select(h => h.Id));
        foreach (var (hit, truth) in result.Hits.Zip(expected))
            Assert.Equal(truth.Distance, hit.Distance!.Value, 1e-5);
    }

    [Fact]
    public async Task An_unknown_object_id_comes_back_as_Weaviates_error()
    {
        var e = await Assert.ThrowsAsync<WeaviateException>(() => search.SearchAsync(
            new SearchRequest { ClassName = DemoData.ClassName, Mode = SearchMode.NearObject, ObjectId = Guid.Empty.ToString() }));
        Assert.Equal(WeaviateErrorKind.GraphQL, e.Kind);
        Assert.Contains("does not exist", e.Message);
    }

    [Fact]
    public async Task Bm25_ranks_the_document_with_the_query_words_first_and_hybrid_alpha_0_keeps_that_order()
    {
        var bm25 = await search.SearchAsync(new SearchRequest { ClassName = DemoData.ClassName, Mode = SearchMode.Bm25, QueryText = "quokka marmalade", Limit = 5 });
        Assert.Equal(Quokka, Assert.Single(bm25.Hits).Id); // no other memory has either word
        Assert.True(bm25.Hits[0].Score > 0);
        Assert.Null(bm25.Hits[0].Distance);

        var words = "telescope orbit";
        var keyword = await search.SearchAsync(new SearchRequest { ClassName = DemoData.ClassName, Mode = SearchMode.Bm25, QueryText = words, Limit = 20 });
        Assert.True(keyword.Hits.Count >= 10);
        // bm25 reads every searchable text property: content and metadata (whose tags may hold the word).
        Assert.All(keyword.Hits, h => Assert.Matches("(?i)telescope|orbit", h.Properties["content"]!.GetValue<string>() + h.Properties["metadata"]!.GetValue<string>()));
        Assert.Equal(keyword.Hits.Select(h => h.Score), keyword.Hits.Select(h => h.Score).OrderDescending());

        foreach (var fusion in new[] { HybridFusion.RelativeScoreFusion, HybridFusion.RankedFusion })
        {
            var hybrid = await search.SearchAsync(new SearchRequest { ClassName = DemoData.ClassName, Mode = SearchMode.Hybrid, QueryText = words, Alpha = 0, Fusion = fusion, Limit = 20 });
            Assert.Equal(keyword.Hits.Select(h => h.Id), hybrid.Hits.Select(h => h.Id));
            Assert.All(hybrid.Hits, h => Assert.NotNull(h.Score));
        }

        // alpha 1 with a vector: the vector order (nearVector's).
        var vector = DemoData.TopicVector("astronomy");
        var vectorOnly = await search.SearchAsync(new SearchRequest { ClassName = DemoData.ClassName, Mode = SearchMode.Hybrid, QueryText = words, Alpha = 1, VectorText = Text(vector), Limit = 10 });
        Assert.Equal(BruteForce(vector).Take(10).Select(t => t.Id), vectorOnly.Hits.Select(h => h.Id));
    }

    [Fact]
    public async Task Where_filters_narrow_the_results_to_the_matching_objects()
    {
        var since = DemoData.Start + DemoData.Spacing * 150;
        var query = DemoData.TopicVector("gardening");
        bool Recent(JsonObject p) => DateTimeOffset.Parse(p["timestamp"]!.GetValue<string>(), CultureInfo.InvariantCulture) >= since;

        var result = await search.SearchAsync(Near(query, 15) with
        {
            Properties = ["content", "timestamp"],
            Filters = [new("timestamp", FilterOperator.GreaterThanEqual, since.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture))],
        });
        var expected = BruteForce(query, Recent).Take(15).ToList();
        Assert.Equal(expected.Select(e => e.Id), result.Hits.Select(h => h.Id));
        Assert.All(result.Hits, h => Assert.True(Recent(h.Properties)));
        Assert.NotEqual(BruteForce(query).Take(15).Select(e => e.Id), result.Hits.Select(h => h.Id)); // the filter changed something

        bool Both(JsonObject p) => Recent(p) && p["content"]!.GetValue<string>().Contains("quokka", StringComparison.OrdinalIgnoreCase);
        var both = await search.SearchAsync(Near(query, 15) with
        {
            Properties = ["content", "timestamp"],
            Filters =
            [
                new("timestamp", FilterOperator.GreaterThanEqual, since.ToString("O", CultureInfo.InvariantCulture)),
                new("content", FilterOperator.ContainsAny, "quokka, zebrafish"),
            ],
        });
        Assert.Equal([Quokka], both.Hits.Select(h => h.Id));
        Assert.Equal(BruteForce(query, Both).Select(e => e.Id), both.Hits.Select(h => h.Id));
    }

    [Fact]
    public async Task A_wrong_dimension_is_refused_before_sending()
    {
        await search.DescribeClassAsync(DemoData.ClassName);
        var before = counting.Calls.Count(c => c == "GraphQLAsync");
        var e = await Assert.ThrowsAsync<SearchInputException>(() => search.SearchAsync(Near(new float[383])));
        Assert.Equal("vector", e.Field);
        Assert.Equal("the vector has 383 values; class Memory's vectors have 384", e.Message);
        Assert.Equal(before, counting.Calls.Count(c => c == "GraphQLAsync"));
    }

    [Fact]
    public async Task Unknown_classes_and_properties_get_a_clear_message()
    {
        var none = await Assert.ThrowsAsync<SearchInputException>(() => search.SearchAsync(new SearchRequest { ClassName = "Nope", VectorText = "1" }));
        Assert.Equal("class", none.Field);
        Assert.Equal("No class 'Nope' in Weaviate's schema (classes: DotThing, Memory).", none.Message);

        var lower = await Assert.ThrowsAsync<SearchInputException>(() => search.DescribeClassAsync("memory"));
        Assert.Equal("class", lower.Field);
        Assert.StartsWith("'memory' is not a valid Weaviate class name", lower.Message);

        var typo = await Assert.ThrowsAsync<SearchInputException>(() => search.DescribeClassAsync("MEMORY"));
        Assert.Equal("No class 'MEMORY' in Weaviate's schema (did you mean 'Memory'? class names are case-sensitive).", typo.Message);

        var property = await Assert.ThrowsAsync<SearchInputException>(() => search.SearchAsync(Near(new float[384]) with { Properties = ["contents"] }));
        Assert.Equal("properties", property.Field);
        Assert.Equal("Class 'Memory' has no property 'contents' (properties: content, metadata, timestamp).", property.Message);

        var filter = await Assert.ThrowsAsync<SearchInputException>(() => search.PreviewAsync(Near(new float[384]) with { Filters = [new("topic", FilterOperator.Equal, "x")] }));
        Assert.Equal("filter[0]", filter.Field);
        Assert.Equal("Filter row 1: class 'Memory' has no property 'topic' (properties: content, metadata, timestamp).", filter.Message);
    }

    [Fact]
    public async Task Every_mode_the_emulator_knows_runs_without_GraphQL_errors()
    {
        var vector = Text(DemoData.TopicVector("music"));
        var id = memories[0].Id.ToString();
        SearchRequest[] requests =
        [
            new() { ClassName = DemoData.ClassName, VectorText = vector, ThresholdKind = ThresholdKind.Certainty, Threshold = 0.5, Filters = [new("content", FilterOperator.Like, "*a*")] },
            new() { ClassName = DemoData.ClassName, Mode = SearchMode.NearObject, ObjectId = id, ThresholdKind = ThresholdKind.Distance, Threshold = 1.5 },
            new() { ClassName = DemoData.ClassName, Mode = SearchMode.Bm25, QueryText = "guitar \"chord\" \\ \n 日本" },
            new() { ClassName = DemoData.ClassName, Mode = SearchMode.Hybrid, QueryText = "guitar", Alpha = 0.5, Fusion = HybridFusion.RankedFusion, VectorText = vector },
            new() { ClassName = DotClass, VectorText = "0 0 1", Filters = [new("size", FilterOperator.LessThan, "4"), new("label", FilterOperator.NotEqual, "thing 0")] },
        ];
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE"); // flows with this test's async context only
        foreach (var request in requests)
        {
            var result = await search.SearchAsync(request);
            Assert.NotEmpty(result.Hits);
            Assert.DoesNotMatch(@"\d,\d", result.Query);
        }
    }

    /// <summary>An <see cref="IWeaviateClient"/> that records the name of every call before passing it on.</summary>
    public class CountingClient : DispatchProxy
    {
        private IWeaviateClient inner = null!;
        public List<string> Calls { get; } = [];

        public static CountingClient Wrap(IWeaviateClient inner)
        {
            var proxy = DispatchProxy.Create<IWeaviateClient, CountingClient>();
            var counting = (CountingClient)(object)proxy;
            counting.inner = inner;
            return counting;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            lock (Calls) Calls.Add(targetMethod!.Name);
            try
            {
                return targetMethod.Invoke(inner, args);
            }
            catch (TargetInvocationException e) when (e.InnerException != null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
                throw;
            }
        }
    }
}
