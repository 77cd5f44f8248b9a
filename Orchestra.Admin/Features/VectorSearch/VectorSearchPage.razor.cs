using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.JSInterop;
using MudBlazor;
using Orchestra.Admin.Components.Controls;
using Orchestra.Admin.Data.Weaviate;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.Features.VectorSearch;

/// <summary>
/// Ad hoc search: the operator picks a class and a mode, the page shows the exact query sent, the time it
/// took and the ranked hits with their distances. Read-only, so Viewers may search too.
/// </summary>
public partial class VectorSearchPage
{
    /// <summary>Text longer than this is cut in the table, with a toggle to show all.</summary>
    internal const int CutAt = 160;

    [Inject] private IVectorSearch Search { get; set; } = null!;
    [Inject] private IRecentSearches Recent { get; set; } = null!;
    [Inject] private ICurrentOperator CurrentOperator { get; set; } = null!;
    [Inject] private NavigationManager Navigation { get; set; } = null!;
    [Inject] private IJSRuntime JS { get; set; } = null!;
    [Inject] private ISnackbar Snackbar { get; set; } = null!;
    [Inject] private Weaviate.IWeaviateService Weaviate { get; set; } = null!;
    [Inject] private TextQueries TextQueries { get; set; } = null!;

    private readonly SearchForm form = new();
    private IReadOnlyList<string>? classNames;
    private ClassSearchInfo? info;
    private string? loadError;
    private string? weaviateError;
    private string? nodeWarning;
    private string? preview;
    private SearchResult? result;
    private SearchRequest? resultRequest;
    /// <summary>The last search by text: what embedded it and the vector sent (folded in the query shown).</summary>
    private EmbeddedText? embedded;
    /// <summary>Why the selected class cannot be searched by text; null when it can.</summary>
    private string? textUnavailableReason;
    private IReadOnlyList<RecentSearch> recent = [];
    private bool searching;
    private readonly HashSet<(int Rank, string Property)> expanded = [];

    protected override async Task OnInitializedAsync()
    {
        if (!Weaviate.IsConfigured) return;
        await LoadRecentAsync();
        await LoadClassesAsync();
    }

    /// <summary>
    /// The schema's classes (and the class the URL or a one-class schema names). On failure the page says why, with
    /// a button to try again: nothing else on the page needs a reload when Weaviate comes back.
    /// </summary>
    private async Task LoadClassesAsync()
    {
        var choice = await ClassChoice.LoadAsync(Search, Navigation);
        (classNames, loadError) = (choice.Names, choice.Error);
        if (classNames == null) return;
        if (choice.Selected != null) await SelectClassAsync(choice.Selected);

        // Reached from "find similar" on an object: ?class=Memory&nearObject=<id> searches at once.
        var query = QueryHelpers.ParseQuery(new Uri(Navigation.Uri).Query);
        // Not while prerendering: the page initializes twice (prerender, then interactive) and would search twice.
        if (info != null && RendererInfo.IsInteractive && query.TryGetValue("nearObject", out var id) && !string.IsNullOrEmpty(id.ToString()))
        {
            form.Mode = SearchMode.NearObject;
            form.ObjectId = id.ToString();
            await RunAsync();
        }
        // Reached from "Search by this text" on an object's page: ?class=Memory&text=… searches by that text at once.
        else if (info != null && RendererInfo.IsInteractive && query.TryGetValue("text", out var text) && !string.IsNullOrWhiteSpace(text.ToString()))
        {
            await SearchByTextAsync(text.ToString());
        }
    }

    private async Task SelectClassAsync(string className)
    {
        form.ClassName = className;
        form.Errors.Clear();
        weaviateError = null;
        try
        {
            info = await Search.DescribeClassAsync(className);
            form.Properties = DefaultProperties(info).ToHashSet();
            form.Filters.Clear();
            if (form.ThresholdKind == ThresholdKind.Certainty && !CertaintyAllowed) form.ThresholdKind = ThresholdKind.Distance;
            if (form.Mode == SearchMode.NearText && info.NearTextUnavailableReason != null) form.Mode = SearchMode.NearVector;
            textUnavailableReason = TextQueries.Refusal(info)?.Message;
            if (form.Mode == SearchMode.Text && textUnavailableReason != null) form.Mode = SearchMode.NearVector;
            if (textUnavailableReason == null && RendererInfo.IsInteractive) TextQueries.WarmUp(className);
        }
        catch (Exception e)
        {
            info = null;
            form.Errors["class"] = ErrorMessages.Describe(e);
        }
    }

    private bool CertaintyAllowed => info?.Distance == "cosine";

    private bool IsNearSearch => form.Mode is SearchMode.NearVector or SearchMode.NearObject or SearchMode.NearText or SearchMode.Text;

    /// <summary>The modes in the order offered: by text first, the way a person asks.</summary>
    private static readonly SearchMode[] ModeOrder = [SearchMode.Text, SearchMode.NearVector, SearchMode.NearObject, SearchMode.NearText, SearchMode.Bm25, SearchMode.Hybrid];

    private string? DisabledReason(SearchMode mode) => mode switch
    {
        SearchMode.NearText => info?.NearTextUnavailableReason,
        SearchMode.Text => textUnavailableReason,
        _ => null,
    };

    /// <summary>The property "Search by this text" offers on each result: the one the class's vectors were made from.</summary>
    private string? TextProperty => info != null && textUnavailableReason == null ? TextQueries.TextPropertyOf(info) : null;

    /// <summary>"What else is like this?": searches by the text of a result (or of the object the page was opened from).</summary>
    private async Task SearchByTextAsync(string text)
    {
        form.Mode = SearchMode.Text;
        form.QueryText = text.Length > TextQueries.MaxTextChars ? text[..TextQueries.MaxTextChars] : text;
        await RunAsync();
    }

    private static IEnumerable<string> DefaultProperties(ClassSearchInfo info) =>
        info.Properties.Where(p => p.DataType.Count == 1 && p.DataType[0] is "text" or "string").Select(p => p.Name!).Take(5);

    private async Task RunAsync()
    {
        form.Errors.Clear();
        weaviateError = null;
        var request = form.ToRequest();
        string? query = null;
        EmbeddedText? text = null;
        searching = true;
        try
        {
            var sent = request;
            if (request.Mode == SearchMode.Text)
            {
                if (info == null) return;
                text = await TextQueries.EmbedAsync(request, info);
                sent = text.NearVector;
            }
            query = await Search.PreviewAsync(sent);
            var answer = await Search.SearchAsync(sent);
            preview = answer.Query; // what was sent, over the protocol that answered
            result = answer;
            resultRequest = request;
            embedded = text;
            expanded.Clear();
            StateHasChanged(); // the hits first: the nodes' answer (retried when Weaviate is unwell) must not hold them up
            nodeWarning = await NodeWarningAsync();
            await RememberAsync(request);
        }
        catch (SearchInputException e)
        {
            form.Errors[e.Field] = e.Message; // shown at the field; the form keeps what was typed
        }
        catch (Exception e)
        {
            // The previous hits are not this search's answer: they go, so nothing on the page passes for a result of
            // the query shown. The form keeps what was typed, so the same search can simply be run again.
            preview = query; // the query that failed, or none when it was never built
            embedded = text;
            result = null;
            resultRequest = null;
            expanded.Clear();
            nodeWarning = null;
            weaviateError = $"The search failed: {ErrorMessages.Describe(e)}";
        }
        finally
        {
            searching = false;
        }
    }

    /// <summary>
    /// A node that is not HEALTHY may hold shards this search did not read: said next to the results. Asked after
    /// each successful search (one GET /v1/nodes); when it cannot be asked, the results stand without the warning.
    /// </summary>
    private async Task<string?> NodeWarningAsync()
    {
        try
        {
            var sick = (await Weaviate.GetNodesAsync()).Where(n => n.Health != NodeHealth.Healthy).ToList();
            if (sick.Count == 0) return null;
            return string.Join(" ", sick.Select(n => $"Weaviate node {n.Name} is {n.Status}: {Features.Weaviate.WeaviateStates.NodeMeaning(n)}."))
                + " The results may miss objects held on it.";
        }
        catch (Exception)
        {
            return null;
        }
    }

    private async Task RememberAsync(SearchRequest request)
    {
        try
        {
            var actor = await CurrentOperator.GetAsync();
            await Recent.RememberAsync(actor.Name, request);
            await LoadRecentAsync();
        }
        catch (Exception e)
        {
            // The search itself worked: a list that could not be stored is worth a note, not an error panel.
            Snackbar.Add($"This search was not added to your recent searches: {ErrorMessages.Describe(e)}", Severity.Warning);
        }
    }

    private async Task LoadRecentAsync()
    {
        try
        {
            recent = await Recent.ListAsync((await CurrentOperator.GetAsync()).Name);
        }
        catch (Exception)
        {
            recent = []; // PostgreSQL down: searching still works; the banner says what is wrong
        }
    }

    private async Task RerunAsync(RecentSearch search)
    {
        if (classNames == null)
        {
            weaviateError = loadError;
            return;
        }
        if (!classNames.Contains(search.Request.ClassName))
        {
            weaviateError = $"Class {search.Request.ClassName} is no longer in the schema.";
            return;
        }
        await SelectClassAsync(search.Request.ClassName);
        form.Load(search.Request);
        await RunAsync();
    }

    private void AddFilter()
    {
        var first = info?.Properties.FirstOrDefault()?.Name ?? "";
        form.Filters.Add(new FilterForm { Property = first });
    }

    private async Task CopyQueryAsync()
    {
        if (preview == null) return;
        await JS.InvokeVoidAsync("navigator.clipboard.writeText", preview);
        Snackbar.Add("Query copied.", Severity.Success);
    }

    private async Task CopyVectorAsync()
    {
        if (embedded == null) return;
        await JS.InvokeVoidAsync("navigator.clipboard.writeText", embedded.VectorText);
        Snackbar.Add("Vector copied.", Severity.Success);
    }

    /// <summary>The query as shown: vectors folded ("[384 numbers]") where they would fill the panel; the copy buttons give it in full.</summary>
    private string? ShownQuery =>
        result?.ShownQuery is { } shown && result.Query == preview ? shown
        : preview != null && embedded != null ? TextQueries.Fold(preview, embedded.VectorText, embedded.Embedding.Dimensions)
        : preview;

    private async Task ExportAsync()
    {
        if (result == null || resultRequest == null) return;
        var export = new JsonObject
        {
            ["class"] = resultRequest.ClassName,
            ["mode"] = resultRequest.Mode.ToString(),
            ["text"] = resultRequest.Mode == SearchMode.Text ? resultRequest.QueryText : null,
            ["embeddedBy"] = embedded?.Embedding.Profile.Describe(),
            ["embeddingMs"] = embedded != null ? Math.Round(embedded.Embedding.Elapsed.TotalMilliseconds, 1) : null,
            ["query"] = result.Query,
            ["elapsedMs"] = Math.Round(result.Elapsed.TotalMilliseconds, 1),
            ["hits"] = new JsonArray(result.Hits.Select(h => (JsonNode)new JsonObject
            {
                ["rank"] = h.Rank,
                ["id"] = h.Id.ToString(),
                ["distance"] = h.Distance,
                ["certainty"] = h.Certainty,
                ["score"] = h.Score,
                ["properties"] = h.Properties.DeepClone(),
            }).ToArray()),
        };
        var fileName = $"search-{resultRequest.ClassName}-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json";
        await JS.InvokeVoidAsync("orchestraAdmin.download", fileName, "application/json",
            export.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private string? ErrorOf(string field) => form.Errors.GetValueOrDefault(field);

    internal static string Format(double? value) => value?.ToString("0.0000", CultureInfo.InvariantCulture) ?? "–";

    /// <summary>A property value on one line; an absent property is an empty cell.</summary>
    internal static string ValueText(JsonNode? value) => value is null ? "" : JsonText.OneLine(value);

    /// <summary>The same value in full: JSON (also JSON held in text, as the stack's metadata is) pretty-printed.</summary>
    internal static string FullText(JsonNode? value) => value is null ? "" : JsonText.Full(value);

    private static string ModeLabel(SearchMode mode) => mode switch
    {
        SearchMode.NearVector => "nearVector",
        SearchMode.NearObject => "nearObject",
        SearchMode.NearText => "nearText",
        SearchMode.Bm25 => "bm25",
        SearchMode.Text => "Search by text",
        _ => "hybrid",
    };

    private static string Summary(SearchRequest r) => r.Mode switch
    {
        SearchMode.NearVector => $"vector of {r.VectorText.Count(ch => ch == ',') + 1} values",
        SearchMode.NearObject => $"near {r.ObjectId}",
        _ => $"\"{(r.QueryText.Length > 40 ? r.QueryText[..40] + "…" : r.QueryText)}\"",
    } + $" · limit {r.Limit}";

    private (List<ChartSeries<double>> Series, LineChartOptions Options) DistanceChart()
    {
        var axis = ChartAxis.For(result!.Hits.Select(h => h.Distance ?? 0));
        var series = new List<ChartSeries<double>> { new() { Name = "distance", Data = result.Hits.Select(h => axis.Plot(h.Distance ?? 0)).ToList() } };
        var options = new LineChartOptions
        {
            ShowLegend = false,
            YAxisTicks = axis.Ticks,
            MaxNumYAxisTicks = 8,
            YAxisToStringFunc = v => axis.Unplot(v).ToString("0.000", CultureInfo.InvariantCulture),
        };
        return (series, options);
    }

    private string[] RankLabels() => result!.Hits.Select(h => h.Rank.ToString(CultureInfo.InvariantCulture)).ToArray();
}

/// <summary>The form as the operator edits it (mutable, bound to the inputs); <see cref="ToRequest"/> freezes it.</summary>
internal sealed class SearchForm
{
    public string ClassName { get; set; } = "";
    public HashSet<string> Properties { get; set; } = [];
    public SearchMode Mode { get; set; } = SearchMode.Text;
    public string VectorText { get; set; } = "";
    public string ObjectId { get; set; } = "";
    public string QueryText { get; set; } = "";
    public double Alpha { get; set; } = 0.75;
    public HybridFusion Fusion { get; set; } = HybridFusion.RelativeScoreFusion;
    public ThresholdKind ThresholdKind { get; set; } = ThresholdKind.None;
    public double? Threshold { get; set; }
    public int Limit { get; set; } = 10;
    public List<FilterForm> Filters { get; } = [];
    /// <summary>Field → message, from the last SearchInputException.</summary>
    public Dictionary<string, string> Errors { get; } = [];

    public SearchRequest ToRequest() => new()
    {
        ClassName = ClassName,
        Properties = Properties.Order(StringComparer.Ordinal).ToList(),
        Mode = Mode,
        VectorText = VectorText,
        ObjectId = ObjectId.Trim(),
        QueryText = QueryText,
        Alpha = Alpha,
        Fusion = Fusion,
        ThresholdKind = Threshold == null ? ThresholdKind.None : ThresholdKind,
        Threshold = ThresholdKind == ThresholdKind.None ? null : Threshold,
        Limit = Limit,
        Filters = Filters.Select(f => new FilterRow(f.Property, f.Operator, f.Value)).ToList(),
    };

    public void Load(SearchRequest r)
    {
        ClassName = r.ClassName;
        Properties = r.Properties.ToHashSet();
        Mode = r.Mode;
        VectorText = r.VectorText;
        ObjectId = r.ObjectId;
        QueryText = r.QueryText;
        Alpha = r.Alpha;
        Fusion = r.Fusion;
        ThresholdKind = r.ThresholdKind;
        Threshold = r.Threshold;
        Limit = r.Limit;
        Filters.Clear();
        Filters.AddRange(r.Filters.Select(f => new FilterForm { Property = f.Property, Operator = f.Operator, Value = f.Value }));
    }
}

internal sealed class FilterForm
{
    public string Property { get; set; } = "";
    public FilterOperator Operator { get; set; } = FilterOperator.Equal;
    public string Value { get; set; } = "";
}
