using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Orchestra.Admin.Data.Weaviate;
using Orchestra.Admin.Features.VectorSearch;

namespace Orchestra.Admin.Tests.VectorSearch;

/// <summary>The search service's own logic without a server: reading hits, nearText availability, no Weaviate configured.</summary>
public sealed class GraphQLVectorSearchTests
{
    private static GraphQLResponse Response(string json) => GraphQLResponse.Parse(System.Text.Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Hits_are_ranked_with_numbers_and_string_scores_read_invariantly()
    {
        var response = Response("""
            {"data":{"Get":{"Memory":[
              {"content":"a","tags":["x"],"_additional":{"id":"2f1c6b1e-8d7a-4a8e-9a53-0c1f3e5b7d21","distance":0.125,"certainty":0.9375,"score":null}},
              {"content":null,"_additional":{"id":"00000000-0000-0000-0000-000000000001","distance":null,"certainty":null,"score":"0.0165"}},
              {"content":"c","_additional":{"id":"00000000-0000-0000-0000-000000000002","score":"1.5e-3"}}
            ]}}}
            """);
        var hits = VectorParserTests.InCulture("de-DE", () => GraphQLVectorSearch.ReadHits(response, "Memory"));

        Assert.Equal([1, 2, 3], hits.Select(h => h.Rank));
        Assert.Equal(Guid.Parse("2f1c6b1e-8d7a-4a8e-9a53-0c1f3e5b7d21"), hits[0].Id);
        Assert.Equal(0.125, hits[0].Distance);
        Assert.Equal(0.9375, hits[0].Certainty);
        Assert.Null(hits[0].Score);
        Assert.Null(hits[1].Distance);
        Assert.Equal(0.0165, hits[1].Score);
        Assert.Equal(0.0015, hits[2].Score);
        Assert.Equal("""{"content":"a","tags":["x"]}""", hits[0].Properties.ToJsonString());
        Assert.False(hits[1].Properties.ContainsKey("_additional"));
        Assert.True(hits[1].Properties.ContainsKey("content"));
    }

    [Theory]
    [InlineData("""{"data":{"Get":{"Memory":[]}}}""", null)]
    [InlineData("""{"data":{}}""", "no data.Get in the answer")]
    [InlineData("""{"data":{"Get":{}}}""", "no data.Get.Memory in the answer")]
    [InlineData("""{"data":{"Get":{"Memory":null}}}""", "no data.Get.Memory in the answer")]
    [InlineData("""{"data":{"Get":{"Memory":{}}}}""", "data.Get.Memory is not a list")]
    [InlineData("""{"data":{"Get":{"Memory":[{"content":"x"}]}}}""", "result 1 has no _additional.id")]
    [InlineData("""{"data":{"Get":{"Memory":[{"_additional":{"id":"nope"}}]}}}""", "result 1 has no _additional.id")]
    public void Unexpected_answers_are_malformed_responses(string json, string? problem)
    {
        if (problem is null)
        {
            Assert.Empty(GraphQLVectorSearch.ReadHits(Response(json), "Memory"));
            return;
        }
        var e = Assert.Throws<WeaviateException>(() => GraphQLVectorSearch.ReadHits(Response(json), "Memory"));
        Assert.Equal(WeaviateErrorKind.MalformedResponse, e.Kind);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void NearText_needs_a_text_vectorizer_the_server_has()
    {
        WeaviateClass Class(string? vectorizer) => new() { Name = "Memory", Vectorizer = vectorizer };

        Assert.Equal("class Memory has no vectorizer (vectors are supplied by the stack)", SearchClasses.NearTextUnavailableReason(Class("none"), ["text2vec-openai"]));
        Assert.Equal("class Memory has no vectorizer (vectors are supplied by the stack)", SearchClasses.NearTextUnavailableReason(Class(null), []));
        Assert.Equal("class Memory's vectorizer img2vec-neural does not turn text into vectors", SearchClasses.NearTextUnavailableReason(Class("img2vec-neural"), ["img2vec-neural"]));
        Assert.Equal("class Memory's vectorizer ref2vec-centroid does not turn text into vectors", SearchClasses.NearTextUnavailableReason(Class("ref2vec-centroid"), ["ref2vec-centroid"]));
        Assert.Equal("class Memory's vectorizer text2vec-openai is not enabled on this Weaviate server (its modules: orchestra-emulator, text2vec-cohere)",
            SearchClasses.NearTextUnavailableReason(Class("text2vec-openai"), ["text2vec-cohere", "orchestra-emulator"]));
        Assert.Null(SearchClasses.NearTextUnavailableReason(Class("text2vec-openai"), ["generative-openai", "text2vec-openai"]));
        Assert.Null(SearchClasses.NearTextUnavailableReason(Class("multi2vec-clip"), ["multi2vec-clip"]));
        Assert.Contains("named vectors only", SearchClasses.NearTextUnavailableReason(
            Class("none") with { VectorConfig = new Dictionary<string, VectorConfig> { ["title"] = new() } }, []));
    }

    [Fact]
    public async Task Without_Weaviate_every_call_says_to_set_WEAVIATE_URL()
    {
        var search = new GraphQLVectorSearch(new ServiceCollection().BuildServiceProvider());
        var request = new SearchRequest { ClassName = "Memory", VectorText = "1 2 3" };
        foreach (var call in new Func<Task>[]
                 {
                     () => search.ClassNamesAsync(), () => search.DescribeClassAsync("Memory"),
                     () => search.SearchAsync(request), () => search.PreviewAsync(request),
                 })
        {
            var e = await Assert.ThrowsAsync<InvalidOperationException>(call);
            Assert.Equal("Weaviate is not configured: set WEAVIATE_URL.", e.Message);
        }
    }

    [Fact]
    public void The_search_is_registered_with_the_weaviate_pages()
    {
        var services = new ServiceCollection();
        Orchestra.Admin.Features.Weaviate.WeaviateFeatureRegistration.AddWeaviateMonitoring(services, new Orchestra.Admin.Hosting.OrchestraAdminOptions());
        var registration = Assert.Single(services, d => d.ServiceType == typeof(IVectorSearch));
        Assert.Equal(typeof(ProtocolVectorSearch), registration.ImplementationType);
        Assert.Equal(ServiceLifetime.Scoped, registration.Lifetime);
    }
}
