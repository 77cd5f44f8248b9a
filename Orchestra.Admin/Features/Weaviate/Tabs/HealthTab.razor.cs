using Microsoft.AspNetCore.Components;
using MudBlazor;
using Orchestra.Admin.Components.Controls;
using Orchestra.Admin.Data.Weaviate;
using Orchestra.Admin.Features.Overview;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.Features.Weaviate.Tabs;

public partial class HealthTab
{
    [Inject] private IWeaviateService Service { get; set; } = null!;
    [Inject] private IDialogService Dialogs { get; set; } = null!;
    [Inject] private ISnackbar Snackbar { get; set; } = null!;

    private DataPanel<WeaviateServer>? serverPanel;
    private DataPanel<ClusterStatisticsResponse>? clusterPanel;
    private DataPanel<IReadOnlyList<NodeStatus>>? nodesPanel;
    private DataPanel<IReadOnlyList<NodeStatus>>? shardsPanel;

    protected override string CachePrefix => "weaviate/health/";

    protected override Task RefreshAsync() => Task.WhenAll(
        new IRefreshable?[] { serverPanel, clusterPanel, nodesPanel, shardsPanel }.OfType<IRefreshable>().Select(p => p.RefreshAsync()));

    private async Task SetReadyAsync(string className, string shardName)
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync("Set shard to READY",
            $"Set shard {shardName} of class {className} from READONLY back to READY? Weaviate accepts writes to it again. "
            + "If it went READONLY because the disk is nearly full, free space first or it will switch back.",
            yesText: "Set to READY", cancelText: "Keep READONLY");
        if (confirmed != true) return;
        try
        {
            var result = await Service.SetShardReadyAsync(className, shardName);
            Snackbar.Add(result.RowsAffected == 1 ? $"Shard {shardName} is READY again." : $"Nothing changed: shard {shardName} was no longer READONLY.",
                result.RowsAffected == 1 ? Severity.Success : Severity.Info);
        }
        catch (Exception e) when (e is OperatorRequiredException or InvalidInputException)
        {
            Snackbar.Add(e.Message, Severity.Warning);
        }
        catch (Exception e)
        {
            Snackbar.Add(ErrorMessages.Describe(e), Severity.Error);
        }
        await RefreshNowAsync();
    }

    internal static string LevelKey(StatusLevel level) => level.ToString().ToLowerInvariant();

    private static string RowClass(StatusLevel level) => level switch
    {
        StatusLevel.Critical => "row-critical",
        StatusLevel.Warning => "row-warning",
        _ => "",
    };

    private static Color LevelColor(StatusLevel level) => level switch
    {
        StatusLevel.Ok => Color.Success,
        StatusLevel.Warning => Color.Warning,
        StatusLevel.Critical => Color.Error,
        _ => Color.Default,
    };
}
