using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Orchestra.Admin.Hosting;

namespace Orchestra.Admin.Security;

/// <summary>
/// Reads the sign-in accounts: <c>OrchestraAdmin:Users</c>, <c>ORCHESTRA_ADMIN_USERS</c> (<c>name:Role:hash;…</c>) and,
/// on a loopback-only dashboard, the dev login. Refuses to start with no way to sign in.
/// </summary>
public static class AccountsLoader
{
    public const string UsersKey = "ORCHESTRA_ADMIN_USERS";
    public const string DevLoginKey = "ORCHESTRA_ADMIN_DEV_LOGIN";
    public const string DevUserKey = "ORCHESTRA_ADMIN_DEV_USER";
    public const string DevPasswordKey = "ORCHESTRA_ADMIN_DEV_PASSWORD";

    public static void Load(IConfiguration configuration, OrchestraAdminOptions options)
    {
        var accounts = new List<AdminAccount>();
        for (var i = 0; i < options.Users.Count; i++)
        {
            var u = options.Users[i];
            accounts.Add(Validate($"OrchestraAdmin:Users:{i}", u.Name, u.Role, u.PasswordHash));
        }

        var fromEnv = configuration[UsersKey];
        if (!string.IsNullOrWhiteSpace(fromEnv))
        {
            var entries = fromEnv.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            for (var i = 0; i < entries.Length; i++)
            {
                var parts = entries[i].Split(':');
                if (parts.Length != 3)
                    throw new SettingsException($"{UsersKey} entry {i + 1} is not name:Role:hash (entries are separated by ';'; make a hash with: dotnet run --project Orchestra.Admin -- hash-password)");
                accounts.Add(Validate($"{UsersKey} entry {i + 1}", parts[0], parts[1], parts[2]));
            }
        }

        if (IsTrue(configuration[DevLoginKey]))
        {
            if (!BoundToLoopbackOnly(configuration, out var exposed))
                throw new SettingsException($"{DevLoginKey}=true is only allowed when the dashboard listens on loopback only, but it listens on {exposed}: configure accounts ({UsersKey} or OrchestraAdmin:Users) instead");
            var name = configuration[DevUserKey] is { Length: > 0 } n ? n.Trim() : "admin";
            var password = configuration[DevPasswordKey];
            if (string.IsNullOrEmpty(password))
            {
                password = RandomNumberGenerator.GetString("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", 16);
                options.GeneratedDevLogin = new GeneratedDevLogin(name, password);
            }
            accounts.Add(new AdminAccount(name, AdminRoles.Operator, PasswordHashing.Hash(password)));
        }

        var duplicate = accounts.GroupBy(a => a.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate != null)
            throw new SettingsException($"the user name '{duplicate.Key}' is configured more than once");

        if (accounts.Count == 0 && !options.Oidc.IsConfigured)
            throw new SettingsException($"no way to sign in: configure accounts ({UsersKey}=name:Role:hash;… or OrchestraAdmin:Users) or OpenID Connect (OrchestraAdmin:Oidc), or for local development on loopback set {DevLoginKey}=true");
        options.Accounts = accounts;
    }

    private static AdminAccount Validate(string where, string? name, string? role, string? hash)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw new SettingsException($"{where}: the user name is empty");
        if (!AdminRoles.TryParse(role, out var parsedRole))
            throw new SettingsException($"{where} ({name.Trim()}): role '{role}' is not Viewer or Operator");
        if (!PasswordHashing.LooksLikeHash(hash))
            throw new SettingsException($"{where} ({name.Trim()}): the password is not an ASP.NET Core password hash (never put plain passwords in configuration); make one with: dotnet run --project Orchestra.Admin -- hash-password");
        return new AdminAccount(name.Trim(), parsedRole, hash!.Trim());
    }

    private static bool IsTrue(string? value) => bool.TryParse(value, out var b) && b || value == "1";

    /// <summary>Whether every address the server will listen on is a loopback address.</summary>
    public static bool BoundToLoopbackOnly(IConfiguration configuration, out string exposed)
    {
        var urls = (configuration["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        urls.AddRange(configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>());
        // HTTP_PORTS / HTTPS_PORTS (set by the ASP.NET container images) bind every interface, unless urls are given.
        if (urls.Count == 0 && (configuration["http_ports"] ?? configuration["https_ports"]) is { Length: > 0 } ports)
        {
            exposed = $"all interfaces (port {ports})";
            return false;
        }
        foreach (var url in urls)
        {
            var host = HostOf(url);
            if (!(host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip))))
            {
                exposed = url;
                return false;
            }
        }
        exposed = "";
        return true; // no urls: Kestrel's default is http://localhost:5000
    }

    private static string HostOf(string url)
    {
        var rest = url.Contains("://") ? url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..] : url;
        if (rest.StartsWith('[')) return rest[1..rest.IndexOf(']')];
        var end = rest.IndexOfAny([':', '/']);
        return end < 0 ? rest : rest[..end];
    }
}

/// <summary>ASP.NET Core Identity's password hash (PBKDF2 with HMAC-SHA512, salted, iterated; format version 3).</summary>
public static class PasswordHashing
{
    private static readonly PasswordHasher<AdminAccount> Hasher = new();

    /// <summary>A valid v3 hash of a fixed string: verifying it for unknown user names costs the same time as for real ones.</summary>
    private static readonly string DummyHash = Hasher.HashPassword(null!, "orchestra-admin: no such user");

    public static string Hash(string password) => Hasher.HashPassword(null!, password);

    /// <summary>Verifies in constant time (PasswordHasher compares with CryptographicOperations.FixedTimeEquals).</summary>
    public static bool Verify(string? hash, string password) =>
        Hasher.VerifyHashedPassword(null!, hash ?? DummyHash, password) != PasswordVerificationResult.Failed && hash != null;

    public static bool LooksLikeHash(string? hash)
    {
        if (string.IsNullOrWhiteSpace(hash)) return false;
        Span<byte> bytes = stackalloc byte[hash.Length];
        // Format marker 0x01 (v3) and at least header + 128-bit salt + 256-bit subkey.
        return Convert.TryFromBase64String(hash.Trim(), bytes, out var n) && n >= 13 + 16 + 32 && bytes[0] == 0x01;
    }
}
