namespace Verging.Jobs.Contracts;

/// <summary>
/// Published by Jobs (through the outbox) when a job was accepted and its credits frozen.
/// Delivery is at least once: listeners recognise a repeat by <paramref name="JobId"/>.
/// </summary>
/// <param name="JobId">The job.</param>
/// <param name="AccountId">The paying account.</param>
/// <param name="ApiKeyId">The key that created the job.</param>
/// <param name="JobType">face-swap, video-enhance, image-to-video or background-removal.</param>
/// <param name="IsHd">Whether HD pricing applies.</param>
/// <param name="CreditsFrozen">Credits held for the job.</param>
/// <param name="CreatedAt">When the job was created (UTC).</param>
public sealed record JobAccepted(
    Guid JobId, Guid AccountId, Guid ApiKeyId, string JobType, bool IsHd, long CreditsFrozen, DateTimeOffset CreatedAt);

/// <summary>
/// Published by Jobs (through the outbox) when one attempt of a job ended: completed (credits
/// settled), failed or cancelled (credits released, 0 consumed). A retried job publishes one per
/// attempt; (<paramref name="JobId"/>, <paramref name="Attempt"/>) identifies it for deduplication.
/// </summary>
/// <param name="JobId">The job.</param>
/// <param name="AccountId">The paying account.</param>
/// <param name="ApiKeyId">The key that created the job.</param>
/// <param name="JobType">face-swap, video-enhance, image-to-video or background-removal.</param>
/// <param name="Status">completed, failed or cancelled.</param>
/// <param name="Attempt">1 for the first run, 2 after the first retry, ...</param>
/// <param name="CreditsConsumed">Credits settled (0 unless completed).</param>
/// <param name="MeasuredDurationSeconds">Media duration the worker measured, when it is a video job.</param>
/// <param name="LatencyMs">Time from the attempt being queued to its end.</param>
/// <param name="Error">Why it failed, else null.</param>
/// <param name="FinishedAt">When the attempt ended (UTC).</param>
public sealed record JobAttemptEnded(
    Guid JobId, Guid AccountId, Guid ApiKeyId, string JobType, string Status, int Attempt, long CreditsConsumed,
    double? MeasuredDurationSeconds, long LatencyMs, string? Error, DateTimeOffset FinishedAt);

/// <summary>The job types, as they appear in URLs, contracts and the <c>job_type</c> field.</summary>
public static class JobTypes
{
    /// <summary>Video face swap: 1 credit/s, HD 3.</summary>
    public const string FaceSwap = "face-swap";

    /// <summary>Video upscaling: 3 credits/s, HD 5.</summary>
    public const string VideoEnhance = "video-enhance";

    /// <summary>A video made from one image: 3 credits/s, HD 5.</summary>
    public const string ImageToVideo = "image-to-video";

    /// <summary>Background removal of one image: 1 credit.</summary>
    public const string BackgroundRemoval = "background-removal";

    /// <summary>Every job type.</summary>
    public static readonly IReadOnlyList<string> All = [FaceSwap, VideoEnhance, ImageToVideo, BackgroundRemoval];
}
