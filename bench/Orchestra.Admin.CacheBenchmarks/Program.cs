using Orchestra.Admin.Benchmarks.Shared;
using Orchestra.Admin.CacheBenchmarks;
using Perfolizer.Horology;
using static Orchestra.Admin.Benchmarks.Shared.BenchProgram;

// The /cache key list on a cache table of 1,000,000 entries: page 1 and page 5,000 (100 keys a page, by the keyset cursor)
// through the app's CacheService.PageAsync, sorted by key (the primary key serves it) and by TTL (expires_at), in the same
// run (target: page 5,000 within 2× of page 1). Measured with the stack's indexes as they are (only the primary key), then
// with an index on (expires_at, key) created in this benchmark's throwaway database only (the dashboard never changes
// the stack's tables).
// Usage: dotnet run -c Release --project bench/Orchestra.Admin.CacheBenchmarks [-- BenchmarkDotNet options | --paired]
//   --paired: no BenchmarkDotNet; only the plans and the paired check (a quick look).
// BENCH_POSTGRES_DSN: a server to use instead of a throwaway cluster (BENCH_KEEP_DATABASE=1 keeps the database).
return await BenchProgram.RunAsync(args, RunAsync);

static async Task<int> RunAsync(BenchProgram bench)
{
    await using var database = await CacheBenchDatabase.CreateAsync(Log);

    await using var sides = await CachePagingSides.CreateAsync(database);
    var sorts = Enum.GetValues<CacheSort>();
    var setups = Enum.GetValues<IndexSetup>();
    var paired = new Dictionary<(IndexSetup, CacheSort), double>();
    foreach (var setup in setups)
    {
        await sides.SetIndexAsync(setup, Log);
        await sides.VerifyAsync();
        Log($"{Describe(setup)}: the app's page 1 and page 5,000 equal OFFSET's, by key and by TTL.");
        foreach (var sort in sorts)
        {
            foreach (var page in new[] { 1, CachePagingSides.DeepPage })
                Console.WriteLine($"--- plan, by {sort}, page {page:N0}, {Describe(setup)}\n{await sides.PlanAsync(sort, page)}");
            // Page 1 against page 5,000; two warm-up rounds.
            var check = await PairedCheck.RunAsync(11, 2, () => sides.PageAsync(sort, 1), () => sides.PageAsync(sort, CachePagingSides.DeepPage));
            paired[(setup, sort)] = check.MedianRatio(1, 0);
            Log($"Paired check, by {sort}, {Describe(setup)}: {check.Compare(0, "page 1", 1, "page 5,000")}; medians of {check.Rounds} rounds");
        }
    }

    CachePagingBenchmarks.Current = sides;
    var summary = bench.RunBenchmarks<CachePagingBenchmarks>(
        BenchConfig.InProcess("orchestra-cachebench-artifacts", warmupCount: 3, iterationCount: 20, timeUnit: TimeUnit.Millisecond));

    Console.WriteLine();
    Log($"Dataset: {database.Figures}.");
    bench.LogEnd(database.BuildTime);
    var exitCode = 0;
    foreach (var setup in setups)
    {
        foreach (var sort in sorts)
        {
            var (first, deep) = sort == CacheSort.Key
                ? (nameof(CachePagingBenchmarks.KeyPage1), nameof(CachePagingBenchmarks.KeyPage5000))
                : (nameof(CachePagingBenchmarks.ExpiryPage1), nameof(CachePagingBenchmarks.ExpiryPage5000));
            var pairedRatio = paired[(setup, sort)];
            string line;
            if (summary.MeanMs(first, setup) is { } p1 && summary.MeanMs(deep, setup) is { } p5000)
            {
                var ratio = p5000 / p1;
                line = $"cache key list by {sort}: page 5,000 / page 1 = {ratio:0.00}× (target ≤ 2×{(ratio <= 2 ? "" : ": missed")}) — {Describe(setup)} " +
                       $"(means {p1:0.###} / {p5000:0.###} ms; paired median {pairedRatio:0.00}×)";
                if (setup == IndexSetup.StackOnly && ratio > 2) exitCode = 1;
            }
            else
            {
                line = $"cache key list by {sort}: page 5,000 / page 1 = {pairedRatio:0.00}× (target ≤ 2×{(pairedRatio <= 2 ? "" : ": missed")}) — {Describe(setup)} (paired check only)";
            }
            Console.WriteLine(line);
        }
    }
    return exitCode;
}

static string Describe(IndexSetup setup) => setup == IndexSetup.StackOnly
    ? "the stack's indexes (primary key on key only)"
    : $"with {CachePagingSides.ExpiryIndexSql.Replace("CREATE INDEX " + CachePagingSides.ExpiryIndexName + " ", "an index ")}";
