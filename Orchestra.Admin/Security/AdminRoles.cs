namespace Orchestra.Admin.Security;

/// <summary>Viewer sees everything except masked secrets; Operator may also act.</summary>
public static class AdminRoles
{
    public const string Viewer = "Viewer";
    public const string Operator = "Operator";

    public static bool TryParse(string? value, out string role)
    {
        role = value?.Trim() switch
        {
            var v when string.Equals(v, Viewer, StringComparison.OrdinalIgnoreCase) => Viewer,
            var v when string.Equals(v, Operator, StringComparison.OrdinalIgnoreCase) => Operator,
            _ => "",
        };
        return role.Length > 0;
    }
}

/// <summary>A sign-in account from configuration. The password is only ever held as a hash.</summary>
public sealed record AdminAccount(string Name, string Role, string PasswordHash);

/// <summary>The dev login's account name and the password generated for this run.</summary>
public sealed record GeneratedDevLogin(string User, string Password);
