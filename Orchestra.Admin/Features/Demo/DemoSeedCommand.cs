namespace Orchestra.Admin.Features.Demo;

// Being written: see the demo seeder task.
public static class DemoSeedCommand
{
    public static Task<int> RunAsync(string[] args) => Task.FromResult(1);
}
