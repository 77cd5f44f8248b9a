namespace Orchestra.Admin.Components.Controls;

/// <summary>A panel that can load its data again (pages refresh all their panels at once).</summary>
public interface IRefreshable
{
    Task RefreshAsync();
}
