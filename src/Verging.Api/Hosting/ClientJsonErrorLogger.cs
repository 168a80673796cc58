using System.Text.Json;

namespace Verging.Api.Hosting;

/// <summary>
/// Every <c>ILogger&lt;T&gt;</c> of the app, with one change: Wolverine logs a request body it cannot
/// deserialize at Error with the JsonException's stack trace (HttpHandler.ReadJsonAsync, category = the
/// body's type). That is the client's mistake, already answered with a 400 naming where the JSON is
/// wrong, so it is logged here at Information without the stack: a client sending bad JSON must not
/// page anyone or fill the error log. Everything else passes through unchanged.
/// </summary>
internal sealed class ClientJsonErrorLogger<T>(ILoggerFactory factory) : ILogger<T>
{
    /// <summary>Wolverine's message template for the failure (pinned by ErrorFormatTests).</summary>
    internal const string WolverineBodyReadTemplate = "Error trying to deserialize JSON from incoming HTTP body at {Url} to type {Type}";

    private readonly ILogger _inner = new Logger<T>(factory);

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => _inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => _inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (logLevel == LogLevel.Error && exception is JsonException && IsWolverineBodyRead(state))
        {
            _inner.Log(LogLevel.Information, eventId, state, null, formatter);
            return;
        }

        _inner.Log(logLevel, eventId, state, exception, formatter);
    }

    private static bool IsWolverineBodyRead<TState>(TState state) =>
        state is IEnumerable<KeyValuePair<string, object?>> pairs
        && pairs.Any(p => p is { Key: "{OriginalFormat}", Value: WolverineBodyReadTemplate });
}
