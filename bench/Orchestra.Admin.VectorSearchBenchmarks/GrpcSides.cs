using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Orchestra.Admin.Data.Weaviate.Grpc;
using V1 = Weaviate.V1;

namespace Orchestra.Admin.VectorSearchBenchmarks;

/// <summary>
/// The bare gRPC call: a <see cref="GrpcChannel"/> with the app's connection settings, the generated
/// <c>Weaviate.WeaviateClient</c>, the same <c>authorization</c> metadata, and the <c>SearchRequest</c> the app sends,
/// parsed once from its bytes, up front. The reply is read into the generated <c>SearchReply</c>, as any gRPC client reads
/// it, and nothing more: no deadline, no retry policy, no circuit breaker, no hits built.
/// </summary>
public sealed class RawGrpcSide : IDisposable
{
    private readonly GrpcChannel channel;
    private readonly V1.Weaviate.WeaviateClient client;
    private readonly Metadata headers;

    public RawGrpcSide(Uri grpcUrl, string apiKey, byte[] requestBytes)
    {
        // As WeaviateGrpcClient's channel, without its service config (the retry policy).
        channel = GrpcChannel.ForAddress(grpcUrl, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), EnableMultipleHttp2Connections = true },
            MaxReceiveMessageSize = 128 * 1024 * 1024,
        });
        client = new V1.Weaviate.WeaviateClient(channel);
        headers = new Metadata { { "authorization", $"Bearer {apiKey}" } };
        Request = V1.SearchRequest.Parser.ParseFrom(requestBytes);
    }

    /// <summary>The request as sent (its bytes are checked against what the app's search hands to its client).</summary>
    public V1.SearchRequest Request { get; }

    public async Task<V1.SearchReply> SearchAsync() => await client.SearchAsync(Request, headers);

    public void Dispose() => channel.Dispose();
}

/// <summary>
/// The app's gRPC client with the bytes of the last <c>SearchRequest</c> it was given kept: used once, before measuring, to
/// check that the raw side sends what <see cref="Features.VectorSearch.GrpcVectorSearch"/> sends.
/// </summary>
public sealed class RecordingGrpcClient(IWeaviateGrpcClient inner) : IWeaviateGrpcClient
{
    public byte[]? LastSearch { get; private set; }

    public Uri Url => inner.Url;

    public Task<V1.SearchReply> SearchAsync(V1.SearchRequest request, CancellationToken ct = default)
    {
        LastSearch = request.ToByteArray();
        return inner.SearchAsync(request, ct);
    }

    public Task<long> CountObjectsAsync(string className, CancellationToken ct = default) => inner.CountObjectsAsync(className, ct);

    public Task<GrpcHealth> CheckHealthAsync(CancellationToken ct = default) => inner.CheckHealthAsync(ct);
}
