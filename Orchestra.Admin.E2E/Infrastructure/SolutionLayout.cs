namespace Orchestra.Admin.E2E.Infrastructure;

/// <summary>Where the app under test was built: the same configuration (Debug/Release) as this test assembly.</summary>
public static class SolutionLayout
{
    public const string SolutionFile = "Orchestra.Admin.sln";
    public const string AppProject = "Orchestra.Admin";

    /// <summary>The folder holding Orchestra.Admin.sln, found by walking up from the test assembly's folder.</summary>
    public static string SolutionRoot { get; } = FindSolutionRoot();

    /// <summary>Debug or Release: taken from this assembly's own output path (…/bin/&lt;Configuration&gt;/net10.0/).</summary>
    public static string Configuration { get; } = FindConfiguration();

    public static string AppContentRoot => Path.Combine(SolutionRoot, AppProject);

    public static string AppDll =>
        Path.Combine(AppContentRoot, "bin", Configuration, TargetFramework, AppProject + ".dll");

    private static string TargetFramework => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;

    /// <summary>The dotnet host that runs this test process (so the app runs on the same runtime).</summary>
    public static string DotnetHost
    {
        get
        {
            var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk)) return fromSdk;
            var self = Environment.ProcessPath;
            if (self != null && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
            return "dotnet";
        }
    }

    /// <summary>Screenshots and the app's full log land here (inside the test output, so CI can keep them).</summary>
    public static string ArtifactsDir
    {
        get
        {
            var dir = Path.Combine(AppContext.BaseDirectory, "e2e-artifacts");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    private static string FindSolutionRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, SolutionFile))) return dir.FullName;
        }
        throw new InvalidOperationException($"No {SolutionFile} found above {AppContext.BaseDirectory}: run the E2E tests from the solution's build output.");
    }

    private static string FindConfiguration()
    {
        // …/Orchestra.Admin.E2E/bin/<Configuration>/<tfm>/
        var tfmDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configDir = tfmDir.Parent;
        if (configDir?.Parent?.Name != "bin")
            throw new InvalidOperationException($"Cannot tell the build configuration from {AppContext.BaseDirectory} (expected …/bin/<Configuration>/<tfm>/).");
        return configDir.Name;
    }
}
