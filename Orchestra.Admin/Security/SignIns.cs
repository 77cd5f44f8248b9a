using System.Security.Claims;
using Microsoft.Extensions.Options;
using Npgsql;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Hosting;

namespace Orchestra.Admin.Security;

/// <summary>
/// Whether a sign-in still holds. A sign-in is a cookie, which the server cannot take back: each one carries an id
/// (<see cref="IdClaim"/>), and signing out records that id in <c>orchestra_admin.sign_outs</c>, so that every page
/// still open with it, in any instance, ends at its next revalidation (<see cref="SignInRevalidation"/>).
/// </summary>
public sealed class SignIns(PostgresQueryRunner queries, IOptions<OrchestraAdminOptions> options, TimeProvider time, ILogger<SignIns> logger)
{
    public const string IdClaim = "orchestra-admin/sign-in";

    public static Claim NewIdClaim() => new(IdClaim, Guid.NewGuid().ToString());

    private static Guid? IdOf(ClaimsPrincipal user) => Guid.TryParse(user.FindFirstValue(IdClaim), out var id) ? id : null;

    /// <summary>
    /// What is known without the database: the sign-in has an id (one from before ids cannot be signed out, so it is
    /// refused), and its way in is still configured: a password account with the same role, or single sign-on.
    /// </summary>
    public bool IsAllowed(ClaimsPrincipal user)
    {
        if (IdOf(user) == null) return false;
        return user.FindFirstValue(AuthSetup.AuthMethodClaim) switch
        {
            "password" => options.Value.Accounts.Any(a =>
                string.Equals(a.Name, user.Identity?.Name, StringComparison.OrdinalIgnoreCase) && a.Role == user.FindFirstValue(ClaimTypes.Role)),
            "oidc" => options.Value.Oidc.IsConfigured,
            _ => false,
        };
    }

    /// <summary>
    /// The sign-in of an open page still holds: allowed (<see cref="IsAllowed"/>), its cookie not expired
    /// (<paramref name="expiresUtc"/>, when known) and not signed out.
    /// </summary>
    public async Task<bool> IsCurrentAsync(ClaimsPrincipal user, DateTimeOffset? expiresUtc, CancellationToken ct = default)
    {
        if (user.Identity?.IsAuthenticated != true) return true; // no sign-in to end
        if (!IsAllowed(user) || expiresUtc <= time.GetUtcNow()) return false;
        return !await IsSignedOutAsync(user, ct);
    }

    /// <summary>
    /// Whether this sign-in was signed out. When PostgreSQL cannot answer, no: an outage is when operators need the
    /// dashboard most, and a sign-out could not have been recorded then either (it is logged, and asked again next time).
    /// </summary>
    public async Task<bool> IsSignedOutAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        if (IdOf(user) is not { } id) return false;
        try
        {
            return await queries.QuerySingleAsync<bool>("security/is_signed_out", new { sign_in_id = id }, ct: ct);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or QueryTimeoutException)
        {
            logger.LogWarning("Cannot tell whether the sign-in of {User} was signed out; it holds until the next check: {Error}",
                user.Identity?.Name, PostgresQueryRunner.LoggableError(e));
            return false;
        }
    }

    /// <summary>Records the sign-out of this sign-in, so that its other open pages end too.</summary>
    public async Task RecordSignOutAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        if (IdOf(user) is not { } id) return;
        try
        {
            await queries.QueryAsync<Guid>("security/record_sign_out",
                new { sign_in_id = id, actor = user.Identity?.Name ?? "", keep_minutes = options.Value.Auth.SessionMinutes }, ct: ct);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or QueryTimeoutException)
        {
            logger.LogError("Could not record the sign-out of {User}: pages still open with that sign-in stay open until it expires: {Error}",
                user.Identity?.Name, PostgresQueryRunner.LoggableError(e));
        }
    }
}
