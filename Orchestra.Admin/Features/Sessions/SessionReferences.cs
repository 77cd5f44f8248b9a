using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Orchestra.Admin.Features.Sessions;

/// <summary>
/// How the pages name a session without its id. The stack may use the session id as the session cookie, so a full id lets
/// whoever reads it take the session over: the pages show <see cref="ShortId"/>, and the full id only reaches a browser through
/// an Operator's audited reveal (<see cref="ISessionActions.RevealIdAsync"/>). Links and the list's page positions carry the
/// id encrypted and authenticated by ASP.NET Data Protection (the app's keys, shared by its instances like the sign-in cookie):
/// they open the right session on any instance, and nobody can read an id out of them or make one up.
/// </summary>
public sealed class SessionReferences(IDataProtectionProvider protection)
{
    private readonly IDataProtector references = protection.CreateProtector("Orchestra.Admin.Sessions.Reference");
    private readonly IDataProtector cursors = protection.CreateProtector("Orchestra.Admin.Sessions.Cursor");

    /// <summary>The first 8 of the 32 hex digits and an ellipsis, e.g. <c>3f2a9b1c…</c>: enough to tell sessions apart, useless as a cookie.</summary>
    public static string ShortId(Guid id) => id.ToString("N")[..8] + "…";

    /// <summary>The link to a session's page.</summary>
    public string Link(Guid id) => "sessions/ref/" + references.Protect(id.ToString("N"));

    /// <summary>The session a reference names; null when it is not one this app made (altered, or another app's keys).</summary>
    public Guid? Resolve(string? reference) =>
        Unprotect(references, reference) is { } text && Guid.TryParseExact(text, "N", out var id) ? id : null;

    /// <summary>A list position as the URL carries it (a keyset cursor holds the session id at the page's edge).</summary>
    public string SealCursor(string cursor) => cursors.Protect(cursor);

    /// <summary>The position a URL's sealed cursor holds; null for anything else (the list then shows its first page).</summary>
    public string? OpenCursor(string? sealedCursor) => Unprotect(cursors, sealedCursor);

    private static string? Unprotect(IDataProtector protector, string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        try
        {
            return protector.Unprotect(text);
        }
        catch (CryptographicException)
        {
            return null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
