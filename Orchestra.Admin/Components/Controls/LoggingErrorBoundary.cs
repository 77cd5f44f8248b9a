using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.AspNetCore.Components.Web;

namespace Orchestra.Admin.Components.Controls;

/// <summary>
/// Catches an unexpected error in a page, logs it with a short id and shows a friendly panel with that id,
/// so an operator can quote it and the log line can be found. Recovers when the operator navigates away.
/// </summary>
public sealed class LoggingErrorBoundary : ErrorBoundary, IDisposable
{
    [Inject] private ILogger<LoggingErrorBoundary> Logger { get; set; } = null!;
    [Inject] private NavigationManager Navigation { get; set; } = null!;

    public string? ErrorId { get; private set; }

    protected override void OnInitialized()
    {
        Navigation.LocationChanged += OnLocationChanged;
    }

    protected override Task OnErrorAsync(Exception exception)
    {
        ErrorId = Guid.NewGuid().ToString("N")[..8];
        Logger.LogError(exception, "Unhandled error {ErrorId} on {Path}", ErrorId, Navigation.ToBaseRelativePath(Navigation.Uri));
        return Task.CompletedTask;
    }

    private void OnLocationChanged(object? sender, Microsoft.AspNetCore.Components.Routing.LocationChangedEventArgs e)
    {
        if (CurrentException is null) return;
        _ = InvokeAsync(Recover);
    }

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        if (CurrentException is null)
        {
            builder.AddContent(0, ChildContent);
            return;
        }
        builder.OpenComponent<ErrorPanel>(1);
        builder.AddComponentParameter(2, nameof(ErrorPanel.ErrorId), ErrorId);
        builder.AddComponentParameter(3, nameof(ErrorPanel.OnRetry), EventCallback.Factory.Create(this, Recover));
        builder.CloseComponent();
    }

    public void Dispose() => Navigation.LocationChanged -= OnLocationChanged;
}
