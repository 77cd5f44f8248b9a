using System.Runtime.CompilerServices;
using Dapper;

namespace Orchestra.Admin.Data.Postgres;

/// <summary>
/// Dapper maps snake_case columns (updated_at) onto PascalCase members (UpdatedAt). The switch is global, so it is
/// set when this assembly loads: code that queries through a connection of its own (the editors, the sampler)
/// must not depend on the query runner having been used first.
/// </summary>
internal static class DapperSettings
{
    [ModuleInitializer]
    internal static void Apply() => DefaultTypeMap.MatchNamesWithUnderscores = true;
}
