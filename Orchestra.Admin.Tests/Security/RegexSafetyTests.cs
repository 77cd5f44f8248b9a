using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace Orchestra.Admin.Tests.Security;

/// <summary>
/// Every regular expression of the app and of the Weaviate emulator, found by reflection (<c>[GeneratedRegex]</c>) and by
/// reading the sources (a regex built at run time), must stay linear on hostile input: a user of the stack sets their own
/// User-Agent, writes their own task errors and documents. A backtracking pattern such as the old bot pattern
/// (<c>[A-Za-z][\w\-\.]*?(?:bot|…)</c>) takes quadratic time on a long run of letters: 2 s at 8 KB, minutes at 64 KB.
/// </summary>
public partial class RegexSafetyTests
{
    private static readonly Assembly[] Assemblies = [typeof(Orchestra.Admin.Hosting.OrchestraAdminOptions).Assembly, typeof(Orchestra.WeaviateEmulator.EmulatorStore).Assembly];

    /// <summary>
    /// Far above what a linear scan of 64 KB takes even on a loaded machine (about a millisecond), far below what a
    /// quadratic one takes (tens of seconds): catastrophic backtracking throws <see cref="RegexMatchTimeoutException"/>.
    /// </summary>
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(2);

    private const int Size = 64 * 1024;

    /// <summary>What a hostile value looks like, each repeated to 64 KB: long runs of one class of characters with no
    /// token the pattern looks for, and runs of the pattern's own prefixes that never complete.</summary>
    private static readonly string[] Seeds =
    [
        "a", "A", "Mozilla", "1", ".", "1.", "a.", "a-", "a_", "a1", "a/", "/a", "a@", " ", "\t", "\n ", " \n", "\"a",
        "'a", "(", "a(", "ab12", "f", "0x", ":", "a:1", "Windows NT 1", "CPU OS 1_", "Android 1.", "Mac OS X 1_",
        "at or near \"x", "Path: x ", "LineNumber: 1 ", "@collection", "bo", "spide", "crawle", "Slur", "/1.",
    ];

    public static IEnumerable<(string Name, Regex Regex)> GeneratedRegexes() =>
        from assembly in Assemblies
        from type in assembly.GetTypes()
        from member in type.GetMembers(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
        where member.GetCustomAttribute<GeneratedRegexAttribute>() != null
        select ($"{type.Name}.{member.Name}", member switch
        {
            MethodInfo m => (Regex)m.Invoke(null, null)!,
            PropertyInfo p => (Regex)p.GetValue(null)!,
            _ => throw new InvalidOperationException(member.Name),
        });

    public static IEnumerable<string> AdversarialInputs()
    {
        foreach (var seed in Seeds)
        {
            yield return Repeat(seed);
            // A real-looking start, then the run: what a padded user agent or error message looks like.
            yield return "Mozilla/5.0 (compatible; " + Repeat(seed);
        }
    }

    private static string Repeat(string seed)
    {
        var b = new StringBuilder(Size + seed.Length);
        while (b.Length < Size) b.Append(seed);
        return b.ToString(0, Size);
    }

    [Fact]
    public void The_app_and_the_emulator_have_generated_regexes_to_check()
    {
        var names = GeneratedRegexes().Select(r => r.Name).ToList();
        Assert.Contains("UserAgentParser.Bot", names);
        Assert.Contains("ClassDefinitions.ClassNamePattern", names);
    }

    [Fact]
    public void Every_generated_regex_is_non_backtracking_or_has_a_match_timeout()
    {
        var unsafeOnes = GeneratedRegexes()
            .Where(r => !r.Regex.Options.HasFlag(RegexOptions.NonBacktracking) && r.Regex.MatchTimeout == Regex.InfiniteMatchTimeout)
            .Select(r => $"{r.Name}: /{r.Regex}/ ({r.Regex.Options})")
            .ToList();
        Assert.True(unsafeOnes.Count == 0,
            "Use RegexOptions.NonBacktracking, or (for a pattern that needs lookarounds or backreferences) a match timeout with a fallback:\n"
            + string.Join("\n", unsafeOnes));
    }

    [Fact]
    public void Every_generated_regex_stays_linear_on_64_KB_adversarial_inputs()
    {
        var inputs = AdversarialInputs().ToList();
        var blownUp = new List<string>();
        foreach (var (name, generated) in GeneratedRegexes())
        {
            // The same pattern and options as the app's, with a timeout: backtracking that blows up throws instead of hanging.
            var regex = new Regex(generated.ToString(), generated.Options, MatchTimeout);
            foreach (var input in inputs)
            {
                try
                {
                    // Every match, as Replace and Matches walk them.
                    _ = regex.Count(input);
                }
                catch (RegexMatchTimeoutException)
                {
                    blownUp.Add($"{name}: /{generated}/ on 64 KB of \"{Describe(input)}\"");
                    break;
                }
            }
        }
        Assert.True(blownUp.Count == 0, "Catastrophic backtracking:\n" + string.Join("\n", blownUp));
    }

    private static string Describe(string input) => input[..Math.Min(40, input.Length)].ReplaceLineEndings("\\n") + "…";

    /// <summary>A regex built at run time is not found by reflection: a static <c>Regex.IsMatch</c> / <c>Replace</c> /
    /// … call is refused (it backtracks, with no timeout), and <c>new Regex(…)</c> must say NonBacktracking.</summary>
    [Fact]
    public void Every_regex_built_at_run_time_is_non_backtracking()
    {
        var root = RepositoryRoot();
        var offending = new List<string>();
        foreach (var folder in new[] { "Orchestra.Admin", Path.Combine("tools", "Orchestra.WeaviateEmulator") })
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, folder), "*.*", SearchOption.AllDirectories)
                     .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal))
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                              && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            var text = File.ReadAllText(file);
            foreach (Match call in StaticRegexCall().Matches(text))
                offending.Add($"{Path.GetRelativePath(root, file)}: Regex.{call.Groups[1].Value}(…) (use a [GeneratedRegex] with NonBacktracking)");
            foreach (Match construction in RegexConstruction().Matches(text))
                if (!construction.Value.Contains("RegexOptions.NonBacktracking", StringComparison.Ordinal))
                    offending.Add($"{Path.GetRelativePath(root, file)}: {construction.Value.ReplaceLineEndings(" ")}");
        }
        Assert.True(offending.Count == 0, "Regexes that may backtrack without a bound:\n" + string.Join("\n", offending));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Orchestra.Admin.sln"))) return dir.FullName;
        throw new InvalidOperationException("Orchestra.Admin.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"\bRegex\.(IsMatch|Match|Matches|Replace|Split|Count|EnumerateMatches|EnumerateSplits)\s*\(", RegexOptions.NonBacktracking)]
    private static partial Regex StaticRegexCall();

    /// <summary><c>new Regex(</c> up to the end of its statement.</summary>
    [GeneratedRegex(@"new\s+Regex\s*\([^;]*;", RegexOptions.NonBacktracking)]
    private static partial Regex RegexConstruction();
}
