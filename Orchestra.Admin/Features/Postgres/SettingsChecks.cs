using System.Globalization;
using Orchestra.Admin.Components.Controls;
using Orchestra.Admin.Data.Postgres;

namespace Orchestra.Admin.Features.Postgres;

/// <summary>One recommended value, as postgresql.conf would have it (e.g. <c>4GB</c>, <c>0.9</c>).</summary>
public sealed record SettingRecommendation(string Name, string Value, string Why);

/// <summary>
/// The stack migration guide's postgresql.conf recommendations: the one table of them. The memory values are
/// sized for a dedicated database server with 16 GB of RAM (effective_cache_size 12 GB = three quarters of it).
/// </summary>
public static class RecommendedSettings
{
    public const string SizedFor = "a dedicated database server with 16 GB of RAM and SSD storage";

    public static readonly IReadOnlyList<SettingRecommendation> All =
    [
        new("shared_buffers", "4GB", "PostgreSQL's own page cache: about a quarter of the RAM."),
        new("effective_cache_size", "12GB", "What the planner assumes the OS and PostgreSQL cache together (about three quarters of the RAM); makes index scans look as cheap as they are. Allocates nothing."),
        new("work_mem", "64MB", "Memory per sort or hash before it spills to disk; JSONB queries that sort and group need more than the 4MB default. Per operation, so it multiplies with connections."),
        new("maintenance_work_mem", "1GB", "VACUUM, CREATE INDEX (the GIN indexes on documents) and ALTER TABLE run faster with more."),
        new("max_connections", "200", "Room for the stack's workers, the API and the dashboard; beyond this use a connection pooler."),
        new("max_prepared_transactions", "100", "Transactions that may wait prepared at once (PREPARE TRANSACTION, two-phase commit); 0, the default, disables two-phase commit."),
        new("random_page_cost", "1.1", "Random reads on SSD cost about as much as sequential ones: the planner then picks index scans where they pay."),
        new("effective_io_concurrency", "200", "Concurrent I/O requests an SSD can serve (bitmap heap scans prefetch this many pages)."),
        new("max_parallel_workers_per_gather", "4", "Parallel workers one query may use, for large scans and aggregates."),
        new("max_parallel_workers", "8", "Parallel workers for the whole server (one per core)."),
        new("checkpoint_completion_target", "0.9", "Spreads a checkpoint's writes over 90% of the interval instead of a burst."),
        new("wal_buffers", "16MB", "WAL kept in memory before it is written: one WAL segment absorbs bursts of writes."),
        new("max_wal_size", "4GB", "WAL between checkpoints: fewer forced checkpoints under heavy writes (at the cost of longer recovery)."),
    ];
}

public enum SettingKind
{
    /// <summary>A plain number (no unit), e.g. random_page_cost.</summary>
    Number,
    /// <summary>Memory or disk, in bytes.</summary>
    Bytes,
    /// <summary>A duration, in milliseconds.</summary>
    Milliseconds,
}

/// <summary>A setting's value in a base unit (bytes, milliseconds or a plain number), so two spellings compare.</summary>
public readonly record struct SettingValue(double Value, SettingKind Kind)
{
    /// <summary>Equal within a rounding error, and of the same kind.</summary>
    public bool SameAs(SettingValue other) =>
        Kind == other.Kind && Math.Abs(Value - other.Value) <= 1e-9 * Math.Max(1, Math.Abs(other.Value));

    public override string ToString() => Kind switch
    {
        SettingKind.Bytes => Sizes.Format((long)Value),
        SettingKind.Milliseconds => Value.ToString("0.###", CultureInfo.InvariantCulture) + " ms",
        _ => Value.ToString("0.###", CultureInfo.InvariantCulture),
    };
}

/// <summary>
/// PostgreSQL's units (1024-based memory units, as postgresql.conf reads them; time units), to turn pg_settings'
/// <c>setting</c> × <c>unit</c> (e.g. 16384 × 8kB) and a written value (e.g. 4GB) into the same base unit.
/// </summary>
public static class SettingUnits
{
    private static readonly Dictionary<string, (double Factor, SettingKind Kind)> Units = new(StringComparer.Ordinal)
    {
        ["B"] = (1, SettingKind.Bytes),
        ["kB"] = (1024, SettingKind.Bytes),
        ["MB"] = (1024d * 1024, SettingKind.Bytes),
        ["GB"] = (1024d * 1024 * 1024, SettingKind.Bytes),
        ["TB"] = (1024d * 1024 * 1024 * 1024, SettingKind.Bytes),
        ["us"] = (0.001, SettingKind.Milliseconds),
        ["ms"] = (1, SettingKind.Milliseconds),
        ["s"] = (1000, SettingKind.Milliseconds),
        ["min"] = (60_000, SettingKind.Milliseconds),
        ["h"] = (3_600_000, SettingKind.Milliseconds),
        ["d"] = (86_400_000, SettingKind.Milliseconds),
    };

    /// <summary>pg_settings' <c>setting</c> in its <c>unit</c>; the unit may carry a multiplier (<c>8kB</c>, <c>16MB</c>) or be empty.</summary>
    public static SettingValue FromPgSettings(string setting, string? unit)
    {
        var value = ParseNumber(setting, setting);
        if (string.IsNullOrEmpty(unit)) return new SettingValue(value, SettingKind.Number);
        var digits = 0;
        while (digits < unit.Length && char.IsAsciiDigit(unit[digits])) digits++;
        var multiplier = digits == 0 ? 1 : double.Parse(unit[..digits], CultureInfo.InvariantCulture);
        var (factor, kind) = UnitOf(unit[digits..], unit);
        return new SettingValue(value * multiplier * factor, kind);
    }

    /// <summary>A value as postgresql.conf takes it: <c>4GB</c>, <c>64MB</c>, <c>30s</c>, <c>0.9</c>, <c>200</c>.</summary>
    public static SettingValue Parse(string value)
    {
        var text = value.Trim();
        var end = 0;
        while (end < text.Length && (char.IsAsciiDigit(text[end]) || text[end] is '.' or '-' or '+')) end++;
        var number = ParseNumber(text[..end], value);
        var unit = text[end..].Trim();
        if (unit.Length == 0) return new SettingValue(number, SettingKind.Number);
        var (factor, kind) = UnitOf(unit, value);
        return new SettingValue(number * factor, kind);
    }

    private static (double, SettingKind) UnitOf(string unit, string context) =>
        Units.TryGetValue(unit, out var u) ? u
            : throw new FormatException($"'{context}' has an unknown unit '{unit}' (PostgreSQL's units: B, kB, MB, GB, TB, us, ms, s, min, h, d).");

    private static double ParseNumber(string text, string context) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n
            : throw new FormatException($"'{context}' is not a number with an optional unit.");
}

/// <summary>A row of pg_settings, as settings/recommended.sql reads it.</summary>
public sealed record PgSetting
{
    public string Name { get; init; } = "";
    public string Setting { get; init; } = "";
    public string? Unit { get; init; }
    public string Vartype { get; init; } = "";
    public string Source { get; init; } = "";
    public string Context { get; init; } = "";
    public bool PendingRestart { get; init; }
    public string Description { get; init; } = "";
}

/// <summary>A recommended setting beside the server's current value, both in the same base unit.</summary>
public sealed record SettingCheck
{
    public string Name { get; init; } = "";
    public string Recommended { get; init; } = "";
    public SettingValue RecommendedValue { get; init; }
    public string Why { get; init; } = "";
    /// <summary>False when pg_settings does not show it (unknown to this server, or hidden from the dashboard's role).</summary>
    public bool Visible { get; init; }
    /// <summary>pg_settings' raw value and unit, e.g. 16384 and 8kB.</summary>
    public string? Setting { get; init; }
    public string? Unit { get; init; }
    public SettingValue? CurrentValue { get; init; }
    public bool Differs { get; init; }
    public bool PendingRestart { get; init; }
    public string? Source { get; init; }
    /// <summary>pg_settings.context: <c>postmaster</c> means a change needs a restart; <c>sighup</c> a reload.</summary>
    public string? Context { get; init; }
    public string? Description { get; init; }
    public bool NeedsRestartToChange => Context == "postmaster";
}

public interface ISettingsChecks
{
    Task<IReadOnlyList<SettingCheck>> RecommendedAsync(CancellationToken ct = default);
}

/// <summary>The server's settings against the migration guide's recommendations.</summary>
public sealed class SettingsChecks(PostgresQueryRunner queries) : ISettingsChecks
{
    public async Task<IReadOnlyList<SettingCheck>> RecommendedAsync(CancellationToken ct = default)
    {
        var names = RecommendedSettings.All.Select(r => r.Name).ToArray();
        var current = (await queries.QueryAsync<PgSetting>("monitoring/settings/recommended", new { names }, ct: ct))
            .ToDictionary(s => s.Name, StringComparer.Ordinal);
        return RecommendedSettings.All.Select(r => Compare(r, current.GetValueOrDefault(r.Name))).ToList();
    }

    internal static SettingCheck Compare(SettingRecommendation recommendation, PgSetting? current)
    {
        var recommended = SettingUnits.Parse(recommendation.Value);
        var check = new SettingCheck
        {
            Name = recommendation.Name,
            Recommended = recommendation.Value,
            RecommendedValue = recommended,
            Why = recommendation.Why,
        };
        if (current is null) return check with { Differs = true };
        var value = SettingUnits.FromPgSettings(current.Setting, current.Unit);
        return check with
        {
            Visible = true,
            Setting = current.Setting,
            Unit = current.Unit,
            CurrentValue = value,
            Differs = !value.SameAs(recommended),
            PendingRestart = current.PendingRestart,
            Source = current.Source,
            Context = current.Context,
            Description = current.Description,
        };
    }
}
