namespace Verging.Jobs.Domain;

/// <summary>
/// A media job, folded from its stream. Immutable: every event gives a new value. Marten keeps it
/// as an inline snapshot, committed with the events, so it is also the read model that serves
/// every list and get (always consistent with the stream; no lag after a create).
/// </summary>
public sealed record Job
{
    public Guid Id { get; init; }
    public Guid AccountId { get; init; }
    public Guid ApiKeyId { get; init; }
    public string JobType { get; init; } = "";
    public bool IsHd { get; init; }
    public string FileName { get; init; } = "";
    public double DeclaredDurationSeconds { get; init; }
    public string? Prompt { get; init; }
    public JobInputs Inputs { get; init; } = new(null, null, null);
    public string Status { get; init; } = JobStatus.Pending;
    public int Attempt { get; init; }
    public Guid ReservationId { get; init; }
    public long CreditsFrozen { get; init; }
    public long CreditsConsumed { get; init; }
    public int Progress { get; init; }
    public string? WorkerId { get; init; }
    public double? MeasuredDurationSeconds { get; init; }
    public IReadOnlyList<JobOutput> Outputs { get; init; } = [];
    public string? Error { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset QueuedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }

    public static Job Create(JobCreated e) => new()
    {
        Id = e.JobId, AccountId = e.AccountId, ApiKeyId = e.ApiKeyId, JobType = e.JobType, IsHd = e.IsHd, FileName = e.FileName,
        DeclaredDurationSeconds = e.DeclaredDurationSeconds, Prompt = e.Prompt, Inputs = e.Inputs,
        CreatedAt = e.CreatedAt, UpdatedAt = e.CreatedAt, QueuedAt = e.CreatedAt,
    };

    public Job Apply(JobQueued e) => this with
    {
        Status = JobStatus.Pending, Attempt = e.Attempt, ReservationId = e.ReservationId, CreditsFrozen = e.CreditsFrozen,
        Progress = 0, WorkerId = null, QueuedAt = e.QueuedAt, UpdatedAt = e.QueuedAt,
    };

    public Job Apply(JobStarted e) => this with { Status = JobStatus.Processing, WorkerId = e.WorkerId, UpdatedAt = e.StartedAt };

    public Job Apply(JobProgressed e) => this with { Progress = e.Progress, UpdatedAt = e.At };

    public Job Apply(JobSucceeded e) => this with
    {
        Status = JobStatus.Completed, Progress = 100, Outputs = e.Outputs, CreditsConsumed = e.CreditsConsumed,
        MeasuredDurationSeconds = e.MeasuredDurationSeconds, Error = null, UpdatedAt = e.At, FinishedAt = e.At,
    };

    public Job Apply(JobFailed e) => this with { Status = JobStatus.Failed, Error = e.Reason, UpdatedAt = e.At, FinishedAt = e.At };

    public Job Apply(JobRetried e) => this with { Error = null, FinishedAt = null, UpdatedAt = e.At };

    public Job Apply(JobCancelled e) => this with { Status = JobStatus.Cancelled, Error = e.Reason, UpdatedAt = e.At, FinishedAt = e.At };

    public Job Apply(JobExpired e) => this with { Status = JobStatus.Expired, Outputs = [], UpdatedAt = e.At };
}
