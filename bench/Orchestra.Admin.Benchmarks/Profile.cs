using System.Diagnostics;
using Npgsql;

namespace Orchestra.Admin.Benchmarks;

/// <summary>
/// <c>--profile</c>: where the difference goes, panel by panel. Each panel's load is timed alone, many times, on the
/// app's side (its service method) and on the raw side (its statements on one open connection), in alternation.
/// </summary>
public static class Profile
{
    public static async Task RunAsync(AppPageView app, RawPageView raw, NpgsqlDataSource dataSource, int rounds = 15)
    {
        await using var scope = app.CreateScope();
        var appPanels = app.Panels(scope.ServiceProvider);
        var rawPanels = raw.Panels();
        var statements = new List<List<string>>();
        foreach (var load in appPanels)
            statements.Add(await StatementParity.RecordAsync(load));

        await using var conn = await dataSource.OpenConnectionAsync();
        var appMs = new double[appPanels.Count];
        var rawMs = new double[appPanels.Count];
        for (var round = 0; round < rounds + 2; round++)
            for (var i = 0; i < appPanels.Count; i++)
            {
                var t = Stopwatch.GetTimestamp();
                await appPanels[i]();
                var a = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
                t = Stopwatch.GetTimestamp();
                await rawPanels[i](conn);
                var r = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
                if (round < 2) continue; // warm-up
                appMs[i] += a / rounds;
                rawMs[i] += r / rounds;
            }

        Console.WriteLine($"{"panel (its statements)",-62} {"app ms",8} {"raw ms",8} {"diff",8}");
        for (var i = 0; i < appPanels.Count; i++)
            Console.WriteLine($"{string.Join(" + ", statements[i].Select(s => s.Replace("monitoring/", ""))),-62} {appMs[i],8:0.00} {rawMs[i],8:0.00} {appMs[i] - rawMs[i],8:0.00}");
        Console.WriteLine($"{"sum",-62} {appMs.Sum(),8:0.00} {rawMs.Sum(),8:0.00} {appMs.Sum() - rawMs.Sum(),8:0.00}");
    }
}
