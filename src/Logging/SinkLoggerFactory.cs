using Microsoft.Extensions.Logging;

namespace Websockify.Logging;

/// <summary>A minimal ILogger over <see cref="LogSink"/>: no scopes, one minimum level for every category.</summary>
internal sealed class SinkLoggerFactory(LogSink sink, LogLevel minimumLevel) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new SinkLogger(sink, minimumLevel);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public void Dispose() => sink.Dispose();

    private sealed class SinkLogger(LogSink sink, LogLevel minimumLevel) : ILogger
    {
        /// <summary>[LoggerMessage] state lists its named values, then the template (left out).</summary>
        private static KeyValuePair<string, object?>[]? Fields<TState>(TState state) =>
            state is IReadOnlyList<KeyValuePair<string, object?>> values
                ? values.Where(v => v.Key != "{OriginalFormat}").ToArray()
                : null;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimumLevel && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var message = formatter(state, exception);
            if (exception is not null)
            {
                message = minimumLevel <= LogLevel.Debug ? $"{message}: {exception}" : $"{message}: {exception.Message}";
            }

            sink.Write(logLevel, message, eventId, sink.Json ? Fields(state) : null);
        }
    }
}
