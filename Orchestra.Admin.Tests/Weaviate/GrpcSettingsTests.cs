using Microsoft.Extensions.Configuration;
using Orchestra.Admin.Hosting;

namespace Orchestra.Admin.Tests.Weaviate;

/// <summary>Where the gRPC endpoint is, and which protocol searches take, as start-up reads them.</summary>
public sealed class GrpcSettingsTests
{
    private static OrchestraAdminOptions Load(params (string Key, string Value)[] settings) => SettingsLoader.Load(new ConfigurationBuilder()
        .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))
            .Append(new(SettingsLoader.PostgresDsnKey, "postgresql://u:p@localhost:5432/orchestra")))
        .Build());

    [Fact]
    public void Without_WEAVIATE_GRPC_URL_the_endpoint_is_the_REST_host_on_port_50051_with_the_same_scheme()
    {
        Assert.Equal(new Uri("http://weaviate.internal:50051"), Load(("WEAVIATE_URL", "http://weaviate.internal:8080/prefix")).Weaviate.GrpcUrl);
        Assert.Equal(new Uri("https://cluster.example.com:50051"), Load(("WEAVIATE_URL", "https://cluster.example.com")).Weaviate.GrpcUrl);
        Assert.Null(Load().Weaviate.GrpcUrl);
    }

    [Fact]
    public void WEAVIATE_GRPC_URL_is_taken_as_given_and_a_bad_one_stops_start_up_with_one_line()
    {
        Assert.Equal(new Uri("http://grpc.internal:6000"),
            Load(("WEAVIATE_URL", "http://weaviate:8080"), ("WEAVIATE_GRPC_URL", "http://grpc.internal:6000/")).Weaviate.GrpcUrl);
        var e = Assert.Throws<SettingsException>(() => Load(("WEAVIATE_URL", "http://weaviate:8080"), ("WEAVIATE_GRPC_URL", "grpc.internal:6000")));
        Assert.Equal("WEAVIATE_GRPC_URL is not valid: expected an http:// (cleartext) or https:// URL such as http://localhost:50051 (value: grpc.internal:6000)", e.Message);
    }

    [Theory]
    [InlineData(null, "auto")]
    [InlineData("gRPC", "grpc")]
    [InlineData(" GraphQL ", "graphql")]
    public void The_search_protocol_is_auto_grpc_or_graphql(string? given, string expected)
    {
        var settings = given == null ? Load() : Load(("OrchestraAdmin:Weaviate:SearchProtocol", given));
        Assert.Equal(expected, settings.Weaviate.SearchProtocol);
    }

    [Fact]
    public void Another_search_protocol_stops_start_up()
    {
        var e = Assert.Throws<SettingsException>(() => Load(("OrchestraAdmin:Weaviate:SearchProtocol", "rest")));
        Assert.Equal("OrchestraAdmin:Weaviate:SearchProtocol must be auto, grpc or graphql (is 'rest')", e.Message);
    }
}
