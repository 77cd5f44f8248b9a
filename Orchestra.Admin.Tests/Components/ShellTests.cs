using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orchestra.Admin.Components.Controls;
using Orchestra.Admin.Components.Layout;
using Orchestra.Admin.Features.Health;
using Orchestra.Admin.Hosting;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Components;

public class ShellTests : BunitSetup
{
    private sealed class Thrower : ComponentBase
    {
        protected override void OnInitialized() => throw new InvalidOperationException("boom");
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public List<string> Messages { get; } = [];
        public ILogger CreateLogger(string categoryName) => new Logger(this);
        public void Dispose() { }

        private sealed class Logger(CapturingLoggerProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (owner.Messages) owner.Messages.Add(formatter(state, exception));
            }
        }
    }

    [Fact]
    public void The_error_boundary_shows_a_short_id_that_is_also_logged()
    {
        var logs = new CapturingLoggerProvider();
        Services.AddLogging(b => b.AddProvider(logs));

        var cut = Render<LoggingErrorBoundary>(p => p.AddChildContent<Thrower>());

        var id = cut.Find("[data-testid=error-id]").TextContent;
        Assert.Matches("^[0-9a-f]{8}$", id);
        Assert.Contains("Something went wrong on this page", cut.Markup);
        Assert.DoesNotContain("An unhandled error has occurred", cut.Markup);
        Assert.Contains(logs.Messages, m => m.Contains(id));
    }

    [Fact]
    public async Task An_unreachable_postgres_turns_the_chip_red_and_shows_the_outage_banner()
    {
        // A real probe against a port where nothing listens.
        await using var dataSource = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Timeout=2;Pooling=false");
        var options = Microsoft.Extensions.Options.Options.Create(new OrchestraAdminOptions());
        var health = new BackendHealth(dataSource, options, Services, TimeProvider.System);
        Services.AddSingleton(health);

        var chips = Render<BackendStatusChips>();
        var banner = Render<OutageBanner>();
        Assert.Empty(banner.FindAll("[role=alert]"));
        Assert.NotNull(chips.Find("[aria-label='PostgreSQL: checking…']"));
        Assert.NotNull(chips.Find("[aria-label^='Weaviate: not configured (Set WEAVIATE_URL']"));

        var state = await health.ProbePostgresAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(BackendStatus.Down, state.Status);
        Assert.Contains("cannot connect", state.Detail);
        chips.WaitForAssertion(() => Assert.NotNull(chips.Find("[aria-label^='PostgreSQL: unreachable (cannot connect']")));
        banner.WaitForAssertion(() => Assert.Contains("PostgreSQL is unreachable", banner.Find("[role=alert]").TextContent));
        Assert.Contains(state.Detail!, banner.Markup);
    }
}
