using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Components;
using Orchestra.Admin.Components.Controls;

namespace Orchestra.Admin.Features.Audit;

public partial class AuditLogPage
{
    private const int PageSize = 50;

    [Inject] private IAuditService Service { get; set; } = null!;
    [Inject] private NavigationManager Navigation { get; set; } = null!;
    [Inject] private BrowserTimeZone TimeZone { get; set; } = null!;
    [Inject] private Microsoft.Extensions.Options.IOptions<Hosting.OrchestraAdminOptions> Options { get; set; } = null!;
    [Inject] private Security.ICurrentOperator CurrentOperator { get; set; } = null!;

    // Filters live in the URL so a view can be shared and reloaded.
    [SupplyParameterFromQuery(Name = "user")] public string? UserQuery { get; set; }
    [SupplyParameterFromQuery(Name = "action")] public string? ActionQuery { get; set; }
    [SupplyParameterFromQuery(Name = "target")] public string? TargetQuery { get; set; }
    [SupplyParameterFromQuery(Name = "from")] public string? FromQuery { get; set; }
    [SupplyParameterFromQuery(Name = "to")] public string? ToQuery { get; set; }
    /// <summary>One entry, opened: the link an action's report gives.</summary>
    [SupplyParameterFromQuery(Name = "id")] public long? EntryQuery { get; set; }

    private string? user, action, target, rangeError, error;
    private DateTime? from, to;
    private AuditPage? page;
    private bool loading;
    private readonly HashSet<long> expanded = [];
    /// <summary>A filter value the service refused, shown at its field.</summary>
    private AuditFilterException? fieldError;

    private string? ErrorOf(string field) => fieldError?.Field == field ? fieldError.Message : null;

    private bool IsFiltered => !string.IsNullOrWhiteSpace(UserQuery) || !string.IsNullOrWhiteSpace(ActionQuery)
        || !string.IsNullOrWhiteSpace(TargetQuery) || FromQuery != null || ToQuery != null || EntryQuery != null;

    protected override async Task OnParametersSetAsync()
    {
        (user, action, target) = (UserQuery, ActionQuery, TargetQuery);
        from = ParseDate(FromQuery);
        to = ParseDate(ToQuery);
        await LoadAsync(null, null);
    }

    private Task ApplyAsync()
    {
        if (from is { } f && to is { } t && t < f)
        {
            rangeError = "The end date is before the start date.";
            return Task.CompletedTask;
        }
        rangeError = null;
        var query = new Dictionary<string, object?>
        {
            ["user"] = Blank(user), ["action"] = Blank(action), ["target"] = Blank(target),
            ["from"] = from?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["to"] = to?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(query));
        return Task.CompletedTask;
    }

    private Task OlderAsync() => LoadAsync(AuditCursor.Of(page!.Records[^1]), null);

    private Task NewerAsync() => LoadAsync(null, AuditCursor.Of(page!.Records[0]));

    private async Task LoadAsync(AuditCursor? olderThan, AuditCursor? newerThan)
    {
        loading = true;
        try
        {
            // Dates are days in the operator's time zone: [from 00:00, the day after "to" 00:00).
            var filter = new AuditFilter(UserQuery, ActionQuery, TargetQuery,
                ToUtc(ParseDate(FromQuery)), ToUtc(ParseDate(ToQuery)?.AddDays(1)), EntryQuery);
            var viewer = await CurrentOperator.GetAsync();
            var loaded = await Service.ListAsync(filter, PageSize, olderThan, newerThan);
            // Masked here, on the server, before anything of it is rendered or kept in the page's state.
            var display = AuditDisplay.For(Options.Value);
            page = loaded with { Records = loaded.Records.Select(r => display.Show(r, viewer)).ToList() };
            expanded.Clear();
            if (EntryQuery is { } entry) expanded.Add(entry);
            (error, fieldError) = (null, null);
        }
        catch (AuditFilterException e)
        {
            (page, error, fieldError) = (null, null, e);
        }
        catch (ArgumentException e)
        {
            error = e.Message;
        }
        catch (Exception e)
        {
            error = ErrorMessages.Describe(e);
        }
        finally
        {
            loading = false;
        }
    }

    private void Toggle(long id)
    {
        if (!expanded.Remove(id)) expanded.Add(id);
    }

    private DateTime? ToUtc(DateTime? localDay) =>
        localDay is { } d ? TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(d, DateTimeKind.Unspecified), TimeZone.Zone ?? TimeZoneInfo.Utc) : null;

    private static DateTime? ParseDate(string? s) =>
        DateTime.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    /// <summary>What a successful entry did: the rows an action changed, or the documents an export (a read) sent.</summary>
    internal static string SucceededText(AuditRecord r) => (r.Action, r.RowsAffected) switch
    {
        (Documents.DocumentsExportEndpoint.AuditAction, { } n) => $"{n:N0} document(s) exported",
        (_, { } n) => $"{n:N0} row(s) changed",
        _ => "succeeded",
    };

    private static string TargetText(AuditRecord r) => r.TargetIds.Length switch
    {
        0 => r.TargetTable ?? "",
        1 => $"{r.TargetTable} {r.TargetIds[0]}".Trim(),
        var n => $"{r.TargetTable} ({n:N0} ids)".Trim(),
    };

    private string RecordJson(AuditRecord r) => JsonSerializer.Serialize(new
    {
        r.Id,
        OccurredAt = r.OccurredAt.ToString("O"),
        r.Actor,
        r.ActorRole,
        r.ClientIp,
        r.Action,
        r.TargetTable,
        r.TargetIds,
        Parameters = JsonNode.Parse(r.Parameters),
        Previous = r.Previous is null ? null : JsonNode.Parse(r.Previous),
        r.Succeeded,
        r.RowsAffected,
        r.Error,
    });
}
