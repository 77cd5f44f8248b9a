using Microsoft.AspNetCore.Components;
using static Orchestra.Admin.Components.Controls.UrlTabs;

namespace Orchestra.Admin.Features.Weaviate;

public partial class WeaviatePage
{
    internal static readonly IReadOnlyList<UrlTab> Tabs =
    [
        new("health", "Health", typeof(Tabs.HealthTab)),
        new("schema", "Schema", typeof(Tabs.SchemaTab)),
        new("objects", "Objects", typeof(Tabs.ObjectsTab)),
    ];

    [Inject] private IWeaviateService Service { get; set; } = null!;
}
