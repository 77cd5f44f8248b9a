using Orchestra.Admin.Benchmarks.Shared;
using Orchestra.Admin.Features.Sessions;
using Orchestra.Admin.SessionsBenchmarks;
using Perfolizer.Horology;
using static Orchestra.Admin.Benchmarks.Shared.BenchProgram;

// The /sessions list on 200,000 sessions: page 1 and page 2,000 (100 a page, reached by the keyset cursor) through the
// app's SessionsService.PageAsync, for the default sort (created, newest first) and the expiry sort, in one run (issue:
// page 2,000 within 2× of page 1). Measured with the stack's table as it is (primary key only: the dashboard never
// changes the stack's tables) and with the two indexes to advise, created in this benchmark's throwaway database only.
// First, in its own small database, the list's data for 1,000 sessions with 64 KB adversarial user agents against 1,000
// ordinary ones (issue 15: the user-agent parser's regex was quadratic), a paired check (target ≤ 2×).
// Usage: dotnet run -c Release --project bench/Orchestra.Admin.SessionsBenchmarks [-- BenchmarkDotNet options | --paired | --user-agents]
//   --paired: no BenchmarkDotNet; only the plans and the paired checks (a quick look).
//   --user-agents: only the user-agent comparison (about 30 s); --ua-rows N and --ua-kb N change its 1,000 rows of 64 KB.
// BENCH_POSTGRES_DSN: a server to use instead of a throwaway cluster (BENCH_KEEP_DATABASE=1 keeps the database).
return await BenchProgram.RunAsync(args, RunAsync);

static async Task<int> RunAsync(BenchProgram bench)
{
    var (userAgentLine, userAgentsMet) = await CompareUserAgentsAsync(bench);
    if (bench.Args.Contains("--user-agents"))
    {
        Console.WriteLine(userAgentLine);
        return userAgentsMet ? 0 : 1;
    }

    await using var database = await SessionsBenchDatabase.CreateAsync(Log);
    await using var sides = await SessionsPagingSides.CreateAsync(database, Log);

    var setups = new[] { IndexSetup.StackOnly, IndexSetup.AdvisedIndexes };
    var paired = new Dictionary<(IndexSetup, SessionSort), double>();
    foreach (var setup in setups)
    {
        await sides.SetIndexAsync(setup, Log);
        await sides.VerifyAsync();
        Log($"{SessionsPagingSides.Describe(setup)}: page {SessionsPagingSides.DeepPage:N0} by keyset holds exactly the rows OFFSET {SessionsPagingSides.RowsBefore:N0} finds, for both sorts.");
        foreach (var sort in SessionsPagingSides.Sorts)
        {
            foreach (var page in new[] { 1, SessionsPagingSides.DeepPage })
                Console.WriteLine($"--- plan, sort {sort}, page {page:N0}, {SessionsPagingSides.Describe(setup)}\n{await sides.PlanAsync(sort, page)}");
            // Page 1 against page 2,000; two warm-up rounds.
            var check = await PairedCheck.RunAsync(11, 2, () => sides.PageAsync(sort, 1), () => sides.PageAsync(sort, SessionsPagingSides.DeepPage));
            paired[(setup, sort)] = check.MedianRatio(1, 0);
            Log($"Paired check, sort {sort}, {SessionsPagingSides.Describe(setup)}: {check.Compare(0, "page 1", 1, "page 2,000")}; medians of {check.Rounds} rounds");
        }
    }

    SessionsPagingBenchmarks.Current = sides;
    // One page read per iteration, 3 warm-up and 20 measured iterations.
    var summary = bench.RunBenchmarks<SessionsPagingBenchmarks>(
        BenchConfig.InProcess("orchestra-sessbench-artifacts", warmupCount: 3, iterationCount: 20, timeUnit: TimeUnit.Millisecond));

    Console.WriteLine();
    Log($"Dataset: {database.Figures}.");
    bench.LogEnd(database.BuildTime);
    var exitCode = 0;
    foreach (var setup in setups)
    {
        foreach (var (sort, first, deep) in new[]
                 {
                     (SessionSort.CreatedAt, nameof(SessionsPagingBenchmarks.CreatedPage1), nameof(SessionsPagingBenchmarks.CreatedPage2000)),
                     (SessionSort.ExpiresAt, nameof(SessionsPagingBenchmarks.ExpiryPage1), nameof(SessionsPagingBenchmarks.ExpiryPage2000)),
                 })
        {
            var name = sort == SessionSort.CreatedAt ? "default sort (created)" : "expiry sort";
            var pairedRatio = paired[(setup, sort)];
            string line;
            if (summary.MeanMs(first, setup) is { } mean1 && summary.MeanMs(deep, setup) is { } mean2000
                && summary.MedianMs(first, setup) is { } median1 && summary.MedianMs(deep, setup) is { } median2000)
            {
                // The verdict on the medians: on a shared machine a few iterations of a 1 ms page can take 100 ms, which moves a mean.
                var ratio = median2000 / median1;
                line = $"sessions keyset, {name}: page 2,000 / page 1 = {ratio:0.00}× by medians (target ≤ 2×{(ratio <= 2 ? "" : ": missed")}), " +
                       $"{mean2000 / mean1:0.00}× by means — {SessionsPagingSides.Describe(setup)} " +
                       $"(medians {median1:0.###} / {median2000:0.###} ms, means {mean1:0.###} / {mean2000:0.###} ms; paired median {pairedRatio:0.00}×)";
                // What the dashboard meets decides the exit code; the indexed setup shows what the advised indexes change.
                if (setup == IndexSetup.StackOnly && ratio > 2) exitCode = 1;
            }
            else
            {
                line = $"sessions keyset, {name}: page 2,000 / page 1 = {pairedRatio:0.00}× (target ≤ 2×{(pairedRatio <= 2 ? "" : ": missed")}) — " +
                       $"{SessionsPagingSides.Describe(setup)} (paired check only)";
            }
            Console.WriteLine(line);
        }
    }
    Console.WriteLine(userAgentLine);
    return userAgentsMet ? exitCode : 1;
}

// The list's data (the rows and each row's parsed user agent) for the adversarial side against the ordinary one.
static async Task<(string Line, bool Met)> CompareUserAgentsAsync(BenchProgram bench)
{
    int Option(string name, int fallback) =>
        Array.IndexOf(bench.Args, name) is var at and >= 0 && at + 1 < bench.Args.Length ? int.Parse(bench.Args[at + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    var rows = Option("--ua-rows", UserAgentBenchDatabase.Rows);
    var kilobytes = Option("--ua-kb", UserAgentBenchDatabase.Kilobytes);
    await using var database = await UserAgentBenchDatabase.CreateAsync(Log, rows, kilobytes);
    await using var sides = new UserAgentSides(database);
    var bots = await sides.ListAsync(UserAgentBenchDatabase.Adversarial) + await sides.ListAsync(UserAgentBenchDatabase.Ordinary);
    if (bots != 0) throw new InvalidOperationException($"{bots} rows parsed as bots or as nothing: the sides are not what they say.");
    // Ordinary and adversarial, with and without parsing (the read alone), the order reversed every round; two warm-up rounds.
    var check = await PairedCheck.RunAsync(41, 2,
        () => sides.ListAsync(UserAgentBenchDatabase.Ordinary), () => sides.ListAsync(UserAgentBenchDatabase.Adversarial),
        () => sides.ListAsync(UserAgentBenchDatabase.Ordinary, parse: false), () => sides.ListAsync(UserAgentBenchDatabase.Adversarial, parse: false));
    var ratios = check.Ratios(1, 0);
    var ratio = check.MedianRatio(1, 0);
    Log($"Dataset: {database.Figures}.");
    Log($"Paired check, the sessions list's data: {check.Compare(0, $"{rows:N0} ordinary user agents", 1, $"{rows:N0} of {kilobytes} KB adversarial ones")}; " +
        $"per-round ratios {ratios[0]:0.00}–{ratios[^1]:0.00}, medians of {check.Rounds} rounds");
    Log($"The read alone (no parsing): {check.Compare(2, "ordinary", 3, "adversarial")}; per-round ratios {check.Ratios(3, 2)[0]:0.00}–{check.Ratios(3, 2)[^1]:0.00}");
    var met = ratio <= 2;
    return ($"sessions list data, {rows:N0} sessions with {kilobytes} KB adversarial user agents / {rows:N0} ordinary = {ratio:0.00}× " +
            $"(range {ratios[0]:0.00}–{ratios[^1]:0.00} over {check.Rounds} paired rounds; medians {check.MedianMs(1):0.###} / {check.MedianMs(0):0.###} ms) " +
            $"(target ≤ 2×{(met ? "" : ": missed")})", met);
}
