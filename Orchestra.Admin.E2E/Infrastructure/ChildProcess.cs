using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Orchestra.Admin.E2E.Infrastructure;

/// <summary>
/// A process started by the E2E fixture (the seeder, the app) whose stdout and stderr are captured: the
/// last lines are kept for failure messages and every line is written to a log file under e2e-artifacts.
/// Disposing it kills the whole process tree.
/// </summary>
public sealed partial class ChildProcess : IAsyncDisposable
{
    private const int KeptLines = 400;

    private readonly Process process;
    private readonly Queue<string> lines = new();
    private readonly Lock gate = new();
    private readonly StreamWriter log;
    private readonly List<(Regex Pattern, TaskCompletionSource<Match> Found)> waiters = [];
    private readonly TaskCompletionSource exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name { get; }
    public string LogPath { get; }

    private ChildProcess(string name, ProcessStartInfo psi)
    {
        Name = name;
        LogPath = Path.Combine(SolutionLayout.ArtifactsDir, $"{name}.log");
        log = new StreamWriter(LogPath, append: false, Encoding.UTF8) { AutoFlush = true };
        log.WriteLine($"$ {psi.FileName} {string.Join(' ', psi.ArgumentList)}   (in {psi.WorkingDirectory})");
        process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => OnLine(e.Data, "");
        process.ErrorDataReceived += (_, e) => OnLine(e.Data, "[stderr] ");
        process.Exited += (_, _) => exited.TrySetResult();
    }

    /// <summary>Starts <c>dotnet &lt;args&gt;</c> in <paramref name="workingDirectory"/> with the given environment changes (null removes a variable).</summary>
    public static ChildProcess StartDotnet(string name, string workingDirectory, IEnumerable<string> args, IReadOnlyDictionary<string, string?> environment)
    {
        var psi = new ProcessStartInfo(SolutionLayout.DotnetHost)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (key, value) in environment)
        {
            if (value is null) psi.Environment.Remove(key);
            else psi.Environment[key] = value;
        }
        var child = new ChildProcess(name, psi);
        child.process.Start();
        child.process.BeginOutputReadLine();
        child.process.BeginErrorReadLine();
        return child;
    }

    public bool HasExited => process.HasExited;
    public int Id => process.Id;

    /// <summary>Waits for a line matching <paramref name="pattern"/>; fails when the process exits first or on timeout.</summary>
    public async Task<Match> WaitForLineAsync(Regex pattern, TimeSpan timeout)
    {
        var found = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (gate)
        {
            foreach (var line in lines)
            {
                var m = pattern.Match(line);
                if (m.Success) return m;
            }
            waiters.Add((pattern, found));
        }
        var done = await Task.WhenAny(found.Task, exited.Task, Task.Delay(timeout));
        if (done == found.Task) return found.Task.Result;
        if (done == exited.Task)
        {
            // Output may still be draining after the exit event: give the match a last chance.
            await process.WaitForExitAsync();
            if (found.Task.IsCompleted) return found.Task.Result;
            throw new InvalidOperationException($"{Name} exited with code {process.ExitCode} before writing a line matching /{pattern}/.\n{Tail()}");
        }
        throw new TimeoutException($"{Name} wrote no line matching /{pattern}/ within {timeout.TotalSeconds:0} s.\n{Tail()}");
    }

    /// <summary>Waits for the process to exit by itself and returns its exit code; kills it on timeout.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"{Name} did not finish within {timeout.TotalSeconds:0} s (killed).\n{Tail()}");
        }
        return process.ExitCode;
    }

    /// <summary>The last lines of output, labelled, for a failure message.</summary>
    public string Tail(int count = 60)
    {
        string[] last;
        lock (gate) last = lines.Skip(Math.Max(0, lines.Count - count)).ToArray();
        string state;
        try
        {
            state = process.HasExited ? $"; it exited with code {process.ExitCode} at {process.ExitTime.ToUniversalTime():HH:mm:ss.fff} UTC" : "";
        }
        catch (InvalidOperationException)
        {
            state = "; stopped";
        }
        var header = $"--- last {last.Length} line(s) of {Name} output (full log: {LogPath}{state}) ---";
        return last.Length == 0 ? $"{header}\n(no output)" : $"{header}\n{string.Join('\n', last)}";
    }

    private void OnLine(string? data, string prefix)
    {
        if (data is null) return;
        var line = prefix + AnsiEscape().Replace(data, "");
        lock (gate)
        {
            lines.Enqueue(line);
            if (lines.Count > KeptLines) lines.Dequeue();
            try { log.WriteLine(line); } catch (ObjectDisposedException) { /* after dispose */ }
            for (var i = waiters.Count - 1; i >= 0; i--)
            {
                var m = waiters[i].Pattern.Match(line);
                if (!m.Success) continue;
                waiters[i].Found.TrySetResult(m);
                waiters.RemoveAt(i);
            }
        }
    }

    private void Kill()
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) { /* already gone */ }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15)))
        {
            try { await process.WaitForExitAsync(cts.Token); } catch (OperationCanceledException) { /* reported by the log */ }
        }
        lock (gate) log.Dispose();
        process.Dispose();
    }

    [GeneratedRegex(@"\x1B\[[0-9;]*[A-Za-z]")]
    private static partial Regex AnsiEscape();
}
