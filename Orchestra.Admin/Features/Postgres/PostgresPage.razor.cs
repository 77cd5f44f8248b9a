using Microsoft.AspNetCore.Components;

namespace Orchestra.Admin.Features.Postgres;

public partial class PostgresPage
{
    /// <param name="Key">The tab's name in the URL.</param>
    internal sealed record Tab(string Key, string Title, Type Component);

    // Each topic is a component of its own under Tabs/, showing its checks as DataPanels.
    internal static readonly IReadOnlyList<Tab> Tabs =
    [
        new("activity", "Activity", typeof(Tabs.ActivityTab)),
        new("cache", "Cache", typeof(Tabs.CacheTab)),
        new("space", "Space", typeof(Tabs.SpaceTab)),
        new("indexes", "Indexes", typeof(Tabs.IndexesTab)),
        new("maintenance", "Maintenance", typeof(Tabs.MaintenanceTab)),
        new("queries", "Queries", typeof(Tabs.StatementsTab)),
        new("explain", "Explain", typeof(Tabs.ExplainTab)),
        new("settings", "Settings", typeof(Tabs.SettingsTab)),
        new("replication", "Replication & WAL", typeof(Tabs.ReplicationTab)),
    ];

    [Inject] private NavigationManager Navigation { get; set; } = null!;

    [SupplyParameterFromQuery(Name = "tab")] public string? TabQuery { get; set; }

    private int ActiveIndex => Math.Max(0, Tabs.ToList().FindIndex(t => t.Key == TabQuery));

    private void OnTabChanged(int index)
    {
        // MudTabs also reports the index it starts on (and again while the page is torn down): only a real change navigates.
        if (index == ActiveIndex || index < 0 || index >= Tabs.Count) return;
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameter("tab", Tabs[index].Key), replace: true);
    }
}
