namespace Verging.AiProxy.Contracts;

/// <summary>
/// Published by AiProxy (durably) after an AI proxy request was billed. Usage listens and records
/// it; <paramref name="RequestId"/> is unique per request, so a redelivery can be recognised.
/// </summary>
/// <param name="RequestId">Unique id of the request (also the credit reservation id).</param>
/// <param name="AccountId">The paying account.</param>
/// <param name="ApiKeyId">The key the request used.</param>
/// <param name="ServiceType">imagegen, chat, tts, stt or vision.</param>
/// <param name="Model">The model that answered.</param>
/// <param name="InputTokens">Prompt tokens (chat, vision), else 0.</param>
/// <param name="OutputTokens">Completion tokens (chat, vision), else 0.</param>
/// <param name="Units">Characters (tts), seconds (stt), images (imagegen), else 0.</param>
/// <param name="CreditsConsumed">Credits settled.</param>
/// <param name="LatencyMs">Time from request received to response complete.</param>
/// <param name="CompletedAt">When it completed (UTC).</param>
/// <param name="Status">"success" for a whole answer; for a streamed answer cut short after part of it was
/// generated and billed, why: "upstream_error" (the provider failed) or "client_disconnected". Absent in
/// events published before it existed, which were all whole answers.</param>
public sealed record AiRequestCompleted(
    Guid RequestId, Guid AccountId, Guid ApiKeyId, string ServiceType, string Model,
    long InputTokens, long OutputTokens, double Units, long CreditsConsumed, long LatencyMs, DateTimeOffset CompletedAt,
    string Status = "success");

/// <summary>Published by AiProxy when a request failed after validation; nothing was charged.</summary>
/// <param name="RequestId">Unique id of the request.</param>
/// <param name="AccountId">The account.</param>
/// <param name="ApiKeyId">The key the request used.</param>
/// <param name="ServiceType">imagegen, chat, tts, stt or vision.</param>
/// <param name="Model">The model asked for.</param>
/// <param name="Status">insufficient_credits, upstream_error, upstream_timeout, rate_limited, empty_result or invalid_image (vision's image_url could not be fetched or is not an image).</param>
/// <param name="ErrorCode">The error code returned to the client.</param>
/// <param name="LatencyMs">Time from request received to error returned.</param>
/// <param name="FailedAt">When it failed (UTC).</param>
public sealed record AiRequestFailed(
    Guid RequestId, Guid AccountId, Guid ApiKeyId, string ServiceType, string Model,
    string Status, int ErrorCode, long LatencyMs, DateTimeOffset FailedAt);
