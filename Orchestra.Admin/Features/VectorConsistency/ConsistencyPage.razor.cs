using System.Globalization;
using Microsoft.AspNetCore.Components;
using Orchestra.Admin.Components.Controls;
using Orchestra.Admin.Data.Embeddings;
using Orchestra.Admin.Features.VectorSearch;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.Features.VectorConsistency;

/// <summary>
/// /vectors/consistency: pick a class and its text property, check a sample of its vectors against the class's embedding
/// provider, and see the newest check of the class (kept in PostgreSQL, from any instance). Read-only for the stack, so
/// Viewers may run it. While a check of the class runs, the page follows its row once a second.
/// </summary>
public partial class ConsistencyPage
{
    /// <summary>How often the page reads a running check's row (its heartbeat writes it every second).</summary>
    internal static readonly TimeSpan PollEvery = TimeSpan.FromSeconds(1);

    [Inject] private IVectorSearch Search { get; set; } = null!;
    [Inject] private TextQueries Texts { get; set; } = null!;
    [Inject] private ConsistencyRuns Runs { get; set; } = null!;
    [Inject] private ICurrentOperator CurrentOperator { get; set; } = null!;
    [Inject] private NavigationManager Navigation { get; set; } = null!;
    [Inject] private Weaviate.IWeaviateService Weaviate { get; set; } = null!;

    private readonly Dictionary<string, string> errors = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource disposed = new();
    private IReadOnlyList<string>? classNames;
    private string? className;
    private ClassSearchInfo? info;
    private EmbeddingProfile? profile;
    private string? refusal;
    private string? textProperty;
    private int sampleSize = ConsistencyRequest.DefaultSampleSize;
    private double threshold = ConsistencyRequest.DefaultThreshold;
    private string? loadError;
    private string? startError;
    private string? runError;
    private ConsistencyRun? run;
    private bool starting;
    private bool polling;

    private IEnumerable<string> TextProperties => info?.Properties.Where(ConsistencyRuns.IsText).Select(p => p.Name!) ?? [];

    protected override async Task OnInitializedAsync()
    {
        if (!Weaviate.IsConfigured) return;
        await LoadClassesAsync();
    }

    private async Task LoadClassesAsync()
    {
        var choice = await ClassChoice.LoadAsync(Search, Navigation);
        (classNames, loadError) = (choice.Names, choice.Error);
        if (choice.Selected != null) await SelectClassAsync(choice.Selected);
    }

    private async Task SelectClassAsync(string name)
    {
        className = name;
        errors.Clear();
        (info, profile, refusal, textProperty, run, runError, startError) = (null, null, null, null, null, null, null);
        try
        {
            info = await Search.DescribeClassAsync(name);
            profile = Texts.ProfileFor(name);
            refusal = Texts.Refusal(info)?.Message;
            textProperty = Texts.TextPropertyOf(info);
            if (refusal == null && RendererInfo.IsInteractive) Texts.WarmUp(name);
        }
        catch (Exception e)
        {
            info = null;
            errors["class"] = ErrorMessages.Describe(e);
            return;
        }
        await LoadRunAsync();
    }

    /// <summary>The newest check of the class; while it runs, follow it.</summary>
    private async Task LoadRunAsync()
    {
        if (className == null) return;
        try
        {
            run = await Runs.LastRunAsync(className, disposed.Token);
            runError = null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            runError = ErrorMessages.Describe(e);
        }
        if (run is { IsRunning: true } && !polling && RendererInfo.IsInteractive) _ = FollowAsync();
    }

    private async Task FollowAsync()
    {
        polling = true;
        try
        {
            using var timer = new PeriodicTimer(PollEvery);
            while (run is { IsRunning: true } && await timer.WaitForNextTickAsync(disposed.Token))
            {
                await InvokeAsync(async () =>
                {
                    await LoadRunAsync();
                    StateHasChanged();
                });
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            polling = false;
        }
    }

    private async Task StartAsync()
    {
        if (info == null) return;
        errors.Clear();
        startError = null;
        starting = true;
        try
        {
            var who = await CurrentOperator.GetAsync();
            await Runs.StartAsync(new ConsistencyRequest(info.ClassName, textProperty ?? "", sampleSize, threshold), info, who.Name);
        }
        catch (ConsistencyInputException e)
        {
            errors[e.Field] = e.Message;
        }
        catch (Exception e) when (e is ConsistencyBusyException or EmbeddingException)
        {
            startError = e.Message;
        }
        catch (Exception e)
        {
            startError = $"The check could not start: {ErrorMessages.Describe(e)}";
        }
        finally
        {
            starting = false;
        }
        await LoadRunAsync();
    }

    private async Task CancelAsync()
    {
        if (run is not { IsRunning: true } current) return;
        try
        {
            var who = await CurrentOperator.GetAsync();
            await Runs.CancelAsync(current.Id, who.Name);
        }
        catch (Exception e)
        {
            runError = $"Cancel did not reach the check: {ErrorMessages.Describe(e)}";
        }
        await LoadRunAsync();
    }

    private string? ErrorOf(string field) => errors.GetValueOrDefault(field);

    internal static string Format(double? value) => value?.ToString("0.0000", CultureInfo.InvariantCulture) ?? "–";

    private static double Percent(ConsistencyRun r) => 100.0 * r.Compared / Math.Max(1, r.SampleSize);

    private static bool IsMismatch(ObjectDistance o, double limit) => o.Distance is not { } d || d > limit;

    private static string StatusText(ConsistencyRun r) => r.Status switch
    {
        ConsistencyStatus.Running => "running",
        ConsistencyStatus.Completed => $"completed {Ago(r)}",
        ConsistencyStatus.Failed => "failed",
        ConsistencyStatus.Cancelled => "cancelled",
        ConsistencyStatus.Interrupted => "interrupted",
        _ => r.Status,
    };

    private static string Ago(ConsistencyRun r) => r.FinishedAt is { } f ? $"in {Durations.Format((f - r.StartedAt).TotalSeconds)}" : "";

    public void Dispose()
    {
        disposed.Cancel();
        disposed.Dispose();
    }
}
