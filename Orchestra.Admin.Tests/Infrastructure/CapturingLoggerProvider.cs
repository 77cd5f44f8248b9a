using Microsoft.Extensions.Logging;

namespace Orchestra.Admin.Tests.Infrastructure;

/// <summary>Keeps everything logged through it in memory: the rendered message and the structured values.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    public sealed record Entry(string Category, LogLevel Level, string Message, IReadOnlyDictionary<string, object?> Values);

    private readonly List<Entry> entries = [];

    public IReadOnlyList<Entry> Entries
    {
        get { lock (entries) return entries.ToList(); }
    }

    public void Clear()
    {
        lock (entries) entries.Clear();
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public ILogger<T> CreateLogger<T>() => new LoggerFactory([this]).CreateLogger<T>();

    public void Dispose() { }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.ToDictionary(p => p.Key, p => p.Value)
                : new Dictionary<string, object?>();
            var message = formatter(state, exception) + (exception is null ? "" : "\n" + exception);
            lock (owner.entries) owner.entries.Add(new Entry(category, logLevel, message, values));
        }
    }
}
