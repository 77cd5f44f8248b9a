using Orchestra.Admin.Benchmarks.Shared;
using Orchestra.Admin.DocumentsBenchmarks;
using Perfolizer.Horology;
using static Orchestra.Admin.Benchmarks.Shared.BenchProgram;

// The /documents grid on one collection of 1,000,000 documents: page 1 and page 10,000 by keyset (the app's
// DocumentsService.PageAsync) against OFFSET (the same statement with OFFSET 249,975), in the same run (issue 7: keyset
// at depth within 2× of page 1; the OFFSET ratio reported beside it). Measured three times: with the stack's indexes as
// they are (the dashboard never changes the stack's tables), with the index (collection, created_at DESC, id DESC), and
// with an index on the grid's own sort key, each created in this benchmark's throwaway database only.
// Usage: dotnet run -c Release --project bench/Orchestra.Admin.DocumentsBenchmarks [-- BenchmarkDotNet options | --paired]
//   --paired: no BenchmarkDotNet; only the plans and the paired check (a quick look, about 3 minutes).
// BENCH_POSTGRES_DSN: a server to use instead of a throwaway cluster (BENCH_KEEP_DATABASE=1 keeps the database).
return await BenchProgram.RunAsync(args, RunAsync);

static async Task<int> RunAsync(BenchProgram bench)
{
    await using var database = await DocumentsBenchDatabase.CreateAsync(Log);

    await using var sides = await PagingSides.CreateAsync(database);
    Log($"Columns shown (the grid's first four keys): {string.Join(", ", sides.Columns)}. Page 10,000 starts after row {PagingSides.DeepOffset:N0} " +
        $"(cursor {sides.DeepCursor.At:O}, {sides.DeepCursor.Id}).");

    var setups = new[] { IndexSetup.StackOnly, IndexSetup.CreatedAtIndex, IndexSetup.SortKeyIndex };
    var paired = new Dictionary<IndexSetup, (double Keyset, double Offset)>();
    foreach (var setup in setups)
    {
        await sides.SetIndexAsync(setup, Log);
        await sides.VerifyAsync();
        Log($"{PagingSides.Describe(setup)}: keyset and OFFSET return the same 25 documents on page 1 and on page 10,000.");
        foreach (var page in new[] { 1, PagingSides.DeepPage })
        {
            var (keysetPlan, offsetPlan) = await sides.PlansAsync(page);
            Console.WriteLine($"--- plan, keyset page {page:N0}, {PagingSides.Describe(setup)}\n{keysetPlan}");
            Console.WriteLine($"--- plan, OFFSET page {page:N0}, {PagingSides.Describe(setup)}\n{offsetPlan}");
        }
        // Keyset page 1 and page 10,000, OFFSET page 1 and page 10,000 (the reverse order every other round); two warm-up rounds.
        var check = await PairedCheck.RunAsync(11, 2,
            () => sides.KeysetAsync(1), () => sides.KeysetAsync(PagingSides.DeepPage),
            () => sides.OffsetAsync(1), () => sides.OffsetAsync(PagingSides.DeepPage));
        paired[setup] = (check.MedianRatio(1, 0), check.MedianRatio(3, 2));
        Log($"Paired check, {PagingSides.Describe(setup)}: {check.Compare(0, "keyset page 1", 1, "page 10,000")}; " +
            $"{check.Compare(2, "OFFSET page 1", 3, "page 10,000")}; medians of {check.Rounds} rounds");
    }

    DocumentsPagingBenchmarks.Current = sides;
    // One page read per iteration (from 1.5 ms to 2 s), 3 warm-up and 20 measured iterations per case.
    var summary = bench.RunBenchmarks<DocumentsPagingBenchmarks>(
        BenchConfig.InProcess("orchestra-docbench-artifacts", warmupCount: 3, iterationCount: 20, timeUnit: TimeUnit.Millisecond));

    Console.WriteLine();
    Log($"Dataset: {database.Figures}.");
    bench.LogEnd(database.BuildTime);
    var exitCode = 0;
    foreach (var setup in setups)
    {
        var (pairedKeyset, pairedOffset) = paired[setup];
        string line;
        if (summary.MeanMs(nameof(DocumentsPagingBenchmarks.KeysetPage1), setup) is { } k1
            && summary.MeanMs(nameof(DocumentsPagingBenchmarks.KeysetPage10000), setup) is { } k10
            && summary.MeanMs(nameof(DocumentsPagingBenchmarks.OffsetPage1), setup) is { } o1
            && summary.MeanMs(nameof(DocumentsPagingBenchmarks.OffsetPage10000), setup) is { } o10)
        {
            line = $"documents keyset: page 10,000 / page 1 = {k10 / k1:0.00}× (target ≤ 2×{(k10 / k1 <= 2 ? "" : ": missed")}); " +
                   $"OFFSET: page 10,000 / page 1 = {o10 / o1:0.00}× — {PagingSides.Describe(setup)} " +
                   $"(means: keyset {k1:0.###} / {k10:0.###} ms, OFFSET {o1:0.###} / {o10:0.###} ms; paired medians {pairedKeyset:0.00}× and {pairedOffset:0.00}×)";
            if (setup == IndexSetup.StackOnly && k10 / k1 > 2) exitCode = 1;
        }
        else
        {
            line = $"documents keyset: page 10,000 / page 1 = {pairedKeyset:0.00}× (target ≤ 2×{(pairedKeyset <= 2 ? "" : ": missed")}); " +
                   $"OFFSET: page 10,000 / page 1 = {pairedOffset:0.00}× — {PagingSides.Describe(setup)} (paired check only)";
        }
        Console.WriteLine(line);
    }
    return exitCode;
}
