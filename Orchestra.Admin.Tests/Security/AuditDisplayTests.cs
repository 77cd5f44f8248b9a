using System.Text.Json.Nodes;
using Orchestra.Admin.Features.Audit;
using Orchestra.Admin.Features.Sessions;
using Orchestra.Admin.Security;
using Orchestra.Admin.Tests.Sessions;

namespace Orchestra.Admin.Tests.Security;

/// <summary>What <c>/audit</c> shows of an entry: masked values of every table, short session ids, unknown sign-in names.</summary>
public class AuditDisplayTests
{
    private static readonly AuditDisplay Display = new(new SensitiveDataMasker(SessionsOptions.DefaultMaskedKeyParts), ["otto", "vera"]);
    private static readonly OperatorIdentity Viewer = new("vera", AdminRoles.Viewer, null);
    private static readonly OperatorIdentity Operator = new("otto", AdminRoles.Operator, null);

    [Fact]
    public void A_session_entry_shows_short_ids_in_its_targets_and_rows_and_the_rows_data_masked()
    {
        var id = Guid.NewGuid();
        var shown = Display.Show(new AuditRecord
        {
            Action = SessionActions.CleanupAction, TargetTable = SessionActions.TargetTable, TargetIds = [id.ToString()], Succeeded = true,
            Parameters = """{"olderThanDays": 30}""",
            Previous = $$$"""[{"session_id": "{{{id}}}", "user_id": "u", "data": {"locale": "en", "csrf_token": "t", "note": "{\"refresh_token\": \"r\"}"}}]""",
        }, Operator);

        Assert.Equal([SessionReferences.ShortId(id)], shown.TargetIds);
        var row = JsonNode.Parse(shown.Previous!)![0]!;
        Assert.Equal(SessionReferences.ShortId(id), (string)row["session_id"]!);
        Assert.Equal("u", (string)row["user_id"]!);
        Assert.Equal("en", (string)row["data"]!["locale"]!);
        Assert.Equal(SensitiveDataMasker.Mask, (string)row["data"]!["csrf_token"]!);
        Assert.DoesNotContain("\"r\"", (string)row["data"]!["note"]!);
        Assert.Equal("""{"olderThanDays":30}""", shown.Parameters);
    }

    [Fact]
    public void Every_tables_rows_parameters_error_and_targets_are_masked_and_their_column_names_kept()
    {
        var token = SecretSamples.RandomToken(40);
        var shown = Display.Show(new AuditRecord
        {
            Action = "cache.delete", TargetTable = "cache.default_cache", TargetIds = ["user:7", $"token:{token}"], Succeeded = false,
            Parameters = $$"""{"key": "user:7", "note": "Bearer {{token}}"}""",
            Previous = $$"""[{"key": "user:7", "value": {"name": "Ada", "api_key": "k"}, "access_count": 3}]""",
            Error = $"refused: {SecretSamples.Jwt()}",
        }, Viewer);

        Assert.Equal(["user:7", "token:••••••"], shown.TargetIds);
        Assert.Equal("""{"key":"user:7","note":"Bearer ••••••"}""", shown.Parameters);
        Assert.Equal("""[{"key":"user:7","value":{"name":"Ada","api_key":"••••••"},"access_count":3}]""", shown.Previous);
        Assert.Equal("refused: ••••••", shown.Error);
    }

    [Theory]
    [InlineData(AdminRoles.Viewer, "")]
    [InlineData(AdminRoles.Operator, "hun…")]
    public void A_failed_sign_in_with_a_name_that_is_no_account_shows_no_name_to_a_viewer_and_its_start_to_an_operator(string role, string actor)
    {
        var failed = new AuditRecord { Action = AuditActions.SignIn, Actor = "hunter2-is-my-password", Succeeded = false, Error = "wrong user name or password" };
        var shown = Display.Show(failed, new OperatorIdentity("x", role, null));
        Assert.Equal((actor, AuditDisplay.UnknownUserName), (shown.Actor, shown.ActorRole));

        // An account's own name is no secret, and neither is who signed in.
        Assert.Equal("VERA", Display.Show(failed with { Actor = "VERA" }, Viewer).Actor);
        Assert.Equal("someone", Display.Show(failed with { Actor = "someone", Succeeded = true }, Viewer).Actor);
    }

    [Theory]
    [InlineData("ab", "ab")]
    [InlineData("abc", "abc")]
    [InlineData("abcd", "abc…")]
    [InlineData("a👍🏽bc", "a👍🏽b…")] // text elements: a surrogate pair with its modifier is one character, never split
    public void An_unknown_name_is_recorded_by_its_first_three_characters(string typed, string recorded) =>
        Assert.Equal(recorded, LoginService.Truncated(typed));
}
