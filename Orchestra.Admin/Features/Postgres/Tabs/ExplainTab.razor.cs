using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.WebUtilities;
using Orchestra.Admin.Components.Controls;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.Features.Postgres.Tabs;

public partial class ExplainTab
{
    [Inject] private IExplainService Service { get; set; } = null!;
    [Inject] private IStatementChecks Statements { get; set; } = null!;

    [Inject] private NavigationManager Navigation { get; set; } = null!;

    private string? query;
    private string? queryError, runError, pickedMessage;
    private bool running;
    private ExplainResult? result;

    // A statement of pg_stat_statements to explain: the Queries tab links here with ?queryid=…. Read from the URL
    // directly (see StatementsTab: [SupplyParameterFromQuery] breaks when a tab appears during a location change).
    protected override async Task OnInitializedAsync()
    {
        var parameters = QueryHelpers.ParseQuery(new Uri(Navigation.Uri).Query);
        if (!parameters.TryGetValue("queryid", out var value)
            || !long.TryParse(value.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var id)) return;
        try
        {
            var text = await Statements.StatementTextAsync(id);
            if (text is null)
                pickedMessage = $"Statement {id} is not in pg_stat_statements any more (the statistics were reset, or it was evicted).";
            else
                Pick(text);
        }
        catch (Exception e)
        {
            pickedMessage = $"Could not read statement {id}: {ErrorMessages.Describe(e)}";
        }
    }

    private void Pick(string text)
    {
        query = text;
        (queryError, runError, pickedMessage, result) = (null, null, null, null);
    }

    private async Task RunAsync(bool analyze)
    {
        if (running) return;
        running = true;
        (queryError, runError, pickedMessage) = (null, null, null);
        try
        {
            result = await Service.ExplainAsync(query ?? "", analyze);
        }
        catch (InvalidInputException e)
        {
            (queryError, result) = (e.Message, null);
        }
        catch (OperatorRequiredException e)
        {
            (runError, result) = (e.Message, null);
        }
        catch (QueryTimeoutException e)
        {
            (runError, result) = (analyze
                ? $"EXPLAIN ANALYZE stopped after {e.Timeout.TotalSeconds:0.#} s (statement_timeout) and was rolled back: the query runs longer than " +
                  "the dashboard allows. Explain (without analyze) shows its plan without running it."
                : $"Planning stopped after {e.Timeout.TotalSeconds:0.#} s (statement_timeout): a table it needs is probably locked. Try again.", null);
        }
        catch (Exception e)
        {
            (runError, result) = (ErrorMessages.Describe(e), null);
        }
        finally
        {
            running = false;
        }
    }

}
