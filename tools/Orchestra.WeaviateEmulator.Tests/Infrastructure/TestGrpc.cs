using System.Buffers.Binary;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Weaviate.V1;
using WeaviateGrpc = Weaviate.V1.Weaviate;

namespace Orchestra.WeaviateEmulator.Tests;

/// <summary>A real gRPC client (Grpc.Net.Client + the generated stubs) for an emulator's gRPC port.</summary>
public sealed class TestGrpc : IDisposable
{
    private readonly GrpcChannel _channel;

    public TestGrpc(RunningEmulator emulator, string? apiKey = null)
    {
        _channel = GrpcChannel.ForAddress(emulator.GrpcUrl ?? throw new InvalidOperationException("the emulator has no gRPC port"));
        Client = new WeaviateGrpc.WeaviateClient(_channel);
        Health = new Grpc.Health.V1.Health.HealthClient(_channel);
        Headers = apiKey is null ? [] : new Metadata { { "authorization", $"Bearer {apiKey}" } };
    }

    public WeaviateGrpc.WeaviateClient Client { get; }
    public Grpc.Health.V1.Health.HealthClient Health { get; }
    public Metadata Headers { get; }

    public Task<SearchReply> Search(SearchRequest request) => Client.SearchAsync(request, Headers).ResponseAsync;

    /// <summary>The RpcException a call must fail with.</summary>
    public static async Task<RpcException> Fails(Func<Task> call) => await Assert.ThrowsAsync<RpcException>(call);

    public static ByteString Bytes(float[] vector)
    {
        var bytes = new byte[vector.Length * 4];
        for (var i = 0; i < vector.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), vector[i]);
        return ByteString.CopyFrom(bytes);
    }

    public static float[] Floats(ByteString bytes)
    {
        var result = new float[bytes.Length / 4];
        for (var i = 0; i < result.Length; i++)
            result[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Span.Slice(i * 4, 4));
        return result;
    }

    /// <summary>What current clients ask for: the uuid and the given metadata, every property (uses_123/125/127_api set).</summary>
    public static SearchRequest Request(string collection, uint limit = 0, Action<MetadataRequest>? metadata = null)
    {
        var asked = new MetadataRequest { Uuid = true };
        metadata?.Invoke(asked);
        return new SearchRequest
        {
            Collection = collection,
            Limit = limit,
            Metadata = asked,
            Properties = new PropertiesRequest { ReturnAllNonrefProperties = true },
#pragma warning disable CS0612 // the deprecated flags are what weaviate-client 3.14.0 sends
            Uses123Api = true,
            Uses125Api = true,
#pragma warning restore CS0612
            Uses127Api = true,
        };
    }

    public void Dispose() => _channel.Dispose();
}
