using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Orchestra.WeaviateEmulator.Tests;

/// <summary>
/// Weaviate's own TypeScript clients (tools/weaviate-client-contract: weaviate-client 3.14.0 over gRPC, weaviate-ts-client
/// 2.2.0 over REST + GraphQL) against this build of the emulator, as xUnit tests: one test per JS test, so the summed
/// count of ./test.sh includes every one of them. The suite runs once (npm ci only when node_modules is missing or older
/// than the lockfile, then node --test with a JSON-lines reporter); each theory row asserts its own JS test passed.
/// Without node/npm or the npm registry every row fails with what is missing: nothing is skipped.
/// </summary>
public sealed partial class WeaviateClientContractTests
{
    private static readonly string SuiteDirectory = FindSuite();
    private static readonly Lazy<Task<IReadOnlyList<JsResult>>> Results = new(RunSuiteAsync);

    private sealed record JsResult(string? File, string Name, string Outcome, string? Error);

    /// <summary>Every <c>test('…')</c> of the suite's test files, read from their source.</summary>
    public static TheoryData<string, string> DeclaredTests()
    {
        var data = new TheoryData<string, string>();
        foreach (var (file, name) in Declared())
            data.Add(file, name);
        return data;
    }

    [Theory]
    [MemberData(nameof(DeclaredTests))]
    public async Task Weaviate_client(string file, string test)
    {
        var results = await Results.Value;
        var result = results.FirstOrDefault(r => r.File == file && r.Name == test);
        Assert.True(result is not null, $"{file}: \"{test}\" did not run (node --test reported: {string.Join("; ", results.Select(r => $"{r.File}: {r.Name}"))})");
        Assert.True(result.Outcome == "passed", $"{file}: \"{test}\" {result.Outcome}:\n{result.Error}");
    }

    [Fact]
    public async Task Every_test_the_clients_ran_is_declared_in_their_source()
    {
        var declared = Declared().ToHashSet();
        var undeclared = (await Results.Value).Where(r => !declared.Contains((r.File ?? "", r.Name))).ToList();
        Assert.True(undeclared.Count == 0, "tests (or whole files) not counted as xUnit tests — a failing file, or a test whose name is not a " +
            "plain string literal:\n" + string.Join("\n", undeclared.Select(r => $"{r.File}: {r.Name} {r.Outcome} {r.Error}")));
    }

    // ------------------------------------------------------------------ the suite

    private static IEnumerable<string> TestFiles() =>
        Directory.GetFiles(Path.Combine(SuiteDirectory, "test"), "*.test.js").Order(StringComparer.Ordinal);

    [GeneratedRegex(@"^test\((?:'((?:[^'\\]|\\.)*)'|""((?:[^""\\]|\\.)*)"")", RegexOptions.Multiline)]
    private static partial Regex TestCall();

    private static IEnumerable<(string File, string Name)> Declared() =>
        TestFiles().SelectMany(path => TestCall().Matches(File.ReadAllText(path)).Select(m =>
            (Path.GetFileName(path), Regex.Replace(m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value, @"\\(.)", "$1"))));

    private static string FindSuite()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tools", "weaviate-client-contract");
            if (File.Exists(Path.Combine(candidate, "package-lock.json")))
                return candidate;
        }
        throw new InvalidOperationException($"tools/weaviate-client-contract not found above {AppContext.BaseDirectory}");
    }

    private static async Task<IReadOnlyList<JsResult>> RunSuiteAsync()
    {
        var installed = Path.Combine(SuiteDirectory, "node_modules", ".package-lock.json");
        if (!File.Exists(installed) || File.GetLastWriteTimeUtc(installed) < File.GetLastWriteTimeUtc(Path.Combine(SuiteDirectory, "package-lock.json")))
        {
            var (code, _, errors) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], TimeSpan.FromMinutes(5));
            if (code != 0)
                throw new InvalidOperationException($"npm ci in {SuiteDirectory} failed ({code}); the npm registry must be reachable:\n{Tail(errors)}");
        }
        string[] arguments = ["--test", "--test-reporter=./json-lines-reporter.mjs", .. TestFiles().Select(f => Path.Combine("test", Path.GetFileName(f)))];
        var (exit, output, stderr) = await RunAsync("node", arguments, TimeSpan.FromMinutes(3));
        var results = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => line.StartsWith('{'))
            .Select(line => JsonSerializer.Deserialize<JsResult>(line, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!)
            .ToList();
        if (results.Count == 0)
            throw new InvalidOperationException($"node --test reported no tests (exit {exit}):\n{Tail(output)}\n{Tail(stderr)}");
        return results;
    }

    /// <summary>Runs a command in the suite's folder, the emulator DLL of this build in WEAVIATE_EMULATOR_DLL.</summary>
    private static async Task<(int Code, string Output, string Errors)> RunAsync(string command, IEnumerable<string> arguments, TimeSpan limit)
    {
        var start = new ProcessStartInfo(command)
        {
            WorkingDirectory = SuiteDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment["WEAVIATE_EMULATOR_DLL"] = Path.Combine(AppContext.BaseDirectory, "Orchestra.WeaviateEmulator.dll");
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException(
                $"'{command}' could not be started ({e.Message}): Weaviate's client contract tests need Node.js 20 and npm on PATH (.ci/run installs them)", e);
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            using var cancel = new CancellationTokenSource(limit);
            try
            {
                await process.WaitForExitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} did not finish within {limit}:\n{Tail(await output)}");
            }
            return (process.ExitCode, await output, await errors);
        }
    }

    private static string Tail(string text) => text.Length > 4000 ? "…" + text[^4000..] : text;
}
