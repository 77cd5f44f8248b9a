using Dapper;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.Features.Audit;

public sealed record AuditRecord
{
    public long Id { get; init; }
    /// <summary>UTC, as Npgsql reads timestamptz.</summary>
    public DateTime OccurredAt { get; init; }
    public string Actor { get; init; } = "";
    public string ActorRole { get; init; } = "";
    public string? ClientIp { get; init; }
    public string Action { get; init; } = "";
    public string? TargetTable { get; init; }
    public string[] TargetIds { get; init; } = [];
    public string Parameters { get; init; } = "{}";
    public string? Previous { get; init; }
    public bool Succeeded { get; init; }
    public long? RowsAffected { get; init; }
    public string? Error { get; init; }
}

/// <summary>Filters of the audit page; all optional, combined with AND.</summary>
/// <param name="From">Inclusive, UTC.</param>
/// <param name="To">Exclusive, UTC.</param>
/// <param name="EntryId">One entry by its id (actions report it, so their pages can link to it).</param>
public sealed record AuditFilter(string? Actor = null, string? Action = null, string? TargetId = null, DateTime? From = null, DateTime? To = null, long? EntryId = null);

/// <summary>A position in the newest-first order: (occurred_at, id) of an entry.</summary>
public sealed record AuditCursor(DateTime OccurredAt, long Id)
{
    public static AuditCursor Of(AuditRecord r) => new(r.OccurredAt, r.Id);
}

public sealed record AuditPage(IReadOnlyList<AuditRecord> Records, bool HasNewer, bool HasOlder);

public interface IAuditService
{
    /// <summary>Newest first. <paramref name="olderThan"/> pages down, <paramref name="newerThan"/> pages up (keyset on (occurred_at, id), never OFFSET).</summary>
    Task<AuditPage> ListAsync(AuditFilter filter, int pageSize, AuditCursor? olderThan = null, AuditCursor? newerThan = null, CancellationToken ct = default);
}

public sealed class AuditService(PostgresQueryRunner queries) : IAuditService
{
    public const int MaxPageSize = 200;

    private const string Columns = """
        id, occurred_at, actor, actor_role, host(client_ip) AS client_ip, action, target_table, target_ids,
        parameters::text AS parameters, previous::text AS previous, succeeded, rows_affected, error
        """;

    // One statement for every filter combination; a NULL parameter switches its condition off.
    private const string FilterSql = """
        (@actor::text IS NULL OR actor = @actor)
        AND (@action::text IS NULL OR action = @action)
        AND (@targetId::text IS NULL OR target_ids @> ARRAY[@targetId::text])
        AND (@from::timestamptz IS NULL OR occurred_at >= @from)
        AND (@to::timestamptz IS NULL OR occurred_at < @to)
        AND (@entryId::bigint IS NULL OR id = @entryId)
        """;

    public async Task<AuditPage> ListAsync(AuditFilter filter, int pageSize, AuditCursor? olderThan = null, AuditCursor? newerThan = null, CancellationToken ct = default)
    {
        if (pageSize is < 1 or > MaxPageSize) throw new ArgumentOutOfRangeException(nameof(pageSize), $"page size must be from 1 to {MaxPageSize}");
        if (filter.From is { } from && filter.To is { } to && to <= from) throw new ArgumentException("the end of the time range must be after its start");
        foreach (var (field, label, value) in new[] { ("user", "user", filter.Actor), ("action", "action", filter.Action), ("target", "target id", filter.TargetId) })
            FilteredQuery.RefuseNul(field, label, value, (f, message, _) => new AuditFilterException(f, message));

        var parameters = new DynamicParameters(new
        {
            actor = Blank(filter.Actor),
            action = Blank(filter.Action),
            targetId = Blank(filter.TargetId),
            from = filter.From is { } f ? DateTime.SpecifyKind(f, DateTimeKind.Utc) : (DateTime?)null,
            to = filter.To is { } t ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : (DateTime?)null,
            entryId = filter.EntryId,
            limit = pageSize + 1,
        });
        string name, sql;
        if (newerThan is { } n)
        {
            // Page up: the entries just newer than the cursor, read oldest-first and turned around.
            parameters.Add("at", n.OccurredAt);
            parameters.Add("id", n.Id);
            (name, sql) = ("audit/list_newer", $"SELECT {Columns} FROM orchestra_admin.audit_log WHERE {FilterSql} AND (occurred_at, id) > (@at, @id) ORDER BY occurred_at, id LIMIT @limit");
        }
        else if (olderThan is { } o)
        {
            parameters.Add("at", o.OccurredAt);
            parameters.Add("id", o.Id);
            (name, sql) = ("audit/list_older", $"SELECT {Columns} FROM orchestra_admin.audit_log WHERE {FilterSql} AND (occurred_at, id) < (@at, @id) ORDER BY occurred_at DESC, id DESC LIMIT @limit");
        }
        else
        {
            (name, sql) = ("audit/list_newest", $"SELECT {Columns} FROM orchestra_admin.audit_log WHERE {FilterSql} ORDER BY occurred_at DESC, id DESC LIMIT @limit");
        }

        var rows = (await queries.QuerySqlAsync<AuditRecord>(name, sql, parameters, ct: ct)).ToList();
        var more = rows.Count > pageSize;
        if (more) rows.RemoveAt(rows.Count - 1);
        if (newerThan != null)
        {
            rows.Reverse();
            return new AuditPage(rows, HasNewer: more, HasOlder: true);
        }
        return new AuditPage(rows, HasNewer: olderThan != null, HasOlder: more);
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}

/// <summary>A filter value no audit entry can match, for the page to show at its field (user, action, target).</summary>
public sealed class AuditFilterException(string field, string message) : FieldInputException(field, message);
