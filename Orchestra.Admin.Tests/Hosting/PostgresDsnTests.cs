using Npgsql;
using Orchestra.Admin.Data.Postgres;

namespace Orchestra.Admin.Tests.Hosting;

public class PostgresDsnTests
{
    [Fact]
    public void Uri_form_maps_every_part()
    {
        var b = PostgresDsn.Parse("postgresql://orchestra:s3cret@db.example.com:6543/orchestra?sslmode=require");
        Assert.Equal("db.example.com", b.Host);
        Assert.Equal(6543, b.Port);
        Assert.Equal("orchestra", b.Username);
        Assert.Equal("s3cret", b.Password);
        Assert.Equal("orchestra", b.Database);
        Assert.Equal(SslMode.Require, b.SslMode);
        Assert.Equal("orchestra-admin", b.ApplicationName);
    }

    [Fact]
    public void Missing_port_means_the_default_port()
    {
        var b = PostgresDsn.Parse("postgresql://u:p@localhost/orchestra");
        Assert.Equal("localhost", b.Host);
        Assert.Equal(NpgsqlConnection.DefaultPort, b.Port);
    }

    [Theory]
    [InlineData("postgresql://u:p%40ss%3Aw%2Frd%25@h/db", "p@ss:w/rd%")]
    [InlineData("postgresql://u:%C3%BCml%C3%A4ut@h/db", "ümläut")]
    [InlineData("postgresql://u:a%20b%3Bc%3Dd@h/db", "a b;c=d")] // would break a naive Host=…;Password=… string
    [InlineData("postgresql://u:pa@ss@h/db", "pa@ss")] // an unencoded '@' in the password: the last '@' ends the user info
    [InlineData("postgresql://u:@h/db", "")]
    public void Percent_encoded_passwords_are_decoded(string dsn, string password)
    {
        var b = PostgresDsn.Parse(dsn);
        Assert.Equal(password, b.Password ?? "");
        Assert.Equal("h", b.Host);
        // The decoded password survives the round trip through the connection string.
        Assert.Equal(password, new NpgsqlConnectionStringBuilder(b.ConnectionString).Password ?? "");
    }

    [Fact]
    public void Postgres_scheme_alias_and_no_user_info()
    {
        var b = PostgresDsn.Parse("postgres://localhost:5433/orchestra");
        Assert.Equal("localhost", b.Host);
        Assert.Equal(5433, b.Port);
        Assert.Null(b.Username);
        Assert.Null(b.Password);
    }

    [Fact]
    public void Ipv6_and_multiple_hosts()
    {
        var single = PostgresDsn.Parse("postgresql://u@[::1]:6000/db");
        Assert.Equal("[::1]", single.Host);
        Assert.Equal(6000, single.Port);
        Assert.Equal("primary:5432,[2001:db8::7],replica:5433", PostgresDsn.Parse("postgresql://u@primary:5432,[2001:db8::7],replica:5433/db").Host);
    }

    [Fact]
    public void Unix_socket_host_from_query_or_encoded_path()
    {
        Assert.Equal("/var/run/postgresql", PostgresDsn.Parse("postgresql:///orchestra?host=/var/run/postgresql").Host);
        Assert.Equal("/var/run/postgresql", PostgresDsn.Parse("postgresql://%2Fvar%2Frun%2Fpostgresql/orchestra").Host);
    }

    [Fact]
    public void Query_parameters_are_mapped_and_application_name_is_always_ours()
    {
        var b = PostgresDsn.Parse("postgresql://u@h/db?connect_timeout=7&sslmode=verify-full&sslrootcert=%2Fcerts%2Froot.crt&application_name=other&target_session_attrs=read-write");
        Assert.Equal(7, b.Timeout);
        Assert.Equal(SslMode.VerifyFull, b.SslMode);
        Assert.Equal("/certs/root.crt", b.RootCertificate);
        Assert.Equal("orchestra-admin", b.ApplicationName);
        Assert.Equal("read-write", b.TargetSessionAttributes);
    }

    [Fact]
    public void Database_name_is_decoded()
    {
        Assert.Equal("my db", PostgresDsn.Parse("postgresql://u@h/my%20db").Database);
    }

    [Fact]
    public void Npgsql_form_is_accepted_and_named_orchestra_admin()
    {
        var b = PostgresDsn.Parse("Host=localhost;Port=5432;Username=u;Password=p;Database=orchestra;Application Name=x");
        Assert.Equal("localhost", b.Host);
        Assert.Equal("orchestra", b.Database);
        Assert.Equal("orchestra-admin", b.ApplicationName);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("postgresql://u:p@h:99999/db", "port '99999'")]
    [InlineData("postgresql://u:p@h:abc/db", "port 'abc'")]
    [InlineData("postgresql://u:p@h/db?sslmode=sometimes", "sslmode 'sometimes'")]
    [InlineData("postgresql://u:p@h/db?frobnicate=1", "'frobnicate' is not supported")]
    [InlineData("postgresql://u:p%zz@h/db", "malformed percent-escape")]
    [InlineData("postgresql://u:p@[::1/db", "closing ']'")]
    [InlineData("postgresql://u:p@/db", "no host")]
    [InlineData("Hots=localhost;Database=x", "not a valid Npgsql connection string")]
    public void Bad_values_are_rejected_with_a_clear_reason(string dsn, string expected)
    {
        var e = Assert.Throws<FormatException>(() => PostgresDsn.Parse(dsn));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Error_messages_never_contain_the_password()
    {
        var e = Assert.Throws<FormatException>(() => PostgresDsn.Parse("postgresql://u:TopSecret1@h:notaport/db"));
        Assert.DoesNotContain("TopSecret1", e.Message);
    }

    [Theory]
    [InlineData("postgresql://u:TopSecret1@h/db", "postgresql://u:***@h/db")]
    [InlineData("postgresql://u:Top%40Secret1@h/db?sslmode=require", "postgresql://u:***@h/db?sslmode=require")]
    [InlineData("postgresql://u@h/db?password=TopSecret1&sslmode=require", "postgresql://u@h/db?password=***&sslmode=require")]
    [InlineData("Host=h;Password=TopSecret1;Database=db", "Host=h;Password=***;Database=db")]
    [InlineData("Host=h; PWD =TopSecret1", "Host=h; PWD =***")]
    public void Mask_hides_the_password(string dsn, string masked)
    {
        Assert.Equal(masked, PostgresDsn.Mask(dsn));
    }
}
