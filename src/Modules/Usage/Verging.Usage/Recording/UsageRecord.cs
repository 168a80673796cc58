namespace Verging.Usage.Recording;

/// <summary>
/// One row of <c>usage.records</c>: one AI request, or one attempt of a job. <see cref="Id"/> is the
/// id of the log row it was projected from, so it is stable across rebuilds.
/// </summary>
public sealed record UsageRecord(
    long Id,
    Guid SourceId,
    int Attempt,
    string Kind,
    Guid AccountId,
    Guid ApiKeyId,
    string ServiceType,
    string Model,
    string Status,
    int? ErrorCode,
    long CreditsConsumed,
    long InputTokens,
    long OutputTokens,
    double Units,
    long LatencyMs,
    DateTimeOffset CreatedAt)
{
    public const string AiKind = "ai";
    public const string JobKind = "job";
    public const string Success = "success";
}
