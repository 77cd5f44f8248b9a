using Dapper;
using Orchestra.Admin.Features.Postgres;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Monitoring;

public class SettingsChecksTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private async Task<string> ShowAsync(string name)
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        return await conn.ExecuteScalarAsync<string>("SELECT current_setting(@name)", new { name }) ?? "";
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var conn = await db.OpenOtherConnectionAsync();
        return (await conn.ExecuteScalarAsync<T>(sql))!;
    }

    [Fact]
    public async Task Current_values_are_read_normalised_and_compared_with_the_recommendations()
    {
        var checks = await new SettingsChecks(TestServices.QueryRunner(db)).RecommendedAsync();

        Assert.Equal(RecommendedSettings.All.Select(r => r.Name), checks.Select(c => c.Name));
        Assert.All(checks, c => Assert.True(c.Visible, $"{c.Name} not visible"));

        // The test cluster runs with shared_buffers=128MB: pg_settings says 16384 × 8kB. PostgreSQL's own
        // pg_size_bytes() is the oracle for any server.
        var sharedBuffers = checks.Single(c => c.Name == "shared_buffers");
        Assert.Equal(await ScalarAsync<long>("SELECT pg_size_bytes(current_setting('shared_buffers'))"), (long)sharedBuffers.CurrentValue!.Value.Value);
        if (await ShowAsync("shared_buffers") == "128MB")
        {
            Assert.Equal(("16384", "8kB"), (sharedBuffers.Setting, sharedBuffers.Unit));
            Assert.Equal(new SettingValue(134_217_728, SettingKind.Bytes), sharedBuffers.CurrentValue);
            Assert.True(sharedBuffers.Differs);
        }
        Assert.Equal(new SettingValue(4_294_967_296, SettingKind.Bytes), sharedBuffers.RecommendedValue);
        Assert.True(sharedBuffers.NeedsRestartToChange);
        Assert.False(sharedBuffers.PendingRestart);
        Assert.Equal(await ScalarAsync<string>("SELECT source FROM pg_settings WHERE name = 'shared_buffers'"), sharedBuffers.Source);

        // Defaults that happen to match the guide.
        var completion = checks.Single(c => c.Name == "checkpoint_completion_target");
        Assert.Equal(new SettingValue(0.9, SettingKind.Number), completion.CurrentValue);
        Assert.False(completion.Differs);
        Assert.False(checks.Single(c => c.Name == "max_parallel_workers").Differs);

        // A plain number: max_connections=300 on the test cluster.
        var connections = checks.Single(c => c.Name == "max_connections");
        var maxConnections = int.Parse(await ShowAsync("max_connections"));
        Assert.Equal(new SettingValue(maxConnections, SettingKind.Number), connections.CurrentValue);
        Assert.Equal(maxConnections != 200, connections.Differs);

        // work_mem is kept in kB: 4MB by default.
        var workMem = checks.Single(c => c.Name == "work_mem");
        Assert.Equal(await ScalarAsync<long>("SELECT pg_size_bytes(current_setting('work_mem'))"), (long)workMem.CurrentValue!.Value.Value);
        Assert.Equal("kB", workMem.Unit);
    }
}

public class SettingUnitsTests
{
    [Theory]
    [InlineData("16384", "8kB", 134_217_728, SettingKind.Bytes)]
    [InlineData("524288", "8kB", 4_294_967_296, SettingKind.Bytes)]
    [InlineData("4096", "kB", 4_194_304, SettingKind.Bytes)]
    [InlineData("1024", "MB", 1_073_741_824, SettingKind.Bytes)]
    [InlineData("16777216", "B", 16_777_216, SettingKind.Bytes)]
    [InlineData("1", "16MB", 16_777_216, SettingKind.Bytes)]
    [InlineData("300", "s", 300_000, SettingKind.Milliseconds)]
    [InlineData("5", "min", 300_000, SettingKind.Milliseconds)]
    [InlineData("200", "ms", 200, SettingKind.Milliseconds)]
    [InlineData("0.9", null, 0.9, SettingKind.Number)]
    [InlineData("200", "", 200, SettingKind.Number)]
    [InlineData("-1", "8kB", -8192, SettingKind.Bytes)]
    public void Pg_settings_values_are_converted_to_base_units(string setting, string? unit, double expected, SettingKind kind) =>
        Assert.Equal(new SettingValue(expected, kind), SettingUnits.FromPgSettings(setting, unit));

    [Theory]
    [InlineData("4GB", 4_294_967_296, SettingKind.Bytes)]
    [InlineData("64MB", 67_108_864, SettingKind.Bytes)]
    [InlineData("1TB", 1_099_511_627_776, SettingKind.Bytes)]
    [InlineData("512kB", 524_288, SettingKind.Bytes)]
    [InlineData("30s", 30_000, SettingKind.Milliseconds)]
    [InlineData("1h", 3_600_000, SettingKind.Milliseconds)]
    [InlineData("1.1", 1.1, SettingKind.Number)]
    [InlineData(" 200 ", 200, SettingKind.Number)]
    public void Written_values_are_converted_to_base_units(string value, double expected, SettingKind kind) =>
        Assert.Equal(new SettingValue(expected, kind), SettingUnits.Parse(value));

    [Fact]
    public void Two_spellings_of_one_size_are_the_same()
    {
        Assert.True(SettingUnits.Parse("16MB").SameAs(SettingUnits.FromPgSettings("2048", "8kB")));
        Assert.True(SettingUnits.Parse("1GB").SameAs(SettingUnits.FromPgSettings("1024", "MB")));
        Assert.False(SettingUnits.Parse("1GB").SameAs(SettingUnits.Parse("1000MB")));
        Assert.False(SettingUnits.Parse("1000").SameAs(SettingUnits.Parse("1s"))); // a number is not a duration
        Assert.True(SettingUnits.Parse("1.1").SameAs(SettingUnits.FromPgSettings("1.1", null)));
    }

    [Theory]
    [InlineData("4 gigabytes")]
    [InlineData("4gb")]
    [InlineData("GB")]
    [InlineData("")]
    public void Unknown_units_and_non_numbers_are_refused(string value) =>
        Assert.Throws<FormatException>(() => SettingUnits.Parse(value));

    [Fact]
    public void Every_recommendation_is_a_valid_value_named_once()
    {
        Assert.Equal(13, RecommendedSettings.All.Count);
        Assert.Equal(RecommendedSettings.All.Count, RecommendedSettings.All.Select(r => r.Name).Distinct().Count());
        Assert.All(RecommendedSettings.All, r =>
        {
            SettingUnits.Parse(r.Value);
            Assert.False(string.IsNullOrWhiteSpace(r.Why));
        });
        Assert.Equal(SettingKind.Bytes, SettingUnits.Parse(RecommendedSettings.All.Single(r => r.Name == "wal_buffers").Value).Kind);
    }

    [Fact]
    public void Formatting_shows_sizes_as_people_read_them()
    {
        Assert.Equal("128 MB", new SettingValue(134_217_728, SettingKind.Bytes).ToString());
        Assert.Equal("4.0 GB", new SettingValue(4_294_967_296, SettingKind.Bytes).ToString());
        Assert.Equal("0.9", new SettingValue(0.9, SettingKind.Number).ToString());
        Assert.Equal("30000 ms", new SettingValue(30_000, SettingKind.Milliseconds).ToString());
    }

    [Fact]
    public void A_setting_the_server_does_not_show_is_reported_as_not_visible()
    {
        var check = SettingsChecks.Compare(new SettingRecommendation("shared_buffers", "4GB", "why"), current: null);
        Assert.False(check.Visible);
        Assert.Null(check.CurrentValue);
        Assert.Equal(new SettingValue(4_294_967_296, SettingKind.Bytes), check.RecommendedValue);

        var same = SettingsChecks.Compare(new SettingRecommendation("wal_buffers", "16MB", "why"),
            new PgSetting { Name = "wal_buffers", Setting = "2048", Unit = "8kB", Source = "configuration file", Context = "postmaster", PendingRestart = true });
        Assert.False(same.Differs);
        Assert.True(same.PendingRestart);
    }
}
