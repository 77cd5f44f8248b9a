using Npgsql;

namespace Orchestra.Admin.Data.Postgres;

/// <summary>
/// Turns <c>POSTGRES_DSN</c> into an Npgsql connection string. The stack writes it in libpq's
/// URI form (<c>postgresql://user:pass@host:5432/db?sslmode=require</c>), which Npgsql does not
/// parse itself; the Npgsql <c>Host=…;</c> form is accepted as it is.
/// </summary>
public static class PostgresDsn
{
    public const string ApplicationName = "orchestra-admin";

    /// <summary>Parses either form; throws <see cref="FormatException"/> with a message that never contains the password.</summary>
    public static NpgsqlConnectionStringBuilder Parse(string dsn)
    {
        if (string.IsNullOrWhiteSpace(dsn))
            throw new FormatException("it is empty");
        dsn = dsn.Trim();
        var builder = IsUri(dsn) ? FromUri(dsn) : FromKeyValue(dsn);
        if (string.IsNullOrEmpty(builder.Host))
            throw new FormatException("no host given");
        builder.ApplicationName = ApplicationName;
        return builder;
    }

    /// <summary>The DSN as it may appear in a log or an error message: the password replaced by ***.</summary>
    public static string Mask(string dsn)
    {
        if (string.IsNullOrEmpty(dsn)) return dsn;
        if (IsUri(dsn.Trim()))
        {
            var s = dsn.Trim();
            var schemeEnd = s.IndexOf("://", StringComparison.Ordinal) + 3;
            var at = s.IndexOf('@', schemeEnd);
            if (at > 0)
            {
                var colon = s.IndexOf(':', schemeEnd);
                if (colon > 0 && colon < at) s = s[..(colon + 1)] + "***" + s[at..];
            }
            return MaskQueryPassword(s);
        }
        // Key/value form: mask any password-like key, tolerating malformed input.
        var parts = dsn.Split(';');
        for (var i = 0; i < parts.Length; i++)
        {
            var eq = parts[i].IndexOf('=');
            if (eq <= 0) continue;
            var key = parts[i][..eq].Trim().ToLowerInvariant().Replace(" ", "");
            if (key is "password" or "pwd" or "sslpassword")
                parts[i] = parts[i][..(eq + 1)] + "***";
        }
        return string.Join(';', parts);
    }

    private static string MaskQueryPassword(string uri)
    {
        var q = uri.IndexOf('?');
        if (q < 0) return uri;
        var pairs = uri[(q + 1)..].Split('&');
        for (var i = 0; i < pairs.Length; i++)
        {
            var eq = pairs[i].IndexOf('=');
            var key = eq < 0 ? pairs[i] : pairs[i][..eq];
            if (key is "password" or "sslpassword") pairs[i] = key + "=***";
        }
        return uri[..(q + 1)] + string.Join('&', pairs);
    }

    private static bool IsUri(string dsn) =>
        dsn.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) ||
        dsn.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase);

    private static NpgsqlConnectionStringBuilder FromKeyValue(string dsn)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(dsn);
        }
        catch (ArgumentException e)
        {
            // Npgsql's message names the bad keyword, never a value.
            throw new FormatException($"not a valid Npgsql connection string ({e.Message}); expected postgresql://user:pass@host:5432/db or Host=…;Username=…;Database=…");
        }
    }

    // libpq URI: postgresql://[user[:password]@][host[:port][,host[:port]...]][/dbname][?param=value&...]
    private static NpgsqlConnectionStringBuilder FromUri(string dsn)
    {
        var rest = dsn[(dsn.IndexOf("://", StringComparison.Ordinal) + 3)..];
        var builder = new NpgsqlConnectionStringBuilder();

        string query = "";
        var q = rest.IndexOf('?');
        if (q >= 0) { query = rest[(q + 1)..]; rest = rest[..q]; }
        var fragment = rest.IndexOf('#');
        if (fragment >= 0) throw new FormatException("a URI fragment ('#') is not allowed; percent-encode '#' in a password as %23");

        // The user info ends at the last '@' before the path: a raw '@' in a password is a common mistake, so tolerate it.
        var slash = rest.IndexOf('/');
        var authority = slash >= 0 ? rest[..slash] : rest;
        var path = slash >= 0 ? rest[(slash + 1)..] : "";
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            var userInfo = authority[..at];
            authority = authority[(at + 1)..];
            var colon = userInfo.IndexOf(':');
            var user = Decode(colon >= 0 ? userInfo[..colon] : userInfo, "user name");
            if (user.Length > 0) builder.Username = user;
            if (colon >= 0) builder.Password = Decode(userInfo[(colon + 1)..], "password");
        }

        if (authority.Length > 0)
        {
            var hosts = ParseHosts(authority);
            if (hosts.Count == 1)
            {
                builder.Host = hosts[0].Host;
                if (hosts[0].Port is { } port) builder.Port = port;
            }
            else
            {
                // Npgsql's multi-host form: "h1:5432,[::1]:5433,h3".
                builder.Host = string.Join(',', hosts.Select(h => h.Port is { } port ? $"{h.Host}:{port}" : h.Host));
            }
        }
        if (path.Length > 0) builder.Database = Decode(path, "database name");

        if (query.Length > 0)
        {
            foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=');
                if (eq <= 0) throw new FormatException($"query parameter '{pair.Split('=')[0]}' has no value; expected name=value");
                ApplyParameter(builder, Decode(pair[..eq], "parameter name"), Decode(pair[(eq + 1)..], "parameter value"));
            }
        }
        return builder;
    }

    // "h1:5432,[::1]:5433,h3": ports are checked here so a typo is named clearly.
    private static List<(string Host, int? Port)> ParseHosts(string authority)
    {
        var hosts = new List<(string, int?)>();
        foreach (var part in authority.Split(','))
        {
            string host, port = "";
            if (part.StartsWith('['))
            {
                var close = part.IndexOf(']');
                if (close < 0) throw new FormatException($"IPv6 host '{part}' lacks its closing ']'");
                host = part[..(close + 1)];
                var after = part[(close + 1)..];
                if (after.Length > 0)
                {
                    if (after[0] != ':') throw new FormatException($"unexpected '{after}' after IPv6 host {host}");
                    port = after[1..];
                }
            }
            else
            {
                var colon = part.LastIndexOf(':');
                host = Decode(colon >= 0 ? part[..colon] : part, "host");
                if (colon >= 0) port = part[(colon + 1)..];
            }
            if (host.Length == 0) throw new FormatException("a host in the host list is empty");
            hosts.Add((host, port.Length > 0 ? ParsePort(port) : null));
        }
        return hosts;
    }

    private static void ApplyParameter(NpgsqlConnectionStringBuilder b, string name, string value)
    {
        switch (name)
        {
            case "host": b.Host = value; break; // e.g. ?host=/var/run/postgresql for a Unix socket
            case "port": b.Port = ParsePort(value); break;
            case "user": b.Username = value; break;
            case "password": b.Password = value; break;
            case "dbname": b.Database = value; break;
            case "sslmode": b.SslMode = ParseSslMode(value); break;
            case "sslrootcert": b.RootCertificate = value; break;
            case "sslcert": b.SslCertificate = value; break;
            case "sslkey": b.SslKey = value; break;
            case "sslpassword": b.SslPassword = value; break;
            case "connect_timeout": b.Timeout = ParseSeconds(name, value); break;
            case "keepalives_idle": b.KeepAlive = ParseSeconds(name, value); break;
            case "options": b.Options = value; break;
            case "target_session_attrs": b.TargetSessionAttributes = value; break;
            case "application_name": break; // the dashboard always names itself orchestra-admin
            default:
                throw new FormatException($"query parameter '{name}' is not supported; supported: sslmode, sslrootcert, sslcert, sslkey, sslpassword, connect_timeout, keepalives_idle, options, target_session_attrs, host, port, user, password, dbname, application_name");
        }
    }

    private static int ParsePort(string value) =>
        int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535
            ? port
            : throw new FormatException($"port '{value}' is not a number from 1 to 65535");

    private static int ParseSeconds(string name, string value) =>
        int.TryParse(value, out var s) && s >= 0 ? s : throw new FormatException($"{name} '{value}' is not a whole number of seconds");

    private static SslMode ParseSslMode(string value) => value switch
    {
        "disable" => SslMode.Disable,
        "allow" => SslMode.Allow,
        "prefer" => SslMode.Prefer,
        "require" => SslMode.Require,
        "verify-ca" => SslMode.VerifyCA,
        "verify-full" => SslMode.VerifyFull,
        _ => throw new FormatException($"sslmode '{value}' is not one of disable, allow, prefer, require, verify-ca, verify-full"),
    };

    private static string Decode(string s, string what)
    {
        // Uri.UnescapeDataString leaves malformed escapes as they are; report them instead.
        for (var i = s.IndexOf('%'); i >= 0; i = s.IndexOf('%', i + 1))
            if (i + 2 >= s.Length || !Uri.IsHexDigit(s[i + 1]) || !Uri.IsHexDigit(s[i + 2]))
                throw new FormatException($"the {what} has a malformed percent-escape (a literal '%' is written %25)");
        return Uri.UnescapeDataString(s);
    }
}
