using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.Options;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Hosting;

namespace Orchestra.Admin.Features.Sessions;

/// <summary>
/// The session store's reads (sql/sessions): counts and top entries (once per sampler round for all viewers), keyset pages
/// with the operator's filters as bound parameters, one session with its sensitive data masked. All through
/// <see cref="PostgresQueryRunner"/>, under the statement timeout.
/// </summary>
public sealed partial class SessionsService(PostgresQueryRunner queries, IOptions<OrchestraAdminOptions> options) : ISessionsService
{
    public static readonly IReadOnlyList<int> PageSizes = [25, 50, 100];
    public const int MaxPageSize = 1000;

    private SensitiveDataMasker Masker => new(options.Value.Sessions.EffectiveMaskedKeyParts);

    public async Task<SessionCounts> CountsAsync(CancellationToken ct = default) =>
        await queries.QuerySingleAsync<SessionCounts>("sessions/counts", ct: ct);

    public async Task<SessionBreakdowns> BreakdownsAsync(int top = 10, CancellationToken ct = default)
    {
        var rows = await queries.QueryAsync<SessionBreakdownEntry>("sessions/top_active", new { top }, ct: ct);
        IReadOnlyList<SessionBreakdownEntry> Of(string dimension) => rows.Where(r => r.Dimension == dimension).ToList();
        return new SessionBreakdowns(Of("user"), Of("ip"), Of("user_agent"));
    }

    // ---------------------------------------------------------------- pages

    public async Task<SessionPage> PageAsync(SessionPageRequest request, CancellationToken ct = default)
    {
        var (sql, parameters, backward) = Build(request);
        var rows = (await queries.QuerySqlAsync<Row>("sessions/page", sql, parameters, ct: ct)).Select(r => Listed(r.ToSession())).ToList();
        var more = rows.Count > request.PageSize;
        var page = rows.Take(request.PageSize).ToList();
        if (backward)
        {
            // A previous page that comes back short is the start (rows before it went away meanwhile): show the first page, full.
            if (!more && page.Count < request.PageSize)
                return await PageAsync(request with { Before = null, After = null }, ct);
            page.Reverse();
            return new SessionPage(page, Cursor(page[^1], request.Sort), more ? Cursor(page[0], request.Sort) : null);
        }
        return new SessionPage(page,
            more ? Cursor(page[^1], request.Sort) : null,
            request.After != null && page.Count > 0 ? Cursor(page[0], request.Sort) : null);
    }

    /// <summary>The statement and parameters of a page: the template with fixed fragments, values bound. Public for the benchmark, which prints the plans.</summary>
    public static (string Sql, DynamicParameters Parameters, bool Backward) Build(SessionPageRequest request)
    {
        if (request.PageSize < 1 || request.PageSize > MaxPageSize)
            throw new SessionFilterException("pageSize", $"A page holds 1 to {MaxPageSize} sessions (asked for {request.PageSize}).");
        var (filters, p) = Filters(request.Filter);
        var backward = request.Before != null;
        var ascending = request.Descending == backward;
        var sortKey = SortKey(request.Sort);
        if ((request.Before ?? request.After) is { } cursor)
        {
            // Next page of a descending list: rows below the cursor; previous page: above it (and read in reverse).
            filters.Add(string.Format(CultureInfo.InvariantCulture, Fragments.Keyset, sortKey, ascending ? ">" : "<"));
            p.Add("cursor_at", cursor.At.UtcDateTime);
            p.Add("cursor_id", cursor.Id);
        }
        p.Add("limit", request.PageSize + 1);
        p.Add("user_agent_chars", UserAgentParser.MaxLength + 1);
        return (FilteredQuery.Compose("sessions/page", filters, sortKey, ascending ? "ASC" : "DESC"), p, backward);
    }

    /// <summary>A row as the list shows it: the user agent cut to what is parsed, with "…" when the stored one is longer.</summary>
    private static SessionRow Listed(SessionRow row) =>
        row.UserAgent is { Length: > UserAgentParser.MaxLength } ua ? row with { UserAgent = UserAgentParser.Cut(ua) + "…" } : row;

    internal static (List<string> Filters, DynamicParameters Parameters) Filters(SessionFilter f)
    {
        var filters = new List<string>();
        var p = new DynamicParameters();
        FilteredQuery.RefuseNul("userId", "user id", f.UserId, Invalid);
        FilteredQuery.RefuseNul("userAgent", "user agent", f.UserAgent, Invalid);
        if (!string.IsNullOrEmpty(f.UserId))
        {
            if (f.UserMatch == UserMatch.Prefix)
            {
                filters.Add(Fragments.UserPrefix);
                p.Add("user_prefix", FilteredQuery.EscapeLike(f.UserId) + "%");
            }
            else
            {
                filters.Add(Fragments.UserExact);
                p.Add("user_id", f.UserId);
            }
        }
        if (f.Status is { } status)
            filters.Add(status switch
            {
                SessionStatus.Active => Fragments.Active,
                SessionStatus.Expired => Fragments.Expired,
                _ => Fragments.Revoked,
            });
        if (!string.IsNullOrWhiteSpace(f.Network))
        {
            filters.Add(Fragments.Network);
            p.Add("network", ParseNetwork(f.Network));
        }
        if (!string.IsNullOrEmpty(f.UserAgent))
        {
            filters.Add(Fragments.UserAgent);
            p.Add("ua_pattern", "%" + FilteredQuery.EscapeLike(f.UserAgent) + "%");
        }
        FilteredQuery.AddRange(filters, p, "created", "s.created_at", f.CreatedFrom, f.CreatedTo, Invalid);
        FilteredQuery.AddRange(filters, p, "expires", "s.expires_at", f.ExpiresFrom, f.ExpiresTo, Invalid);
        return (filters, p);
    }

    /// <summary>The SQL the list composes: the only text ever put into its statement.</summary>
    internal static class Fragments
    {
        public const string CreatedKey = "COALESCE(s.created_at, '-infinity'::timestamptz)";
        public const string UpdatedKey = "COALESCE(s.updated_at, '-infinity'::timestamptz)";
        public const string ExpiresKey = "s.expires_at";
        public const string UserExact = "  AND s.user_id = @user_id";
        public const string UserPrefix = @"  AND s.user_id LIKE @user_prefix ESCAPE '\'";
        public const string Active = "  AND s.deleted_at IS NULL AND s.expires_at > now()";
        public const string Expired = "  AND s.deleted_at IS NULL AND s.expires_at <= now()";
        public const string Revoked = "  AND s.deleted_at IS NOT NULL";
        public const string Network = "  AND s.ip_address <<= @network::inet";
        public const string UserAgent = @"  AND s.user_agent ILIKE @ua_pattern ESCAPE '\'";
        /// <summary>{0}: the sort key; {1}: &lt; or &gt;.</summary>
        public const string Keyset = "  AND ({0}, s.session_id) {1} (@cursor_at, @cursor_id)";
        /// <summary>{0}: the column; {1}: the parameter; {2}: &gt;= or &lt;=.</summary>
        public const string Range = "  AND {0} {2} @{1}";
    }

    public static string SortKey(SessionSort sort) => sort switch
    {
        SessionSort.UpdatedAt => Fragments.UpdatedKey,
        SessionSort.ExpiresAt => Fragments.ExpiresKey,
        _ => Fragments.CreatedKey,
    };

    /// <summary>
    /// An address (<c>10.1.2.3</c>, <c>2001:db8::1</c>) or a network (<c>10.0.0.0/8</c>, <c>2001:db8::/32</c>), normalised for
    /// PostgreSQL's <c>inet</c>; otherwise <see cref="SessionFilterException"/> saying what is wrong. Host bits in a network
    /// (<c>10.1.2.3/8</c>) are allowed, as <c>inet</c> allows them: containment uses the network part.
    /// </summary>
    internal static string ParseNetwork(string text)
    {
        var value = text.Trim();
        var slash = value.IndexOf('/');
        var address = slash < 0 ? value : value[..slash];
        var isV6 = address.Contains(':');
        // IPAddress.TryParse also takes "10" or "10.1" (as 0.0.0.10, 10.0.0.1): only the full dotted form is an IPv4 address here.
        if (!(isV6 ? IPAddress.TryParse(address, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 && !address.Contains('%')
                   : DottedQuad().IsMatch(address) && IPAddress.TryParse(address, out ip)))
            throw new SessionFilterException("network",
                $"'{value}' is not an IP address or network: write an address such as 10.1.2.3 or 2001:db8::1, or a network in CIDR form such as 10.0.0.0/8.");
        if (slash < 0) return ip.ToString();
        var max = isV6 ? 128 : 32;
        var prefixText = value[(slash + 1)..];
        if (!int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) || prefix > max)
            throw new SessionFilterException("network",
                $"'{value}': the prefix length after '/' must be a number from 0 to {max} for an {(isV6 ? "IPv6" : "IPv4")} network (is '{prefixText}').");
        return $"{ip}/{prefix}";
    }

    [GeneratedRegex(@"^\d{1,3}(\.\d{1,3}){3}$", RegexOptions.NonBacktracking)]
    private static partial Regex DottedQuad();

    private static SessionFilterException Invalid(string field, string message) => new(field, message);
    private static SessionFilterException Invalid(string field, string message, int _) => new(field, message);

    private static SessionCursor Cursor(SessionRow row, SessionSort sort) => new(sort switch
    {
        SessionSort.UpdatedAt => row.UpdatedAt,
        SessionSort.ExpiresAt => row.ExpiresAt,
        _ => row.CreatedAt,
    }, row.SessionId);

    // ---------------------------------------------------------------- one session

    public async Task<SessionDetail?> GetAsync(Guid id, CancellationToken ct = default)
    {
        var row = (await queries.QueryAsync<Row>("sessions/get", new { id }, ct: ct)).SingleOrDefault();
        if (row is null) return null;
        var (data, masked) = Masker.Apply(row.Data ?? "{}");
        return new SessionDetail(row.ToSession(), data, masked, row.SizeBytes);
    }

    internal static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc), TimeSpan.Zero);

    internal sealed record Row
    {
        public Guid SessionId { get; init; }
        public string UserId { get; init; } = "";
        public string? IpAddress { get; init; }
        public string? UserAgent { get; init; }
        public DateTime CreatedAt { get; init; }
        public DateTime UpdatedAt { get; init; }
        public DateTime ExpiresAt { get; init; }
        public DateTime? DeletedAt { get; init; }
        public string Status { get; init; } = "";
        public string? Data { get; init; }
        public int SizeBytes { get; init; }

        public SessionRow ToSession() => new(SessionId, UserId, IpAddress, UserAgent, Utc(CreatedAt), Utc(UpdatedAt), Utc(ExpiresAt),
            DeletedAt is { } d ? Utc(d) : null, Enum.Parse<SessionStatus>(Status));
    }
}
