using Orchestra.Admin.Features.Demo;
using Orchestra.Admin.Hosting;

try
{
    if (args is ["seed-demo", ..])
        return await DemoSeedCommand.RunAsync(args[1..]);

    var builder = WebApplication.CreateBuilder(args);
    builder.AddOrchestraAdmin();
    var app = builder.Build();
    app.MapOrchestraAdmin();
    await app.RunAsync();
    return 0;
}
catch (SettingsException e)
{
    Console.Error.WriteLine(args is ["seed-demo", ..] ? $"seed-demo cannot run: {e.Message}" : $"Orchestra Admin cannot start: {e.Message}");
    return 2;
}
