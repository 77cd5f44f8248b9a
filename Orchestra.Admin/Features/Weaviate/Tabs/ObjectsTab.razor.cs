using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.WebUtilities;
using Orchestra.Admin.Components.Controls;
using Orchestra.Admin.Data.Weaviate;

namespace Orchestra.Admin.Features.Weaviate.Tabs;

/// <summary>
/// Browses a class in id order with Weaviate's <c>after</c> cursor. The cursor only goes forwards, so the
/// cursors of the pages already seen are kept to go back.
/// </summary>
public partial class ObjectsTab
{
    internal static readonly int[] PageSizes = [25, 50, 100];

    [Inject] private IWeaviateService Service { get; set; } = null!;
    [Inject] private NavigationManager Navigation { get; set; } = null!;

    private IReadOnlyList<string>? classNames;
    private string? classError;
    private string? className;
    private int pageSize = PageSizes[0];
    private readonly Stack<Guid?> cursors = new();
    private Guid? after;
    private WeaviateObjectPage? page;
    private DataPanel<WeaviateObjectPage>? objectsPanel;

    protected override async Task OnInitializedAsync()
    {
        // The class comes from the URL (?class=Memory) so a view can be shared; read by hand (see UrlTabs).
        var query = QueryHelpers.ParseQuery(new Uri(Navigation.Uri).Query);
        className = query.TryGetValue("class", out var c) && !string.IsNullOrEmpty(c.ToString()) ? c.ToString() : null;
        try
        {
            classNames = (await Service.GetClassesAsync()).Select(s => s.Class.Name).OfType<string>().ToList();
            if (className != null && !classNames.Contains(className))
            {
                classError = $"No class {className} in the schema.";
                className = null;
            }
        }
        catch (Exception e)
        {
            classNames = [];
            classError = ErrorMessages.Describe(e);
        }
    }

    private async Task<WeaviateObjectPage> LoadPageAsync(CancellationToken ct)
    {
        var loaded = await Service.ListObjectsAsync(className!, pageSize, after, ct);
        // A load overtaken by a newer one (the panel cancelled it) must not set the paging cursor.
        if (!ct.IsCancellationRequested) page = loaded;
        StateHasChanged(); // the paging buttons live outside the panel
        return loaded;
    }

    private async Task SelectClassAsync(string selected)
    {
        className = selected;
        classError = null;
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameter("class", selected), replace: true);
        await FirstPageAsync();
    }

    private Task SelectPageSizeAsync(int size)
    {
        pageSize = size;
        return FirstPageAsync();
    }

    private Task FirstPageAsync()
    {
        cursors.Clear();
        after = null;
        return ReloadAsync();
    }

    private Task NextPageAsync()
    {
        if (page?.NextAfter is not { } next) return Task.CompletedTask;
        cursors.Push(after);
        after = next;
        return ReloadAsync();
    }

    private Task PreviousPageAsync()
    {
        if (cursors.Count == 0) return Task.CompletedTask;
        after = cursors.Pop();
        return ReloadAsync();
    }

    private async Task ReloadAsync()
    {
        page = null;
        StateHasChanged(); // renders the panel when the class was just picked
        if (objectsPanel != null) await objectsPanel.RefreshAsync();
    }

    private static string ObjectLink(WeaviateObject o) =>
        $"weaviate/objects/{Uri.EscapeDataString(o.ClassName ?? "")}/{o.Id}";

    /// <summary>The first properties as "name: value", long text cut, to recognise an object in the list.</summary>
    internal static string Preview(WeaviateObject o)
    {
        if (o.Properties is not { Count: > 0 } properties) return "–";
        return string.Join(" · ", properties.Take(3).Select(p => $"{p.Key}: {Cut(JsonText.OneLine(p.Value))}"));
    }

    private static string Cut(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
