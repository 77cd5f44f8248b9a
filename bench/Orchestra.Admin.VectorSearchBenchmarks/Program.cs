using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Microsoft.Extensions.DependencyInjection;
using Orchestra.Admin.Data.Weaviate;
using Orchestra.Admin.Features.VectorSearch;
using Orchestra.Admin.VectorSearchBenchmarks;

// The /vectors page's search: the dashboard's own overhead per search against the raw HTTP round trip to the same
// emulator, in the same run (issue 6: overhead ≤ 10 % of the round trip).
// Usage: dotnet run -c Release --project bench/Orchestra.Admin.VectorSearchBenchmarks [-- BenchmarkDotNet options | --profile]
//   --profile: no BenchmarkDotNet; each step of a search timed, to see where the overhead goes.
// BENCH_OBJECTS: objects in the class (default 4,000; at least 1,000). See docs/benchmarks.md.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var total = Stopwatch.StartNew();
void Log(string line) => Console.WriteLine($"[bench] {line}");
string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
var loadAtStart = LoadAverage();

var objects = int.TryParse(Environment.GetEnvironmentVariable("BENCH_OBJECTS"), out var n) && n >= BenchDataset.Limit ? n : BenchDataset.DefaultObjects;
Log($"Starting the emulator and loading {objects:N0} objects…");
await using var dataset = await BenchDataset.CreateAsync(objects);
Log($"Dataset ready in {dataset.BuildTime.TotalSeconds:0.0} s: {dataset.Figures}.");

var request = new SearchRequest
{
    ClassName = BenchDataset.ClassName,
    Mode = SearchMode.NearVector,
    VectorText = dataset.QueryVectorText,
    Properties = ["content", "metadata"],
    Limit = BenchDataset.Limit,
};

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

if (args.Contains("--profile"))
{
    await Profile.RunAsync(app, raw, cpu, request, query);
    return 0;
}

VectorSearchBenchmarks.Current = new BenchRun(dataset, request, app, raw, cpu);
// In process: the emulator belongs to this process. A search takes tens of milliseconds, so BenchmarkDotNet picks
// how many searches make one iteration (about half a second); 5 warm-up and 30 measured iterations per benchmark.
var job = Job.Default
    .WithToolchain(InProcessEmitToolchain.Instance)
    .WithWarmupCount(5)
    .WithIterationCount(30)
    .WithId("InProcess");
var config = DefaultConfig.Instance
    .AddJob(job)
    .AddDiagnoser(MemoryDiagnoser.Default)
    .AddColumn(StatisticColumn.Median, StatisticColumn.Min, StatisticColumn.Max)
    .WithSummaryStyle(SummaryStyle.Default.WithRatioStyle(RatioStyle.Value))
    .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "orchestra-vector-bench-artifacts"))
    .WithOptions(ConfigOptions.JoinSummary);
var summary = BenchmarkRunner.Run<VectorSearchBenchmarks>(config, args);

// A check on BenchmarkDotNet's figure that shrugs off drifting load from other processes: the two sides in alternation,
// the order swapped every round, the median of the per-pair ratios.
const int Pairs = 100;
var pairRatios = new List<double>();
var appTimes = new List<double>();
var rawTimes = new List<double>();
async Task<double> TimeAsync(Func<Task> search)
{
    var started = Stopwatch.GetTimestamp();
    await search();
    return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
}
for (var round = 0; round < Pairs; round++)
{
    double appMs, rawMs;
    if (round % 2 == 0)
    {
        rawMs = await TimeAsync(raw.RoundTripAsync);
        appMs = await TimeAsync(() => app.SearchAsync(request));
    }
    else
    {
        appMs = await TimeAsync(() => app.SearchAsync(request));
        rawMs = await TimeAsync(raw.RoundTripAsync);
    }
    pairRatios.Add(appMs / rawMs);
    appTimes.Add(appMs);
    rawTimes.Add(rawMs);
}
pairRatios.Sort();
appTimes.Sort();
rawTimes.Sort();
double Median(List<double> sorted) => sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;

double? MeanMs(string method) =>
    summary.Reports.FirstOrDefault(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method)?.ResultStatistics?.Mean / 1e6;

Console.WriteLine();
Log($"Dataset: {dataset.Figures}.");
Log($"Search: nearVector, limit {BenchDataset.Limit:N0}, properties content + metadata, _additional id distance certainty; query {query.Length / 1024.0:0.0} KB, answer {rawBody.Length / 1024.0:0} KB.");
if (MeanMs(nameof(VectorSearchBenchmarks.CpuOnly)) is { } cpuMs && MeanMs(nameof(VectorSearchBenchmarks.Raw)) is { } rawForCpu)
    Log($"The app's CPU work alone (build the request, parse the 1,000 hits): {cpuMs:0.00} ms = {cpuMs / rawForCpu * 100:0.0} % of the round trip.");
var pairMedian = Median(pairRatios);
Log($"Paired check ({Pairs} alternating searches per side, median of the per-pair ratios): app/raw {pairMedian:0.000} = overhead {(pairMedian - 1) * 100:0.0} % (range {pairRatios[0]:0.00}–{pairRatios[^1]:0.00}; medians app {Median(appTimes):0.00} ms, raw {Median(rawTimes):0.00} ms).");
Log($"Total run time: {total.Elapsed.TotalMinutes:0.0} min (dataset {dataset.BuildTime.TotalSeconds:0.0} s); load average {loadAtStart} at the start, {LoadAverage()} at the end.");
if (MeanMs(nameof(VectorSearchBenchmarks.App)) is { } appMean && MeanMs(nameof(VectorSearchBenchmarks.Raw)) is { } rawMean)
{
    var overhead = (appMean - rawMean) / rawMean * 100;
    Log($"The app's own time per search (BenchmarkDotNet means): {appMean - rawMean:0.00} ms.");
    // BenchmarkDotNet measures one side after the other: a change of load in between moves its figure, not the paired one.
    if (Math.Abs(overhead - (pairMedian - 1) * 100) > 10)
        Log($"BenchmarkDotNet's figure ({overhead:0.0} %) and the paired check ({(pairMedian - 1) * 100:0.0} %) disagree by more than 10 points: the load changed during the run (see the load average above). Trust the paired check, or run again on a quieter machine.");
    Console.WriteLine($"vector search, 1,000 hits of 1,536 dimensions: app {appMean:0.00} ms vs raw round trip {rawMean:0.00} ms = overhead {overhead:0.0} % (target ≤ 10 %{(overhead <= 10 ? "" : ": missed")})");
    return 0;
}
Console.WriteLine("vector search, 1,000 hits of 1,536 dimensions: no result (see BenchmarkDotNet's output above).");
return 1;
