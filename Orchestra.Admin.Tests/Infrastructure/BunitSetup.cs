using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Orchestra.Admin.Components.Controls;

namespace Orchestra.Admin.Tests.Infrastructure;

/// <summary>The one setup for component tests: MudBlazor's services, loose JS interop, the app's per-circuit helpers.</summary>
public abstract class BunitSetup : BunitContext, IAsyncLifetime
{
    // Some MudBlazor services are only IAsyncDisposable: dispose the context asynchronously.
    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;
    async Task IAsyncLifetime.DisposeAsync() => await base.DisposeAsync();

    protected BunitSetup()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddScoped<BrowserTimeZone>();
        Services.AddSingleton(TimeProvider.System);
    }
}
