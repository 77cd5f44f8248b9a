using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchestra.Admin.Benchmarks.Shared;
using Orchestra.Admin.Data.Weaviate;
using Orchestra.Admin.Features.VectorSearch;
using Orchestra.Admin.VectorSearchBenchmarks;
using static Orchestra.Admin.Benchmarks.Shared.BenchProgram;

// The /vectors page's search: the dashboard's own overhead per search against the raw HTTP round trip to the same
// emulator, in the same run (issue 6: overhead ≤ 10 % of the round trip).
// Usage: dotnet run -c Release --project bench/Orchestra.Admin.VectorSearchBenchmarks [-- BenchmarkDotNet options | --paired | --profile | --text | --grpc]
//   --paired: no BenchmarkDotNet; only the paired check (BENCH_PAIRED_ROUNDS rounds, default 1,000); with BENCH_PAIRED_SELF=1,
//     then the raw round trip against itself (the check's own bias and spread on the machine as it is).
//   --profile: no BenchmarkDotNet; each step of a search timed, to see where the overhead goes.
//   --text: only search by text against nearVector on the demo Memory class (issue 16; TextSearchBench, BENCH_TEXT_ROUNDS).
//   --grpc: only the gRPC comparisons (issue 17; GrpcBench, BENCH_GRPC_ROUNDS): the app against the raw gRPC call, gRPC against GraphQL.
// BENCH_OBJECTS: objects in the class (default 4,000; at least 1,000). See docs/benchmarks.md.
return await BenchProgram.RunAsync(args, RunAsync);

static async Task<int> RunAsync(BenchProgram bench)
{
    if (bench.Args.Contains("--text")) return await TextSearchBench.RunAsync(bench);

    var objects = int.TryParse(Environment.GetEnvironmentVariable("BENCH_OBJECTS"), out var n) && n >= BenchDataset.Limit ? n : BenchDataset.DefaultObjects;
    if (bench.Args.Contains("--grpc")) return await GrpcBench.RunAsync(bench, objects);
    // Enough rounds for the median's 95 % interval to be a few points wide on a shared machine (100 were not: issue 17).
    var pairedRounds = int.TryParse(Environment.GetEnvironmentVariable("BENCH_PAIRED_ROUNDS"), out var p) && p >= 20 ? p : 1000;
    Log($"Starting the emulator and loading {objects:N0} objects…");
    await using var dataset = await BenchDataset.CreateAsync(objects);
    Log($"Dataset ready in {dataset.BuildTime.TotalSeconds:0.0} s: {dataset.Figures}.");

    var request = dataset.Request;

    await using var app = new AppSide(dataset.Url, BenchDataset.ApiKey);
    // As on the page: the operator picks the class first (the schema, the class's vector dimension: cached for a
    // minute per class), then searches. The query text is the one the page shows, taken once.
    var info = await app.Search.DescribeClassAsync(BenchDataset.ClassName);
    if (info.VectorDimensions != BenchDataset.Dimensions)
        throw new InvalidOperationException($"the class's vectors should have {BenchDataset.Dimensions} dimensions, the app found {info.VectorDimensions}");
    var query = await app.Search.PreviewAsync(request);
    var appResult = await app.SearchAsync(request);

    using var raw = new RawSide(dataset.Url, BenchDataset.ApiKey, query);
    var rawBody = await raw.RoundTripAsync();

    // Both sides must do the same search: the same body on the wire, the same 1,000 hits in the same order.
    var appBody = Encoding.UTF8.GetBytes(WeaviateJson.Serialize(new GraphQLQuery(query)));
    if (!raw.Body.Span.SequenceEqual(appBody))
        throw new InvalidOperationException("the raw request body differs from the one the app's client sends");
    if (appResult.Query != query)
        throw new InvalidOperationException("SearchAsync sent a different query than PreviewAsync showed");
    using (var json = JsonDocument.Parse(rawBody))
    {
        var rows = json.RootElement.GetProperty("data").GetProperty("Get").GetProperty(BenchDataset.ClassName).EnumerateArray()
            .Select(r => Guid.Parse(r.GetProperty("_additional").GetProperty("id").GetString()!)).ToList();
        if (rows.Count != BenchDataset.Limit || appResult.Hits.Count != BenchDataset.Limit)
            throw new InvalidOperationException($"expected {BenchDataset.Limit} hits; raw {rows.Count}, app {appResult.Hits.Count}");
        if (!rows.SequenceEqual(appResult.Hits.Select(h => h.Id)))
            throw new InvalidOperationException("the app's hits differ from the raw answer's");
    }

    // The class as the search caches it: the schema's entry for it.
    var cls = (await app.Services.GetRequiredService<IWeaviateClient>().GetSchemaAsync()).FindClass(BenchDataset.ClassName)!;
    var cpu = new CpuSide(request, cls, info, rawBody);
    if (cpu.ParseResponse().Count != BenchDataset.Limit) throw new InvalidOperationException("the canned answer does not parse to 1,000 hits");

    Log($"Query: {query.Length / 1024.0:0.0} KB of GraphQL ({query[..Math.Min(query.Length, 70)]}…{query[^Math.Min(query.Length, 80)..]}).");
    Log($"Answer: {rawBody.Length / 1024.0:0} KB of JSON, {BenchDataset.Limit:N0} hits (distances {appResult.Hits[0].Distance:0.0000}–{appResult.Hits[^1].Distance:0.0000}); both sides checked to send the same body and get the same hits.");

    if (bench.Profile)
    {
        await Profile.RunAsync(app, raw, cpu, request, query);
        return 0;
    }

    VectorSearchBenchmarks.Current = new BenchRun(dataset, request, app, raw, cpu);
    // A search takes tens of milliseconds, so BenchmarkDotNet picks how many searches make one iteration (about half a
    // second); 5 warm-up and 30 measured iterations per benchmark.
    var summary = bench.RunBenchmarks<VectorSearchBenchmarks>(
        BenchConfig.InProcess("orchestra-vector-bench-artifacts", warmupCount: 5, iterationCount: 30, oneCallPerIteration: false, memory: true));

    // The raw round trip first on even rounds, the app's search first on odd ones, after 50 warm-up rounds.
    Log($"Paired check: {pairedRounds:N0} rounds (BENCH_PAIRED_ROUNDS) after 50 warm-up rounds…");
    var check = await PairedCheck.RunAsync(pairedRounds, 50, raw.RoundTripAsync, () => app.SearchAsync(request));
    var spread = check.Spread(1, 0);
    var pairMedian = spread.Median;

    Console.WriteLine();
    Log($"Dataset: {dataset.Figures}.");
    Log($"Search: nearVector, limit {BenchDataset.Limit:N0}, properties content + metadata, _additional id distance certainty; query {query.Length / 1024.0:0.0} KB, answer {rawBody.Length / 1024.0:0} KB.");
    if (summary.MeanMs(nameof(VectorSearchBenchmarks.CpuOnly)) is { } cpuMs && summary.MeanMs(nameof(VectorSearchBenchmarks.Raw)) is { } rawForCpu)
        Log($"The app's CPU work alone (build the request, parse the 1,000 hits): {cpuMs:0.00} ms = {cpuMs / rawForCpu * 100:0.0} % of the round trip.");
    Log($"Paired check ({check.Rounds:N0} alternating searches per side, median of the per-pair ratios): app/raw {spread.Ratio()}; medians app {check.MedianMs(1):0.00} ms, raw {check.MedianMs(0):0.00} ms.");
    bench.LogEnd(dataset.BuildTime);
    if (summary.MeanMs(nameof(VectorSearchBenchmarks.App)) is { } appMean && summary.MeanMs(nameof(VectorSearchBenchmarks.Raw)) is { } rawMean)
    {
        var overhead = (appMean - rawMean) / rawMean * 100;
        Log($"The app's own time per search (BenchmarkDotNet means): {appMean - rawMean:0.00} ms.");
        // BenchmarkDotNet measures one side after the other: a change of load in between moves its figure, not the paired one.
        if (Math.Abs(overhead - (pairMedian - 1) * 100) > 10)
            Log($"BenchmarkDotNet's figure ({overhead:0.0} %) and the paired check ({(pairMedian - 1) * 100:0.0} %) disagree by more than 10 points: the load changed during the run (see the load average above). Trust the paired check, or run again on a quieter machine.");
        Console.WriteLine($"vector search, 1,000 hits of 1,536 dimensions: app {appMean:0.00} ms vs raw round trip {rawMean:0.00} ms = overhead {overhead:0.0} % (target ≤ 10 %{(overhead <= 10 ? "" : ": missed")})");
        return 0;
    }
    if (bench.PairedOnly)
    {
        if (Environment.GetEnvironmentVariable("BENCH_PAIRED_SELF") == "1")
        {
            // The raw round trip against itself: what the check reports when there is no difference, on the machine as it is now.
            var self = (await PairedCheck.RunAsync(pairedRounds, 50, raw.RoundTripAsync, raw.RoundTripAsync)).Spread(1, 0);
            Console.WriteLine($"paired check's self-test, the raw round trip against itself: {self.Overhead()} (no difference should be found: the interval should hold 0)");
        }
        Console.WriteLine($"vector search, 1,000 hits of 1,536 dimensions: app / raw round trip = overhead {spread.Overhead()} ({spread.Verdict(10)}) (paired check only)");
        return 0;
    }
    Console.WriteLine("vector search, 1,000 hits of 1,536 dimensions: no result (see BenchmarkDotNet's output above).");
    return 1;
}
