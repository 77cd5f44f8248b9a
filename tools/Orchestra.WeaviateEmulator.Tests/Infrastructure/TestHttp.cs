using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Orchestra.WeaviateEmulator.Tests;

/// <summary>Small HTTP helpers: JSON bodies in, JsonNode out, and GraphQL with the request validated against the spec.</summary>
public static class TestHttp
{
    public static StringContent Json(JsonNode body) => Json(body.ToJsonString());

    public static StringContent Json(string text)
    {
        var content = new StringContent(text, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    public static async Task<JsonNode?> ReadJson(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    /// <summary>POST /v1/graphql (request body validated as GraphQLQuery); asserts HTTP 200 and returns the body.</summary>
    public static async Task<JsonObject> GraphQL(this HttpClient client, string query, JsonObject? variables = null, bool validateResponse = true)
    {
        var body = new JsonObject { ["query"] = query };
        if (variables is not null)
            body["variables"] = variables;
        OpenApiContract.Instance.AssertRequest("/graphql", "post", body);
        using var response = await client.PostAsync("v1/graphql", Json(body));
        Assert.Equal(200, (int)response.StatusCode);
        var parsed = validateResponse
            ? await OpenApiContract.Instance.AssertResponse(response, "/graphql", "post")
            : await response.ReadJson();
        return parsed!.AsObject();
    }

    /// <summary>data.Get.{className}, asserting there are no errors.</summary>
    public static async Task<JsonArray> Get(this HttpClient client, string className, string arguments, string fields)
    {
        var args = arguments.Length == 0 ? "" : $"({arguments})";
        var result = await client.GraphQL($"{{ Get {{ {className}{args} {{ {fields} }} }} }}");
        Assert.True(result["errors"] is null, $"unexpected GraphQL errors: {result["errors"]?.ToJsonString()}");
        return result["data"]!["Get"]![className]!.AsArray();
    }

    /// <summary>The single error message of a GraphQL answer that must have failed.</summary>
    public static string SingleError(JsonObject result)
    {
        var errors = result["errors"]?.AsArray();
        Assert.True(errors is { Count: 1 }, $"expected exactly one GraphQL error, got: {result.ToJsonString()}");
        return errors![0]!["message"]!.GetValue<string>();
    }
}
