using System.Text.Json.Nodes;
using Verging.AiProxy.Providers;
using Verging.SharedKernel;

namespace Verging.AiProxy.Billing;

/// <summary>How a provider failure reaches the client: 502 with the provider's error, or 503 when it did not answer.</summary>
public static class ProviderErrors
{
    public static ApiError ToError(ProviderException e) => e.Failure switch
    {
        ProviderFailure.Timeout => new ApiError(503, ErrorCodes.ServiceUnavailable, "The AI provider did not answer in time; nothing was charged"),
        ProviderFailure.Unreachable => new ApiError(503, ErrorCodes.ServiceUnavailable, "The AI provider is unreachable; nothing was charged"),
        ProviderFailure.EmptyResult => new ApiError(502, ErrorCodes.BadGateway, "The AI provider returned an empty result; nothing was charged", e.UpstreamError),
        _ => new ApiError(502, ErrorCodes.BadGateway, $"The AI provider returned an error{(e.UpstreamStatus is { } s ? $" ({s})" : string.Empty)}; nothing was charged",
            e.UpstreamError ?? (e.UpstreamStatus is { } st ? new JsonObject { ["status"] = st } : null)),
    };

    /// <summary>
    /// A failure after part of a streamed answer reached the client: what was generated is billed (ADR 0011),
    /// so the error event says so instead of "nothing was charged".
    /// </summary>
    public static ApiError AfterPartialAnswer(ProviderException e, long completionTokens, long credits) =>
        ToError(e) with
        {
            Message = $"The AI provider failed before the answer was complete; {credits} credit{(credits == 1 ? string.Empty : "s")} charged for the {completionTokens} tokens generated before it",
        };

    public static string Status(ProviderException e) => e.Failure switch
    {
        ProviderFailure.UpstreamError => "upstream_error",
        ProviderFailure.EmptyResult => "empty_result",
        _ => "upstream_timeout",
    };
}
