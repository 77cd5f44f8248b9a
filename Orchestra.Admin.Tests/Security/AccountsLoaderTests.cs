using Microsoft.Extensions.Configuration;
using Orchestra.Admin.Hosting;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.Tests.Security;

public class AccountsLoaderTests
{
    private static readonly string AliceHash = PasswordHashing.Hash("alice-password");

    private static OrchestraAdminOptions Load(params (string Key, string? Value)[] values)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build();
        var options = new OrchestraAdminOptions();
        configuration.GetSection(OrchestraAdminOptions.Section).Bind(options);
        AccountsLoader.Load(configuration, options);
        return options;
    }

    [Fact]
    public void Accounts_come_from_the_environment_variable_and_the_configuration_list()
    {
        var o = Load(
            ("ORCHESTRA_ADMIN_USERS", $"alice:Operator:{AliceHash}; bob:viewer:{PasswordHashing.Hash("b")}"),
            ("OrchestraAdmin:Users:0:Name", "carol"), ("OrchestraAdmin:Users:0:Role", "Viewer"), ("OrchestraAdmin:Users:0:PasswordHash", AliceHash));

        Assert.Equal(["carol:Viewer", "alice:Operator", "bob:Viewer"], o.Accounts.Select(a => $"{a.Name}:{a.Role}"));
        Assert.True(PasswordHashing.Verify(o.Accounts.Single(a => a.Name == "alice").PasswordHash, "alice-password"));
    }

    [Theory]
    [InlineData("alice:Operator", "entry 1 is not name:Role:hash")]
    [InlineData("alice:Admin:HASH", "role 'Admin' is not Viewer or Operator")]
    [InlineData("alice:Operator:hunter2", "not an ASP.NET Core password hash")]
    [InlineData(":Operator:HASH", "the user name is empty")]
    public void Bad_entries_are_refused_clearly(string entry, string expected)
    {
        var e = Assert.Throws<SettingsException>(() => Load(("ORCHESTRA_ADMIN_USERS", entry.Replace("HASH", AliceHash))));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain("hunter2", e.Message);
    }

    [Fact]
    public void The_same_name_twice_is_refused()
    {
        var e = Assert.Throws<SettingsException>(() => Load(("ORCHESTRA_ADMIN_USERS", $"alice:Operator:{AliceHash};ALICE:Viewer:{AliceHash}")));
        Assert.Contains("'alice' is configured more than once", e.Message); // names are case-insensitive
    }

    [Fact]
    public void No_way_to_sign_in_refuses_to_start()
    {
        var e = Assert.Throws<SettingsException>(() => Load());
        Assert.StartsWith("no way to sign in", e.Message);
        Assert.Contains("ORCHESTRA_ADMIN_DEV_LOGIN=true", e.Message);
    }

    [Fact]
    public void Oidc_alone_is_a_way_to_sign_in()
    {
        var o = Load(("OrchestraAdmin:Oidc:Authority", "https://login.example.com"), ("OrchestraAdmin:Oidc:ClientId", "orchestra-admin"));
        Assert.Empty(o.Accounts);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("http://127.0.0.1:5080")]
    [InlineData("http://localhost:5080;http://[::1]:5081")]
    public void Dev_login_on_loopback_creates_one_operator_with_a_generated_password(string? urls)
    {
        var o = Load(("ORCHESTRA_ADMIN_DEV_LOGIN", "true"), ("urls", urls));
        var account = Assert.Single(o.Accounts);
        Assert.Equal(("admin", AdminRoles.Operator), (account.Name, account.Role));
        Assert.NotNull(o.GeneratedDevLogin);
        Assert.Equal(16, o.GeneratedDevLogin!.Password.Length);
        Assert.True(PasswordHashing.Verify(account.PasswordHash, o.GeneratedDevLogin.Password));
    }

    [Fact]
    public void Dev_login_takes_the_user_and_password_given()
    {
        var o = Load(("ORCHESTRA_ADMIN_DEV_LOGIN", "true"), ("ORCHESTRA_ADMIN_DEV_USER", "ops"), ("ORCHESTRA_ADMIN_DEV_PASSWORD", "pw-123"));
        var account = Assert.Single(o.Accounts);
        Assert.Equal("ops", account.Name);
        Assert.True(PasswordHashing.Verify(account.PasswordHash, "pw-123"));
        Assert.Null(o.GeneratedDevLogin); // nothing to print
    }

    [Theory]
    [InlineData("urls", "http://0.0.0.0:5080")]
    [InlineData("urls", "http://127.0.0.1:5080;http://*:5081")]
    [InlineData("urls", "http://dashboard.internal:5080")]
    [InlineData("http_ports", "8080")]
    [InlineData("Kestrel:Endpoints:Http:Url", "http://+:8080")]
    public void Dev_login_is_refused_when_the_dashboard_listens_beyond_loopback(string key, string value)
    {
        var e = Assert.Throws<SettingsException>(() => Load(("ORCHESTRA_ADMIN_DEV_LOGIN", "true"), (key, value)));
        Assert.StartsWith("ORCHESTRA_ADMIN_DEV_LOGIN=true is only allowed when the dashboard listens on loopback only", e.Message);
    }

    [Fact]
    public void Hash_password_command_reads_standard_input_and_prints_a_verifiable_hash()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = HashPasswordCommand.Run(new StringReader("s3cret pass\n"), output, error, interactive: false);

        Assert.Equal(0, code);
        var hash = output.ToString().Trim();
        Assert.True(PasswordHashing.LooksLikeHash(hash));
        Assert.True(PasswordHashing.Verify(hash, "s3cret pass"));
        Assert.False(PasswordHashing.Verify(hash, "s3cret pas"));
        Assert.DoesNotContain("s3cret", output.ToString() + error);

        Assert.Equal(2, HashPasswordCommand.Run(new StringReader(""), new StringWriter(), error, interactive: false));
    }

    [Fact]
    public void Unknown_users_are_verified_against_a_dummy_hash_and_fail()
    {
        Assert.False(PasswordHashing.Verify(null, "orchestra-admin: no such user"));
    }
}

public class OidcRolesTests
{
    private static System.Security.Claims.ClaimsPrincipal UserWith(params string[] groups) =>
        new(new System.Security.Claims.ClaimsIdentity(groups.Select(g => new System.Security.Claims.Claim("groups", g)), "oidc"));

    [Fact]
    public void The_configured_claim_decides_the_role()
    {
        var oidc = new OidcOptions { RoleClaim = "groups", OperatorValues = ["ops"], ViewerValues = ["dev", "support"] };
        Assert.Equal(AdminRoles.Operator, OidcRoles.RoleFor(UserWith("dev", "ops"), oidc));
        Assert.Equal(AdminRoles.Viewer, OidcRoles.RoleFor(UserWith("support"), oidc));
        Assert.Null(OidcRoles.RoleFor(UserWith("marketing"), oidc)); // not allowed in at all
        Assert.Null(OidcRoles.RoleFor(UserWith(), oidc));
    }

    [Fact]
    public void Without_viewer_values_every_signed_in_user_is_at_least_a_viewer()
    {
        var oidc = new OidcOptions { RoleClaim = "roles" };
        Assert.Equal(AdminRoles.Viewer, OidcRoles.RoleFor(UserWith("anything"), oidc));
        Assert.Equal(AdminRoles.Operator, OidcRoles.RoleFor(
            new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity([new System.Security.Claims.Claim("roles", "Operator")], "oidc")), oidc));
    }
}
