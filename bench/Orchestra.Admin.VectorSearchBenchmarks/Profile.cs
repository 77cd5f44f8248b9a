using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orchestra.Admin.Data.Weaviate;
using Orchestra.Admin.Features.VectorSearch;

namespace Orchestra.Admin.VectorSearchBenchmarks;

/// <summary>
/// <c>--profile</c>: where the overhead goes. The dashboard's CPU steps run one after the other in a loop, as a search
/// runs them, each timed; the HTTP steps are timed in alternation, round by round, so drifting load from other
/// processes spreads over all of them. Medians and means, and the mean time the process spent in GC pauses per
/// search (the emulator's heap, in this process too, is part of what a full collection marks).
/// </summary>
public static class Profile
{
    public static async Task RunAsync(AppSide app, RawSide raw, CpuSide cpu, SearchRequest request, string query, int rounds = 100)
    {
        var factory = app.Services.GetRequiredService<IHttpClientFactory>();
        var client = app.Services.GetRequiredService<IWeaviateClient>();
        var body = Encoding.UTF8.GetBytes(WeaviateJson.Serialize(new GraphQLQuery(query)));

        // The CPU steps in the order a search runs them, each timed inside the same iteration (the vector parse is
        // also timed alone: it is part of building the text).
        string[] cpuSteps =
        [
            "  of which: parse the vector text (VectorParser.Parse)",
            "build the GraphQL text (parse + validate + format)",
            "serialize the request body (JSON, UTF-8)",
            "answer bytes → GraphQLResponse (one JsonDocument)",
            "GraphQLResponse → 1,000 SearchHits (ReadHits)",
        ];
        var cpuTimes = cpuSteps.Select(_ => new List<double>()).ToArray();
        var cpuTotal = new List<double>();
        var cpuPauses = TimeSpan.Zero;
        for (var i = 0; i < 100 + 3 * rounds; i++)
        {
            var paused = GC.GetTotalPauseDuration();
            var t0 = Stopwatch.GetTimestamp();
            cpu.ParseVector();
            var t1 = Stopwatch.GetTimestamp();
            var text = cpu.Query;
            var t2 = Stopwatch.GetTimestamp();
            CpuSide.Body(text);
            var t3 = Stopwatch.GetTimestamp();
            var response = cpu.Deserialize();
            var t4 = Stopwatch.GetTimestamp();
            response.EnsureNoErrors();
            cpu.ReadHits(response);
            var t5 = Stopwatch.GetTimestamp();
            if (i < 100) continue; // warm-up
            long[] marks = [t0, t1, t2, t3, t4, t5];
            for (var s = 0; s < cpuSteps.Length; s++)
                cpuTimes[s].Add(Stopwatch.GetElapsedTime(marks[s], marks[s + 1]).TotalMilliseconds);
            cpuTotal.Add(Stopwatch.GetElapsedTime(t1, t5).TotalMilliseconds);
            cpuPauses += GC.GetTotalPauseDuration() - paused;
        }
        Console.WriteLine($"{"CPU step (one after the other, in a loop)",-64} {"median ms",10} {"mean ms",10}");
        foreach (var s in (int[])[1, 0, 2, 3, 4]) // the vector parse under the text it is part of
            Print(cpuSteps[s], cpuTimes[s], null);
        Print("all of the above (without the separate vector parse)", cpuTotal, cpuPauses);

        var httpSteps = new List<(string Name, Func<Task> Run)>
        {
            ("raw round trip (plain HttpClient)", raw.RoundTripAsync),
            ("round trip through the app's HttpClient (resilience pipeline)", async () =>
            {
                var http = factory.CreateClient("Weaviate");
                using var message = new HttpRequestMessage(HttpMethod.Post, "v1/graphql") { Content = new ByteArrayContent(body) };
                message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await http.SendAsync(message, HttpCompletionOption.ResponseContentRead);
                _ = await response.Content.ReadAsByteArrayAsync();
            }),
            ("IWeaviateClient.GraphQLAsync (pipeline + deserialize)", () => client.GraphQLAsync(query)),
            ("app: IVectorSearch.SearchAsync", () => app.SearchAsync(request)),
        };
        var httpTimes = httpSteps.Select(_ => new List<double>()).ToArray();
        var httpPauses = new TimeSpan[httpSteps.Count];
        for (var round = 0; round < rounds + 5; round++)
            for (var i = 0; i < httpSteps.Count; i++)
            {
                var paused = GC.GetTotalPauseDuration();
                var started = Stopwatch.GetTimestamp();
                await httpSteps[i].Run();
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (round < 5) continue; // the first rounds warm up
                httpTimes[i].Add(ms);
                httpPauses[i] += GC.GetTotalPauseDuration() - paused;
            }
        Console.WriteLine($"{"HTTP step (alternating)",-64} {"median ms",10} {"mean ms",10} {"GC pause",10}");
        for (var i = 0; i < httpSteps.Count; i++)
            Print(httpSteps[i].Name, httpTimes[i], httpPauses[i]);
    }

    private static void Print(string name, List<double> times, TimeSpan? pauses)
    {
        var sorted = times.Order().ToList();
        var gc = pauses is { } p ? $" {p.TotalMilliseconds / times.Count,10:0.000}" : "";
        Console.WriteLine($"{name,-64} {sorted[sorted.Count / 2],10:0.000} {sorted.Average(),10:0.000}{gc}");
    }
}
