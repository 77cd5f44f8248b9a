using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;
using Orchestra.Admin.Components.Controls;

namespace Orchestra.Admin.Features.Weaviate;

public partial class ObjectPage
{
    [Inject] private IWeaviateService Service { get; set; } = null!;
    [Inject] private IJSRuntime JS { get; set; } = null!;
    [Inject] private ISnackbar Snackbar { get; set; } = null!;
    [Inject] private VectorSearch.IVectorSearch Search { get; set; } = null!;
    [Inject] private VectorSearch.TextQueries TextQueries { get; set; } = null!;

    /// <summary>Longer texts are not offered: the link carries the text in its address.</summary>
    private const int MaxLinkedText = 1_500;

    /// <summary>The property whose text the class's vectors were made from, when the class can be searched by text.</summary>
    private string? textProperty;

    /// <summary>The text "Search by this text" searches with: the value of the class's text property, short enough for a link.</summary>
    private string? SearchableText(string property, System.Text.Json.Nodes.JsonNode? value) =>
        property == textProperty && value is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var text)
        && !string.IsNullOrWhiteSpace(text) && text.Length <= MaxLinkedText
            ? text : null;

    protected override async Task OnParametersSetAsync()
    {
        try
        {
            var info = await Search.DescribeClassAsync(ClassName);
            textProperty = TextQueries.Refusal(info) == null ? TextQueries.TextPropertyOf(info) : null;
        }
        catch (Exception)
        {
            textProperty = null; // the object itself still shows (its panel says why when Weaviate fails); only the link is left out
        }
    }

    [Parameter] public string ClassName { get; set; } = "";
    [Parameter] public Guid Id { get; set; }

    private List<BreadcrumbItem> breadcrumbs = [];

    protected override void OnParametersSet() => breadcrumbs =
    [
        new("Weaviate", "weaviate"),
        new(ClassName, $"weaviate?tab=objects&class={Uri.EscapeDataString(ClassName)}"),
        new(Id.ToString(), null, disabled: true),
    ];

    private async Task CopyAsync(string text)
    {
        await JS.InvokeVoidAsync("navigator.clipboard.writeText", text);
        Snackbar.Add("Vector copied.", Severity.Success);
    }
}

/// <summary>What an operator checks on a vector: its size, its norm (1 for normalised vectors) and how it starts.</summary>
public sealed record VectorSummary(double Norm, string Head)
{
    public static VectorSummary Of(float[] vector) =>
        new(Math.Sqrt(vector.Sum(v => (double)v * v)),
            string.Join(", ", vector.Take(8).Select(v => v.ToString("0.####", CultureInfo.InvariantCulture))) + (vector.Length > 8 ? ", …" : ""));

    public static string Json(float[] vector) => "[" + string.Join(",", vector.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]";
}
