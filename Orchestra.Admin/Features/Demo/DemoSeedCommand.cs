using System.Globalization;
using Npgsql;
using Orchestra.Admin.Hosting;

namespace Orchestra.Admin.Features.Demo;

/// <summary>
/// <c>dotnet run --project Orchestra.Admin -- seed-demo [--scale 0.1]</c>: fills the database named by POSTGRES_DSN
/// (read like the dashboard reads it: appsettings, environment, command line) with the demo data.
/// </summary>
public static class DemoSeedCommand
{
    public const string Usage = """
        Usage: seed-demo [--scale <factor>] [--POSTGRES_DSN=<dsn>]
          Fills every empty table of the stack with realistic demo data; tables that have rows are left alone.
          --scale <factor>   multiplies every table's row count (default 1: 50,000 documents, 20,000 tasks,
                             5,000 sessions, 10,000 cache entries, 1,000 embedding cache entries)
          The database comes from POSTGRES_DSN (environment, appsettings.json or --POSTGRES_DSN=...).
        """;

    private const double MaxScale = 20;

    public static Task<int> RunAsync(string[] args) => RunAsync(args, Console.Out, Console.Error);

    /// <summary>Returns 0 when done, 1 when the database cannot be reached or refuses, 2 on bad arguments, 130 when cancelled.
    /// A bad setting throws <see cref="SettingsException"/> as at start-up.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var scale = 1.0;
        var configurationArgs = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help")
            {
                output.WriteLine(Usage);
                return 0;
            }
            if (arg == "--scale" || arg.StartsWith("--scale=", StringComparison.Ordinal))
            {
                var value = arg == "--scale" ? (i + 1 < args.Length ? args[++i] : "") : arg["--scale=".Length..];
                if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out scale) || !(scale > 0) || scale > MaxScale)
                {
                    error.WriteLine($"seed-demo: --scale must be a number greater than 0 and at most {MaxScale}, e.g. 0.1 (got '{value}')");
                    return 2;
                }
                continue;
            }
            configurationArgs.Add(arg);
        }

        var configuration = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [.. configurationArgs] }).Configuration;
        var settings = SettingsLoader.Load(configuration);
        var target = Describe(settings.Postgres.ConnectionString);
        var size = DemoSeedSize.Full.Scale(scale);
        output.WriteLine($"Seeding {target} with up to {size}.");

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            await using var dataSource = NpgsqlDataSource.Create(settings.Postgres.ConnectionString);
            await new DemoSeeder(dataSource, size, progress: output.WriteLine).SeedAsync(cancel.Token);
            return 0;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            error.WriteLine("seed-demo: cancelled; the table being filled was rolled back, tables already filled keep their rows");
            return 130;
        }
        catch (PostgresException e)
        {
            error.WriteLine($"seed-demo: PostgreSQL at {target} refused: {OneLine(e.MessageText)} ({e.SqlState})");
            return 1;
        }
        catch (NpgsqlException e)
        {
            // Connection refused, unknown host, timeouts: the useful part is usually the inner exception's message.
            var reason = e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message;
            error.WriteLine($"seed-demo: cannot reach PostgreSQL at {target}: {OneLine(reason)}");
            return 1;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>host:port/database, never the password.</summary>
    private static string Describe(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{b.Host}:{b.Port}/{b.Database ?? b.Username}";
    }

    private static string OneLine(string text) => string.Join(' ', text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
}
