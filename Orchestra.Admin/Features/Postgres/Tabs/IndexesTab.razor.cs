using System.Globalization;
using Microsoft.AspNetCore.Components;
using Orchestra.Admin.Components.Controls;

namespace Orchestra.Admin.Features.Postgres.Tabs;

public partial class IndexesTab
{
    internal const int LargestLimit = 20;
    internal const int SeqScanLimit = 20;

    [Inject] private IIndexChecks Checks { get; set; } = null!;

    private DataPanel<UnusedIndexes>? unusedPanel;
    private DataPanel<IReadOnlyList<RedundantIndex>>? duplicatesPanel;
    private DataPanel<IReadOnlyList<InvalidIndex>>? invalidPanel;
    private DataPanel<IReadOnlyList<SeqScanHeavyTable>>? seqScanPanel;
    private DataPanel<IReadOnlyList<IndexSize>>? largestPanel;

    private Task RefreshAsync() => Task.WhenAll(
        unusedPanel?.RefreshAsync() ?? Task.CompletedTask,
        duplicatesPanel?.RefreshAsync() ?? Task.CompletedTask,
        invalidPanel?.RefreshAsync() ?? Task.CompletedTask,
        seqScanPanel?.RefreshAsync() ?? Task.CompletedTask,
        largestPanel?.RefreshAsync() ?? Task.CompletedTask);

    // Npgsql reads timestamptz as UTC.
    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    internal static string Percent(double percent) => percent.ToString("0.#", CultureInfo.InvariantCulture) + " %";
}
