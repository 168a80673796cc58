namespace Verging.Jobs.Domain;

// The events of a job's stream (one stream per job). Each records one transition; Job.Apply folds them.

/// <summary>Where the job's inputs are: our blob store (keys) or a remote URL fetched through the SSRF guard.</summary>
public sealed record JobInputs(string? ImageKey, string? VideoKey, string? VideoUrl);

public sealed record JobCreated(
    Guid JobId, Guid AccountId, Guid ApiKeyId, string JobType, bool IsHd, string FileName,
    double DeclaredDurationSeconds, string? Prompt, JobInputs Inputs, DateTimeOffset CreatedAt);

/// <summary>The job waits for a worker: after creation, after a retry, or after a worker's lease expired (same attempt).</summary>
public sealed record JobQueued(int Attempt, Guid ReservationId, long CreditsFrozen, string Reason, DateTimeOffset QueuedAt);

public sealed record JobStarted(int Attempt, string WorkerId, DateTimeOffset StartedAt);

public sealed record JobProgressed(int Attempt, int Progress, DateTimeOffset At);

public sealed record JobOutput(string Name, string BlobKey, string ContentType, long Size);

public sealed record JobSucceeded(int Attempt, IReadOnlyList<JobOutput> Outputs, long CreditsConsumed, double? MeasuredDurationSeconds, DateTimeOffset At);

public sealed record JobFailed(int Attempt, string Reason, DateTimeOffset At);

/// <summary>A failed job is tried again as <paramref name="Attempt"/> (a JobQueued with the new hold follows).</summary>
public sealed record JobRetried(int Attempt, DateTimeOffset At);

public sealed record JobCancelled(int Attempt, string Reason, DateTimeOffset At);

/// <summary>The outputs passed their retention and were deleted.</summary>
public sealed record JobExpired(DateTimeOffset At);
