using static Orchestra.Admin.Components.Controls.UrlTabs;

namespace Orchestra.Admin.Features.Postgres;

public partial class PostgresPage
{
    // Each topic is a component of its own under Tabs/, showing its checks as DataPanels.
    internal static readonly IReadOnlyList<UrlTab> Tabs =
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
}
