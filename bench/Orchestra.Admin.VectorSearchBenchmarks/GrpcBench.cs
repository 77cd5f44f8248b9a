using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Orchestra.Admin.Benchmarks.Shared;
using Orchestra.Admin.Data.Weaviate.Grpc;
using Orchestra.Admin.Features.VectorSearch;
using static Orchestra.Admin.Benchmarks.Shared.BenchProgram;

namespace Orchestra.Admin.VectorSearchBenchmarks;

/// <summary>
/// <c>--grpc</c> (issue 17), on the same dataset and search as the GraphQL benchmark (1,000 hits of 1,536 dimensions):
/// (a) the dashboard's <see cref="GrpcVectorSearch"/> against the bare gRPC call of the same <c>SearchRequest</c> to the
/// same emulator (target: overhead ≤ 5 %); (b) the dashboard's search over gRPC against the same search over GraphQL, end
/// to end. Paired rounds only, each comparison its own run of rounds.
/// </summary>
internal static class GrpcBench
{
    public const int DefaultRounds = 1000;
    public const int WarmupRounds = 50;
    public const double TargetPercent = 5;
    private const string RoundsVariable = "BENCH_GRPC_ROUNDS";

    public static async Task<int> RunAsync(BenchProgram bench, int objects)
    {
        var rounds = int.TryParse(Environment.GetEnvironmentVariable(RoundsVariable), out var r) && r >= 20 ? r : DefaultRounds;
        Log($"Starting the emulator (REST and gRPC) and loading {objects:N0} objects…");
        await using var dataset = await BenchDataset.CreateAsync(objects, grpc: true);
        var grpcUrl = dataset.GrpcUrl!;
        Log($"Dataset ready in {dataset.BuildTime.TotalSeconds:0.0} s: {dataset.Figures}; gRPC at {grpcUrl}.");
        var request = dataset.Request;

        await using var app = new AppSide(dataset.Url, BenchDataset.ApiKey, grpcUrl);
        var grpc = app.Grpc!;
        // As on the page: the class is picked first (schema and vector dimension, cached per class and per search service).
        foreach (var search in new IVectorSearch[] { grpc, app.Search })
            if ((await search.DescribeClassAsync(BenchDataset.ClassName)).VectorDimensions != BenchDataset.Dimensions)
                throw new InvalidOperationException($"the class's vectors should have {BenchDataset.Dimensions} dimensions");

        // What GrpcVectorSearch hands to the app's gRPC client, as bytes: the raw side sends exactly these.
        var recording = new RecordingGrpcClient(app.Services.GetRequiredService<IWeaviateGrpcClient>());
        var recorded = await new GrpcVectorSearch(recording, new SearchClasses(app.Services)).SearchAsync(request);
        var requestBytes = recording.LastSearch ?? throw new InvalidOperationException("GrpcVectorSearch sent no SearchRequest");
        using var raw = new RawGrpcSide(grpcUrl, BenchDataset.ApiKey, requestBytes);
        var rawReply = await raw.SearchAsync();
        var appResult = await grpc.SearchAsync(request);
        var graphQLResult = await app.SearchAsync(request);

        // The sides must do the same search: the same request bytes, the same 1,000 hits in the same order.
        if (!raw.Request.ToByteArray().AsSpan().SequenceEqual(requestBytes))
            throw new InvalidOperationException("the raw SearchRequest's bytes differ from the app's");
        if (appResult.Query != recorded.Query || appResult.Query != GrpcSearchQuery.Show(raw.Request, foldVectors: false))
            throw new InvalidOperationException("the app's gRPC search sent another request than the one recorded");
        var rawIds = rawReply.Results.Select(h => Guid.Parse(h.Metadata.Id)).ToList();
        var appIds = appResult.Hits.Select(h => h.Id).ToList();
        if (rawIds.Count != BenchDataset.Limit || appIds.Count != BenchDataset.Limit || graphQLResult.Hits.Count != BenchDataset.Limit)
            throw new InvalidOperationException($"expected {BenchDataset.Limit} hits; raw gRPC {rawIds.Count}, app gRPC {appIds.Count}, app GraphQL {graphQLResult.Hits.Count}");
        if (!rawIds.SequenceEqual(appIds))
            throw new InvalidOperationException("the app's gRPC hits differ from the raw gRPC reply's");
        if (!appIds.SequenceEqual(graphQLResult.Hits.Select(h => h.Id)))
            throw new InvalidOperationException("the gRPC and GraphQL searches found other hits or another order");
        var distanceGap = appResult.Hits.Zip(graphQLResult.Hits, (g, q) => Math.Abs(g.Distance!.Value - q.Distance!.Value)).Max();
        if (distanceGap > 1e-6)
            throw new InvalidOperationException($"gRPC and GraphQL distances differ by up to {distanceGap:g3}");

        Log($"Request: {requestBytes.Length / 1024.0:0.0} KB of protobuf (the vector as {BenchDataset.Dimensions:N0} packed float32); "
            + $"reply {rawReply.CalculateSize() / 1024.0:0} KB of protobuf, {BenchDataset.Limit:N0} hits (distances {appResult.Hits[0].Distance:0.0000}–{appResult.Hits[^1].Distance:0.0000}).");
        Log($"Checked: the raw call sends the app's SearchRequest byte for byte and gets the app's 1,000 hits in the same order; "
            + $"the GraphQL search finds the same 1,000 in the same order (distances equal to {distanceGap:g2}).");

        Log($"(a) Timing {rounds:N0} paired rounds after {WarmupRounds} warm-up rounds ({RoundsVariable}): raw gRPC call, app's gRPC search, order reversed every round…");
        var overhead = await PairedCheck.RunAsync(rounds, WarmupRounds, raw.SearchAsync, () => grpc.SearchAsync(request));
        var a = overhead.Spread(1, 0);
        Log($"(b) Timing {rounds:N0} paired rounds after {WarmupRounds} warm-up rounds: app's search over gRPC, over GraphQL…");
        var protocols = await PairedCheck.RunAsync(rounds, WarmupRounds, () => grpc.SearchAsync(request), () => app.SearchAsync(request));
        var b = protocols.Spread(1, 0);

        Console.WriteLine();
        Log($"Dataset: {dataset.Figures}.");
        Log($"Search: nearVector, limit {BenchDataset.Limit:N0}, properties content + metadata, metadata id distance certainty; request {requestBytes.Length / 1024.0:0.0} KB, reply {rawReply.CalculateSize() / 1024.0:0} KB.");
        Log($"(a) app's gRPC search / raw gRPC call, per round: {a.Ratio()}; medians app {overhead.MedianMs(1):0.00} ms, raw {overhead.MedianMs(0):0.00} ms.");
        Log($"(b) app over GraphQL / app over gRPC, per round: {b.Ratio()}; medians GraphQL {protocols.MedianMs(1):0.00} ms, gRPC {protocols.MedianMs(0):0.00} ms.");
        bench.LogEnd(dataset.BuildTime);
        Console.WriteLine($"vector search over gRPC, 1,000 hits of 1,536 dimensions: app / raw gRPC call = overhead {a.Overhead()} ({a.Verdict(TargetPercent)})");
        Console.WriteLine($"vector search, same search end to end: GraphQL / gRPC = {b.Median:0.00}× (95 % CI {b.CiLow:0.00}–{b.CiHigh:0.00}×, p10–p90 {b.P10:0.00}–{b.P90:0.00}×): gRPC {protocols.MedianMs(0):0.00} ms, GraphQL {protocols.MedianMs(1):0.00} ms (medians)");
        return 0;
    }
}
