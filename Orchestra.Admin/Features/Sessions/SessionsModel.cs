using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.Features.Sessions;

/// <summary>
/// A session's state, as the stack reads it: revoked (soft-deleted: <c>deleted_at</c> set) whatever its expiry;
/// otherwise expired once <c>expires_at</c> has passed (the row stays until a clean-up), else active.
/// </summary>
public enum SessionStatus { Active, Expired, Revoked }

public enum SessionSort { CreatedAt, UpdatedAt, ExpiresAt }

public enum UserMatch { Exact, Prefix }

/// <summary>The list's filters, all optional, combined with AND; checked (<see cref="SessionFilterException"/>) and sent as bound parameters.</summary>
public sealed record SessionFilter
{
    public string? UserId { get; init; }
    public UserMatch UserMatch { get; init; } = UserMatch.Exact;
    public SessionStatus? Status { get; init; }
    /// <summary>An IP address (<c>10.1.2.3</c>, <c>2001:db8::1</c>) or a network in CIDR form (<c>10.0.0.0/8</c>), matched by <c>inet</c> containment (<c>&lt;&lt;=</c>).</summary>
    public string? Network { get; init; }
    /// <summary>Case-insensitive text in the user agent.</summary>
    public string? UserAgent { get; init; }
    public DateTimeOffset? CreatedFrom { get; init; }
    public DateTimeOffset? CreatedTo { get; init; }
    public DateTimeOffset? ExpiresFrom { get; init; }
    public DateTimeOffset? ExpiresTo { get; init; }
}

/// <summary>A keyset position: the sort column's value and the session id at the page's edge.</summary>
public sealed record SessionCursor(DateTimeOffset At, Guid Id) : IKeysetCursor<SessionCursor>
{
    public static SessionCursor Create(DateTimeOffset at, Guid id) => new(at, id);
}

public sealed record SessionPageRequest(
    SessionFilter Filter,
    SessionSort Sort = SessionSort.CreatedAt,
    bool Descending = true,
    int PageSize = 25,
    SessionCursor? After = null,
    SessionCursor? Before = null);

public sealed record SessionRow(
    Guid SessionId,
    string UserId,
    string? IpAddress,
    string? UserAgent,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? DeletedAt,
    SessionStatus Status)
{
    public ParsedUserAgent Agent => UserAgentParser.Parse(UserAgent);
}

public sealed record SessionPage(IReadOnlyList<SessionRow> Rows, SessionCursor? Next, SessionCursor? Previous);

/// <summary>Counted once per sampler round (for all viewers): <see cref="Expired"/> are not yet cleaned up, <see cref="Revoked"/> are soft-deleted.</summary>
public sealed record SessionCounts(long Active, long Expired, long Revoked);

/// <summary>One line of a top-entries breakdown of the active sessions.</summary>
public sealed record SessionBreakdownEntry(string Dimension, string? Value, long Sessions);

public sealed record SessionBreakdowns(
    IReadOnlyList<SessionBreakdownEntry> Users,
    IReadOnlyList<SessionBreakdownEntry> Addresses,
    IReadOnlyList<SessionBreakdownEntry> UserAgents);

/// <param name="Data">The session's <c>data</c> JSON with the sensitive keys' values masked (unless revealed).</param>
/// <param name="MaskedPaths">Where values were masked, e.g. <c>$.auth</c>, <c>$.items[0].card_number</c>.</param>
public sealed record SessionDetail(SessionRow Session, string Data, IReadOnlyList<string> MaskedPaths, int SizeBytes);

/// <summary>A filter the operator typed that cannot run: which field, and what is wrong.</summary>
/// <remarks>Fields: "userId", "network", "userAgent", "created", "expires", "pageSize".</remarks>
public sealed class SessionFilterException(string field, string message) : FieldInputException(field, message);

public interface ISessionsService
{
    Task<SessionCounts> CountsAsync(CancellationToken ct = default);
    /// <summary>The top entries by user, IP address and user agent among the active sessions.</summary>
    Task<SessionBreakdowns> BreakdownsAsync(int top = 10, CancellationToken ct = default);
    /// <summary>One page by keyset on (sort column, session id), never OFFSET, under the statement timeout.</summary>
    Task<SessionPage> PageAsync(SessionPageRequest request, CancellationToken ct = default);
    /// <summary>One session, its data masked (see <see cref="SensitiveDataMasker"/>); null when it does not exist.</summary>
    Task<SessionDetail?> GetAsync(Guid id, CancellationToken ct = default);
}

public sealed class SessionsOptions
{
    /// <summary>Parts of a key's name, matched anywhere in it: <c>sid</c> also masks <c>sidebar</c>, which errs on the safe side.</summary>
    public static readonly IReadOnlyList<string> DefaultMaskedKeyParts =
        ["token", "password", "passwd", "secret", "key", "auth", "cookie", "card", "jwt", "sid", "bearer", "session", "credential", "private"];

    /// <summary>
    /// A key of the session data whose name contains one of these (case-insensitive) has its value masked, at any depth (values
    /// that look like secrets are masked whatever their key: <see cref="SecretValues"/>).
    /// Null: <see cref="DefaultMaskedKeyParts"/>. (An array set from configuration replaces the defaults; a list would be appended to.)
    /// </summary>
    public string[]? MaskedKeyParts { get; set; }

    public IReadOnlyList<string> EffectiveMaskedKeyParts => MaskedKeyParts is { Length: > 0 } parts ? parts : DefaultMaskedKeyParts;
    /// <summary>Rows per clean-up batch: each batch is one short transaction with its own audit entry holding the deleted rows.</summary>
    public int CleanupBatchSize { get; set; } = 1000;
}
