using System.Globalization;

namespace Orchestra.Admin.Features.Demo;

/// <summary>What the seeder did to one table.</summary>
public sealed record TableSeedResult(string Table, long RowsInserted, bool LeftAlone, TimeSpan Elapsed)
{
    public override string ToString() => LeftAlone
        ? $"{Table}: already has rows, left alone"
        : string.Create(CultureInfo.InvariantCulture, $"{Table}: {RowsInserted:N0} rows inserted in {Elapsed.TotalSeconds:0.0} s");
}

/// <summary>What the seeder did, table by table.</summary>
public sealed record DemoSeedReport(IReadOnlyList<TableSeedResult> Tables, TimeSpan Elapsed)
{
    public long RowsInserted => Tables.Sum(t => t.RowsInserted);

    public TableSeedResult this[string table] => Tables.Single(t => t.Table == table);
}
