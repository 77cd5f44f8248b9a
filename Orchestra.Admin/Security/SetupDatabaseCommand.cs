using Dapper;
using Npgsql;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Hosting;

namespace Orchestra.Admin.Security;

/// <summary>
/// <c>setup-database --login &lt;name&gt; [--group operator|viewer]</c>, run with the database owner's POSTGRES_DSN: the
/// dashboard's schema, sql/roles.sql, and a login role of its own in one least-privilege group, so that the dashboard
/// never has to log in as the owner or a superuser (docker-compose.yml runs it before the dashboard starts).
/// </summary>
public static class SetupDatabaseCommand
{
    public const string PasswordVariable = "ORCHESTRA_ADMIN_DB_PASSWORD";

    public const string Usage = $"""
        Usage: setup-database --login <name> [--group operator|viewer] [--POSTGRES_DSN=<the owner's dsn>]
          Run as the database's owner (or a superuser). Applies the dashboard's schema (sql/admin) and sql/roles.sql, then
          creates the login role <name> (or updates it: a plain login again, with the new password), with the password in
          {PasswordVariable}, a member of orchestra_admin_operator (default) or orchestra_admin_viewer only.
          The dashboard then connects as that login: POSTGRES_DSN=postgresql://<name>:<password>@host:5432/<database>.
        """;

    public static Task<int> RunAsync(string[] args) =>
        RunAsync(args, Environment.GetEnvironmentVariable(PasswordVariable), Console.Out, Console.Error);

    /// <summary>0 when done, 1 when PostgreSQL refuses or cannot be reached, 2 on bad arguments.</summary>
    public static async Task<int> RunAsync(string[] args, string? password, TextWriter output, TextWriter error)
    {
        string? login = null;
        var group = "operator";
        var configurationArgs = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "-h" or "--help":
                    output.WriteLine(Usage);
                    return 0;
                case "--login" when i + 1 < args.Length:
                    login = args[++i];
                    break;
                case "--group" when i + 1 < args.Length:
                    group = args[++i];
                    break;
                default:
                    configurationArgs.Add(args[i]);
                    break;
            }
        }
        if (Refusal(login, group, password) is { } refusal)
        {
            error.WriteLine($"setup-database: {refusal}");
            return 2;
        }

        var settings = SettingsLoader.Load(WebApplication.CreateBuilder(new WebApplicationOptions { Args = [.. configurationArgs] }).Configuration);
        try
        {
            await using var owner = NpgsqlDataSource.Create(settings.Postgres.ConnectionString);
            await SetUpAsync(owner, login!, password!, group);
            output.WriteLine($"setup-database: the dashboard may now log in as {login} (orchestra_admin_{group}).");
            return 0;
        }
        catch (InvalidOperationException e)
        {
            error.WriteLine($"setup-database: {e.Message}");
            return 2;
        }
        catch (NpgsqlException e)
        {
            error.WriteLine($"setup-database: PostgreSQL refused or could not be reached: {(e is PostgresException p ? $"{p.MessageText} ({p.SqlState})" : e.Message)}");
            return 1;
        }
    }

    /// <summary>Null when the arguments are usable; otherwise what is wrong with them.</summary>
    internal static string? Refusal(string? login, string group, string? password) =>
        login is null ? "--login <name> is required (the role the dashboard will log in as)."
        : login.Length is 0 or > 63 || !login.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_') || char.IsAsciiDigit(login[0])
            ? $"--login must be 1 to 63 lowercase letters, digits and underscores, not starting with a digit (got '{login}')."
        : login.StartsWith("pg_", StringComparison.Ordinal) ? "--login may not start with pg_ (reserved by PostgreSQL)."
        : group is not ("operator" or "viewer") ? $"--group must be operator or viewer (got '{group}')."
        : string.IsNullOrEmpty(password) ? $"set the login's password in {PasswordVariable}."
        : null;

    public static async Task SetUpAsync(NpgsqlDataSource owner, string login, string password, string group, CancellationToken ct = default)
    {
        await SqlScripts.MigrateAdminSchemaAsync(owner, ct);
        await SqlScripts.ApplyRolesAsync(owner, ct);
        await using var conn = await owner.OpenConnectionAsync(ct);
        var statements = await conn.QuerySingleAsync<(string RunningAs, string CreateOrAlter, string GrantGroup, string RevokeOtherGroup)>(new CommandDefinition(
            SqlCatalog.Get("setup/login_statements"),
            new { login, password, group_role = $"orchestra_admin_{group}", other_group_role = group == "operator" ? "orchestra_admin_viewer" : "orchestra_admin_operator" },
            cancellationToken: ct));
        if (statements.RunningAs == login)
            throw new InvalidOperationException($"{login} is the role running setup-database: give the dashboard a login of its own.");
        await using var tx = await conn.BeginTransactionAsync(ct);
        foreach (var statement in new[] { statements.CreateOrAlter, statements.RevokeOtherGroup, statements.GrantGroup })
            await conn.ExecuteAsync(new CommandDefinition(statement, transaction: tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }
}
