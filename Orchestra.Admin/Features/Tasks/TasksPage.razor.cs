using Microsoft.AspNetCore.Components;
using static Orchestra.Admin.Components.Controls.UrlTabs;

namespace Orchestra.Admin.Features.Tasks;

public partial class TasksPage
{
    internal static readonly IReadOnlyList<UrlTab> Tabs =
    [
        new("overview", "Overview", typeof(Tabs.OverviewTab)),
        new("failed", "Failed", typeof(Tabs.FailedTab)),
        new("groups", "Error groups", typeof(Tabs.ErrorGroupsTab)),
        new("stuck", "Stuck", typeof(Tabs.StuckTab)),
    ];

    /// <summary>Read only so that the page renders again when a link changes the tab (a failed count, "Open group"):
    /// UrlTabs takes the tab from the URL.</summary>
    [SupplyParameterFromQuery(Name = "tab")] public string? Tab { get; set; }
}
