using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Orchestra.Admin.E2E.Infrastructure;

/// <summary>The app as its own process on a free loopback port, answering /healthz. Disposing it kills it.</summary>
public sealed partial class RunningApp : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    public ChildProcess Process { get; }
    /// <summary>e.g. http://127.0.0.1:41234 (no trailing slash).</summary>
    public Uri BaseUrl { get; }
    public HttpClient Http { get; }

    private RunningApp(ChildProcess process, Uri baseUrl)
    {
        Process = process;
        BaseUrl = baseUrl;
        Http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    public static async Task<RunningApp> StartAsync(string name, IReadOnlyDictionary<string, string?> environment)
    {
        if (!File.Exists(SolutionLayout.AppDll))
            throw new InvalidOperationException($"{SolutionLayout.AppDll} is missing: build the solution ({SolutionLayout.Configuration}) first; `dotnet test Orchestra.Admin.E2E` builds it.");
        string[] args = [SolutionLayout.AppDll, "--urls", "http://127.0.0.1:0", "--contentRoot", SolutionLayout.AppContentRoot];
        var process = ChildProcess.StartDotnet(name, SolutionLayout.AppContentRoot, args, environment);
        try
        {
            var listening = await process.WaitForLineAsync(ListeningLine(), StartTimeout);
            var app = new RunningApp(process, new Uri(listening.Groups["url"].Value.TrimEnd('/')));
            await app.WaitForHealthAsync();
            return app;
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    private async Task WaitForHealthAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await Http.GetAsync("/healthz");
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) when (deadline.Elapsed < StartTimeout) { /* not accepting yet */ }
            if (Process.HasExited) throw new InvalidOperationException("The app exited before /healthz answered.");
            if (deadline.Elapsed > StartTimeout) throw new TimeoutException($"/healthz did not answer 200 within {StartTimeout.TotalSeconds:0} s.");
            await Task.Delay(200);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Process.DisposeAsync();
    }

    [GeneratedRegex(@"Now listening on: (?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();
}
