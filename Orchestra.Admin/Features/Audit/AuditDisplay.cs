using System.Text.Json.Nodes;
using Orchestra.Admin.Features.Sessions;
using Orchestra.Admin.Hosting;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.Features.Audit;

/// <summary>
/// An audit entry as <c>/audit</c> shows it. The log keeps every entry whole (what an operator removed is never lost: a
/// clean-up's entry holds the deleted sessions, secrets included); the page, which every Viewer reads, masks on the server:
/// <list type="bullet">
/// <item>the previous values and the parameters of every table's entries as the session page masks session data
/// (<see cref="SensitiveDataMasker.ApplyToRecord"/>: a row's column names are kept, what they hold is masked), the error and
/// the target ids by the value rules (<see cref="SecretValues"/>);</item>
/// <item>session ids (the stack may use them as the session cookie) shortened, in the targets and in the rows
/// (<see cref="SessionReferences.ShortId"/>), for everyone: the full id is an Operator's audited reveal on the session page;</item>
/// <item>a failed sign-in with a name that is no account (often a password typed into the user name field): no name for a
/// Viewer, its first characters for an Operator (<see cref="LoginService.Truncated"/>; entries written since keep only those).</item>
/// </list>
/// </summary>
public sealed class AuditDisplay(SensitiveDataMasker masker, IEnumerable<string> accountNames)
{
    public const string UnknownUserName = "unknown user name";
    private readonly HashSet<string> accounts = new(accountNames, StringComparer.OrdinalIgnoreCase);

    public static AuditDisplay For(OrchestraAdminOptions options) =>
        new(new SensitiveDataMasker(options.Sessions.EffectiveMaskedKeyParts), options.Accounts.Select(a => a.Name));

    public AuditRecord Show(AuditRecord record, OperatorIdentity viewer)
    {
        var sessions = record.TargetTable == SessionActions.TargetTable;
        var shown = record with
        {
            TargetIds = record.TargetIds.Select(id => sessions && Guid.TryParse(id, out var sessionId) ? SessionReferences.ShortId(sessionId) : masker.MaskText(id)).ToArray(),
            Parameters = masker.ApplyToRecord(record.Parameters),
            Previous = record.Previous is null ? null : sessions ? ShortSessionIds(masker.ApplyToRecord(record.Previous)) : masker.ApplyToRecord(record.Previous),
            Error = record.Error is null ? null : masker.MaskText(record.Error),
        };
        return IsUnknownSignIn(record)
            ? shown with { Actor = viewer.IsOperator ? LoginService.Truncated(record.Actor) : "", ActorRole = UnknownUserName }
            : shown;
    }

    private bool IsUnknownSignIn(AuditRecord record) =>
        record.Action == AuditActions.SignIn && !record.Succeeded && !accounts.Contains(record.Actor);

    /// <summary>The <c>session_id</c> of each row (a row, or an array of rows) shortened.</summary>
    private static string ShortSessionIds(string rowsJson)
    {
        var root = JsonNode.Parse(rowsJson);
        foreach (var row in root is JsonArray rows ? rows.OfType<JsonObject>() : root is JsonObject one ? [one] : [])
            if (row["session_id"] is JsonValue value && value.TryGetValue<string>(out var text) && Guid.TryParse(text, out var id))
                row["session_id"] = SessionReferences.ShortId(id);
        return root?.ToJsonString() ?? "null";
    }
}
