using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestra.Admin.Data.Weaviate;

namespace Orchestra.Admin.Tests.Weaviate;

/// <summary>Names, GraphQL literals and numbers: what goes into a query or a URL cannot change its meaning.</summary>
public class WeaviateSafetyTests
{
    [Theory]
    [InlineData("Memory")]
    [InlineData("Cosine_Class")]
    [InlineData("A")]
    [InlineData("X9_y")]
    public void Valid_class_names_pass(string name)
    {
        Assert.Null(WeaviateNames.ClassNameProblem(name));
        Assert.Equal(name, WeaviateNames.ValidateClassName(name));
    }

    [Theory]
    [InlineData("memory")]            // lower-case start
    [InlineData("_Memory")]
    [InlineData("9Lives")]
    [InlineData("Mem ory")]
    [InlineData("Memory{")]
    [InlineData("Memory) { x } #")]   // an injection attempt
    [InlineData("Mémoire")]           // not ASCII
    [InlineData("Memory\n")]
    [InlineData("")]
    public void Invalid_class_names_are_refused_with_a_reason(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => WeaviateNames.ValidateClassName(name));
        Assert.Contains(name.Length == 0 ? "a class name is required" : "is not a valid Weaviate class name", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_class_name_longer_than_255_characters_is_refused()
    {
        Assert.True(WeaviateNames.IsValidClassName("A" + new string('a', 254)));
        Assert.False(WeaviateNames.IsValidClassName("A" + new string('a', 255)));
    }

    [Theory]
    [InlineData("content", true)]
    [InlineData("_private", true)]
    [InlineData("nameOfAuthor2", true)]
    [InlineData("__typename", false)]
    [InlineData("2nd", false)]
    [InlineData("a-b", false)]
    [InlineData("a\"b", false)]
    [InlineData("content\n", false)]
    public void Property_names_follow_Weaviates_rule(string name, bool valid)
    {
        Assert.Equal(valid, WeaviateNames.IsValidPropertyName(name));
        if (!valid) Assert.Throws<ArgumentException>(() => GraphQLText.PropertyName(name));
    }

    private static readonly Schema Fetched = WeaviateJson.Deserialize<Schema>("""
        {"classes":[{"class":"Memory","properties":[{"name":"content","dataType":["text"]},{"name":"timestamp","dataType":["date"]}]},
                    {"class":"Books","properties":[]}]}
        """)!;

    [Fact]
    public void A_name_is_checked_against_the_fetched_schema()
    {
        var memory = WeaviateNames.RequireClass(Fetched, "Memory");
        Assert.Equal("Memory", memory.Name);
        Assert.Equal(["date"], WeaviateNames.RequireProperty(memory, "timestamp").DataType);

        var missing = Assert.Throws<ArgumentException>(() => WeaviateNames.RequireClass(Fetched, "Films"));
        Assert.StartsWith("no class 'Films' in Weaviate's schema (classes: Books, Memory)", missing.Message);

        var cased = Assert.Throws<ArgumentException>(() => WeaviateNames.RequireClass(Fetched, "MEMORY"));
        Assert.StartsWith("no class 'MEMORY' in Weaviate's schema (did you mean 'Memory'?", cased.Message);

        Assert.Throws<ArgumentException>(() => WeaviateNames.RequireClass(Fetched, "memory) { x }"));
        var noProperty = Assert.Throws<ArgumentException>(() => WeaviateNames.RequireProperty(memory, "title"));
        Assert.StartsWith("class 'Memory' has no property 'title' (properties: content, timestamp)", noProperty.Message);
        Assert.StartsWith("no class 'X' in Weaviate's schema (the schema has no classes)",
            Assert.Throws<ArgumentException>(() => WeaviateNames.RequireClass(new Schema(), "X")).Message);
    }

    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("say \"hi\"", "\"say \\\"hi\\\"\"")]
    [InlineData("back\\slash", "\"back\\\\slash\"")]
    [InlineData("two\nlines\r\n", "\"two\\nlines\\r\\n\"")]
    [InlineData("tab\there", "\"tab\\there\"")]
    [InlineData("bell\u0007nul\u0000", "\"bell\\u0007nul\\u0000\"")]
    [InlineData("\u2028sep\u2029", "\"\\u2028sep\\u2029\"")]
    [InlineData("\"} } { Delete { x } } #", "\"\\\"} } { Delete { x } } #\"")]
    [InlineData("Grüße, 日本, 🎉", "\"Grüße, 日本, 🎉\"")]
    public void String_literals_are_escaped(string value, string expected) => Assert.Equal(expected, GraphQLText.String(value));

    [Theory]
    [InlineData("plain")]
    [InlineData("q\"uo\\te\n\r\t\b\f")]
    [InlineData("\u0001\u001f\u007f\u0085")]
    [InlineData("Grüße 🎉 \u2028")]
    [InlineData("\"}){ x }")]
    public void A_string_literal_reads_back_as_the_same_string(string value)
    {
        // GraphQL string escapes are JSON's: a JSON parser reads the literal as the lexer would.
        var literal = GraphQLText.String(value);
        Assert.Equal(value, JsonSerializer.Deserialize<string>(literal));
        Assert.DoesNotContain(literal, char.IsControl);
        Assert.Equal(2, UnescapedQuotes(literal));
    }

    [Fact]
    public void A_lone_surrogate_becomes_the_replacement_character()
    {
        Assert.Equal("\"a\\uFFFDb\"", GraphQLText.String("a\uD800b"));
    }

    /// <summary>The quotes a GraphQL lexer would see as delimiters (escaped characters skipped).</summary>
    private static int UnescapedQuotes(string literal)
    {
        var n = 0;
        for (var i = 0; i < literal.Length; i++)
        {
            if (literal[i] == '\\') { i++; continue; }
            if (literal[i] == '"') n++;
        }
        return n;
    }

    [Fact]
    public Task Numbers_are_invariant_under_a_German_culture() => UnderGerman(() =>
    {
        Assert.Equal("0,5", 0.5.ToString(CultureInfo.CurrentCulture)); // the culture is really in force
        Assert.Equal("0.5", GraphQLText.Number(0.5));
        Assert.Equal("-1234.5678", GraphQLText.Number(-1234.5678));
        Assert.Equal("0.7", GraphQLText.Number(0.7f));
        Assert.Equal("1E-05", GraphQLText.Number(1e-5));
        Assert.Equal("1000000", GraphQLText.Number(1_000_000L));
        Assert.Equal("[0.7, 0.3, -1.5]", GraphQLText.Vector([0.7f, 0.3f, -1.5f]));
        return Task.CompletedTask;
    });

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Numbers_without_a_GraphQL_literal_are_refused(double value) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => GraphQLText.Number(value));

    [Fact]
    public Task What_the_client_sends_is_invariant_under_a_German_culture() => UnderGerman(async () =>
    {
        await using var server = await CannedWeaviate.StartAsync();
        server.On("POST /v1/graphql", 200, """{"data":{}}""");
        server.On("GET /v1/objects", 200, """{"objects":[]}""");
        var client = server.Client();

        var query = $"{{ Get {{ {GraphQLText.ClassName("Memory")}(nearVector: {{vector: {GraphQLText.Vector([0.5f, 0.25f])}, distance: {GraphQLText.Number(0.5)}}}, where: {{path: [\"content\"], operator: Equal, valueText: {GraphQLText.String("a \"b\"")}}}) {{ content }} }} }}";
        await client.GraphQLAsync(new GraphQLQuery(query, Variables: new JsonObject { ["certainty"] = 0.75, ["limit"] = 1500 }));
        await client.ListObjectsAsync("Memory", 1500);

        var body = server.Requests[0].Body;
        Assert.DoesNotContain("0,5", body);
        Assert.DoesNotContain("0,75", body);
        Assert.Contains("\"certainty\":0.75", body);
        Assert.Contains("\"limit\":1500", body);
        var sent = JsonNode.Parse(body)!["query"]!.GetValue<string>();
        Assert.Contains("vector: [0.5, 0.25], distance: 0.5", sent);
        Assert.Contains("valueText: \"a \\\"b\\\"\"", sent);
        Assert.Equal("?class=Memory&limit=1500&after=", server.Requests[1].QueryString);
    });

    [Fact]
    public void The_aggregate_count_query_takes_only_valid_class_names()
    {
        Assert.Equal("{ Aggregate { Memory { meta { count } } } }", GraphQLText.AggregateCount(["Memory"]));
        Assert.Throws<ArgumentException>(() => GraphQLText.AggregateCount(["Memory { meta { count } } } } mutation {"]));
        Assert.Throws<ArgumentException>(() => GraphQLText.AggregateCount([]));
    }

    [Fact]
    public async Task A_bad_name_sends_nothing()
    {
        await using var server = await CannedWeaviate.StartAsync();
        var client = server.Client();
        await Assert.ThrowsAsync<ArgumentException>(() => client.GetClassAsync("../meta"));
        await Assert.ThrowsAsync<ArgumentException>(() => client.ListObjectsAsync("Memory&class=Other", 10));
        await Assert.ThrowsAsync<ArgumentException>(() => client.CountObjectsAsync("memory"));
        await Assert.ThrowsAsync<ArgumentException>(() => client.UpdateShardStatusAsync("Memory", "s1", "ready; drop"));
        await Assert.ThrowsAsync<ArgumentException>(() => client.UpdateShardStatusAsync("Memory", "s1", "READY\n"));
        await Assert.ThrowsAsync<ArgumentException>(() => client.UpdateShardStatusAsync("Memory", "", ShardStatuses.Ready));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.ListObjectsAsync("Memory", 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.ListObjectsAsync("Memory", 10_001));
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Shard_names_are_escaped_into_the_path()
    {
        await using var server = await CannedWeaviate.StartAsync();
        await Record.ExceptionAsync(() => server.Client().UpdateShardStatusAsync("Memory", "tenant a/b", ShardStatuses.Ready));
        Assert.Equal("/v1/schema/Memory/shards/tenant%20a%2Fb", server.Requests.Single().RawTarget);
    }

    private static async Task UnderGerman(Func<Task> test)
    {
        var (culture, ui) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            await test();
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = ui;
        }
    }
}
