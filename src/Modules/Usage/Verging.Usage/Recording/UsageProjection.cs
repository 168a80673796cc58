using System.Text.Json;
using Verging.AiProxy.Contracts;
using Verging.Jobs.Contracts;

namespace Verging.Usage.Recording;

/// <summary>A received contract as the usage log keeps it: its dedupe key, its type name and the contract itself.</summary>
public sealed record ReceivedUsageEvent(Guid SourceId, int Attempt, string EventType, object Contract);

/// <summary>
/// The one mapping from a received contract to its usage record. Live recording and rebuilds both
/// go through it, which is why a rebuilt read model equals the live one (ADR 0009).
/// </summary>
public static class UsageProjection
{
    public const string AiRequestCompletedType = "ai_request_completed";
    public const string AiRequestFailedType = "ai_request_failed";
    public const string JobAttemptEndedType = "job_attempt_ended";

    /// <summary>How contracts are stored in the log: camelCase, like Marten's events (chosen once).</summary>
    public static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);

    /// <summary>An AI request ends once: its request id alone identifies it (attempt 0).</summary>
    public static ReceivedUsageEvent Received(AiRequestCompleted e) => new(e.RequestId, 0, AiRequestCompletedType, e);

    /// <inheritdoc cref="Received(AiRequestCompleted)"/>
    public static ReceivedUsageEvent Received(AiRequestFailed e) => new(e.RequestId, 0, AiRequestFailedType, e);

    /// <summary>A job ends once per attempt: (job id, attempt) identifies it.</summary>
    public static ReceivedUsageEvent Received(JobAttemptEnded e) => new(e.JobId, e.Attempt, JobAttemptEndedType, e);

    public static string Serialize(ReceivedUsageEvent received) =>
        JsonSerializer.Serialize(received.Contract, received.Contract.GetType(), PayloadJson);

    public static ReceivedUsageEvent Deserialize(string eventType, string payload) => eventType switch
    {
        AiRequestCompletedType => Received(JsonSerializer.Deserialize<AiRequestCompleted>(payload, PayloadJson)!),
        AiRequestFailedType => Received(JsonSerializer.Deserialize<AiRequestFailed>(payload, PayloadJson)!),
        JobAttemptEndedType => Received(JsonSerializer.Deserialize<JobAttemptEnded>(payload, PayloadJson)!),
        _ => throw new InvalidOperationException($"The usage log holds an event of unknown type '{eventType}'"),
    };

    /// <summary>The record of a received contract, with the id of its log row.</summary>
    public static UsageRecord Project(long id, ReceivedUsageEvent received) => received.Contract switch
    {
        AiRequestCompleted e => new UsageRecord(
            id, e.RequestId, 0, UsageRecord.AiKind, e.AccountId, e.ApiKeyId, e.ServiceType, e.Model, e.Status ?? UsageRecord.Success, null,
            e.CreditsConsumed, e.InputTokens, e.OutputTokens, e.Units, e.LatencyMs, e.CompletedAt.ToUniversalTime()),
        // A failed request charged nothing and produced nothing: 0 credits, 0 tokens, its own status.
        AiRequestFailed e => new UsageRecord(
            id, e.RequestId, 0, UsageRecord.AiKind, e.AccountId, e.ApiKeyId, e.ServiceType, e.Model, e.Status, e.ErrorCode,
            0, 0, 0, 0, e.LatencyMs, e.FailedAt.ToUniversalTime()),
        // Jobs name a completed attempt "completed"; usage calls every paid success "success", so a
        // summary counts AI requests and jobs alike. Failed and cancelled attempts keep their word.
        JobAttemptEnded e => new UsageRecord(
            id, e.JobId, e.Attempt, UsageRecord.JobKind, e.AccountId, e.ApiKeyId, e.JobType, string.Empty,
            e.Status == "completed" ? UsageRecord.Success : e.Status, null,
            e.CreditsConsumed, 0, 0, e.MeasuredDurationSeconds ?? 0, e.LatencyMs, e.FinishedAt.ToUniversalTime()),
        _ => throw new InvalidOperationException($"Usage does not record {received.Contract.GetType().Name}"),
    };
}
