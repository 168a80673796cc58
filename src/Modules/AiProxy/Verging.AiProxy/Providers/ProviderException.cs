using System.Text.Json.Nodes;

namespace Verging.AiProxy.Providers;

public enum ProviderFailure
{
    /// <summary>The provider answered with an error (→ 502, its error in upstream_error).</summary>
    UpstreamError,

    /// <summary>The provider did not answer in time (→ 503).</summary>
    Timeout,

    /// <summary>The provider could not be reached (→ 503).</summary>
    Unreachable,

    /// <summary>The provider answered, but with nothing usable (→ 502, nothing charged).</summary>
    EmptyResult,
}

/// <summary>A provider failure, already classified for the error the client gets.</summary>
public sealed class ProviderException : Exception
{
    public ProviderException(ProviderFailure failure, string message, int? upstreamStatus = null, JsonNode? upstreamError = null, Exception? inner = null)
        : base(message, inner)
    {
        Failure = failure;
        UpstreamStatus = upstreamStatus;
        UpstreamError = upstreamError;
    }

    public ProviderException() : this(ProviderFailure.UpstreamError, "Provider error") { }

    public ProviderException(string message) : this(ProviderFailure.UpstreamError, message) { }

    public ProviderException(string message, Exception innerException) : this(ProviderFailure.UpstreamError, message, inner: innerException) { }

    public ProviderFailure Failure { get; }
    public int? UpstreamStatus { get; }
    public JsonNode? UpstreamError { get; }
}
