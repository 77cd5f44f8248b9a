using Orchestra.Admin.Features.Demo;
using Orchestra.Admin.Hosting;
using Orchestra.Admin.Security;

try
{
    switch (args)
    {
        case ["seed-demo", ..]:
            return await DemoSeedCommand.RunAsync(args[1..]);
        case ["setup-database", ..]:
            return await SetupDatabaseCommand.RunAsync(args[1..]);
        case ["hash-password", ..]:
            return HashPasswordCommand.Run(Console.In, Console.Out, Console.Error, interactive: !Console.IsInputRedirected);
    }

    var builder = WebApplication.CreateBuilder(args);
    builder.AddOrchestraAdmin();
    var app = builder.Build();
    app.MapOrchestraAdmin();
    await app.RunAsync();
    return 0;
}
catch (SettingsException e)
{
    Console.Error.WriteLine(args is [("seed-demo" or "setup-database") and var command, ..] ? $"{command} cannot run: {e.Message}" : $"Orchestra Admin cannot start: {e.Message}");
    return 2;
}
