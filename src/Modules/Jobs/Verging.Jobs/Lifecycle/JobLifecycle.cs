using Microsoft.Extensions.Options;
using Verging.Credits.Contracts;
using Verging.Jobs.Contracts;
using Verging.Jobs.Domain;
using Verging.Jobs.Running;
using Verging.SharedKernel;
using Wolverine;
using Wolverine.Runtime;

namespace Verging.Jobs.Lifecycle;

/// <summary>What a client asked for; the inputs are already stored or checked.</summary>
public sealed record JobDraft(string JobType, bool IsHd, string FileName, double DeclaredDurationSeconds, string? Prompt, JobInputs Inputs);

/// <summary>
/// Every transition of a job, with its credits: create and retry freeze (a job that cannot be paid
/// never exists or stays failed), success settles what the run really cost, failure and cancel
/// release. The ledger answers exactly once per reservation, and that answer decides a race between
/// a finishing worker and a cancelling client.
/// </summary>
public sealed class JobLifecycle(JobJournal journal, IWolverineRuntime runtime, TimeProvider clock, IOptions<JobsOptions> options)
{
    // A bus per call: IMessageBus is scoped, this service is a singleton shared by endpoints, the runner and the sweeper.
    private MessageBus Bus => new(runtime);

    public async Task<Job> CreateAsync(Caller caller, JobDraft draft, CancellationToken cancellation)
    {
        var jobId = Guid.CreateVersion7();
        var reservation = ReservationIds.For(jobId, 1);
        var price = JobPricing.Price(draft.JobType, draft.IsHd, draft.DeclaredDurationSeconds);
        await FreezeAsync(caller.AccountId, reservation, price, draft.JobType);

        var now = clock.GetUtcNow();
        try
        {
            return await journal.StartAsync(jobId,
                [
                    new JobCreated(jobId, caller.AccountId, caller.ApiKeyId, draft.JobType, draft.IsHd, draft.FileName,
                        draft.DeclaredDurationSeconds, draft.Prompt, draft.Inputs, now),
                    new JobQueued(1, reservation, price, "created", now),
                ],
                [new JobAccepted(jobId, caller.AccountId, caller.ApiKeyId, draft.JobType, draft.IsHd, price, now), new RunJob(jobId)],
                cancellation);
        }
        catch
        {
            // No job was recorded: give the hold back now rather than at its expiry.
            await Bus.InvokeAsync<ReservationOutcome>(new ReleaseCredits(caller.AccountId, reservation, "job not created"), CancellationToken.None);
            throw;
        }
    }

    public Task<Job?> RetryAsync(Guid accountId, Guid jobId, CancellationToken cancellation) =>
        journal.ChangeAsync(jobId, async (job, change) =>
        {
            if (job.AccountId != accountId)
            {
                return;
            }

            JobRules.EnsureCanRetry(job);
            var attempt = job.Attempt + 1;
            var reservation = ReservationIds.For(jobId, attempt);
            var price = JobPricing.Price(job.JobType, job.IsHd, job.DeclaredDurationSeconds);
            await FreezeAsync(job.AccountId, reservation, price, job.JobType);
            change.Append(new JobRetried(attempt, change.Now));
            change.Append(new JobQueued(attempt, reservation, price, "retried", change.Now));
            await change.PublishAsync(new RunJob(jobId));
        }, cancellation);

    public Task<Job?> CancelAsync(Guid accountId, Guid jobId, CancellationToken cancellation) =>
        journal.ChangeAsync(jobId, async (job, change) =>
        {
            if (job.AccountId != accountId)
            {
                return;
            }

            JobRules.EnsureCanCancel(job);
            var outcome = await Bus.InvokeAsync<ReservationOutcome>(
                new ReleaseCredits(job.AccountId, job.ReservationId, "job cancelled"), cancellation);
            if (outcome.End == ReservationEnd.Settled)
            {
                // The worker's settle won the race: the job is completing; its success follows.
                throw new ApiErrorException(ApiError.Conflict($"Job {jobId} is completing: it can no longer be cancelled"));
            }

            change.Append(new JobCancelled(job.Attempt, "cancelled by the client", change.Now));
            change.Sql(LeaseTable.Delete, jobId);
            await change.PublishAsync(Ended(change.State, JobStatus.Cancelled, 0, null, "cancelled by the client", change.Now));
        }, cancellation);

    /// <summary>
    /// Claims a pending job for <paramref name="workerId"/>; null when someone else has it, it is no
    /// longer pending, or <paramref name="eligible"/> (checked under the lock) says this worker must not take it.
    /// </summary>
    public async Task<Job?> TryStartAsync(Guid jobId, string workerId, TimeSpan? leaseDuration, CancellationToken cancellation, Func<Job, bool>? eligible = null)
    {
        var started = await journal.ChangeAsync(jobId, (job, change) =>
        {
            if (JobRules.CanStart(job) && (eligible is null || eligible(job)))
            {
                change.Append(new JobStarted(job.Attempt, workerId, change.Now));
                var lease = leaseDuration ?? options.Value.LeaseDuration;
                change.Sql(LeaseTable.Upsert, jobId, job.Attempt, workerId, change.Now + lease, lease.TotalSeconds);
            }

            return Task.CompletedTask;
        }, cancellation);
        return started is { Status: JobStatus.Processing } && started.WorkerId == workerId ? started : null;
    }

    public Task<Job?> ProgressAsync(Guid jobId, int attempt, int progress, CancellationToken cancellation) =>
        journal.ChangeAsync(jobId, (job, change) =>
        {
            var clamped = Math.Clamp(progress, 0, 99);
            if (JobRules.IsRunning(job, attempt) && clamped > job.Progress)
            {
                change.Append(new JobProgressed(attempt, clamped, change.Now));
            }

            return Task.CompletedTask;
        }, cancellation);

    /// <summary>
    /// Settles first, then records the success. If the ledger says the hold was already released (the
    /// client cancelled, or a failure of the same attempt won a race) or expired, the outputs are not
    /// delivered and nothing is charged; a job still running at that point (its release was made but its
    /// end was never recorded) is recorded as failed, so it can be retried instead of running forever.
    /// Returns the job as it now is.
    /// </summary>
    public async Task<Job?> SucceedAsync(Job job, int attempt, IReadOnlyList<JobOutput> outputs, double? measuredSeconds, CancellationToken cancellation)
    {
        var consumed = JobPricing.Settlement(job, measuredSeconds);
        var outcome = await Bus.InvokeAsync<ReservationOutcome>(new SettleCredits(job.AccountId, job.ReservationId, consumed), cancellation);
        if (outcome.End != ReservationEnd.Settled)
        {
            return await RecordFailureAsync(job.Id, attempt, outcome.End == ReservationEnd.Expired
                ? "The credit hold expired before the job finished; nothing was charged"
                : "The credits of this attempt were released before it finished; nothing was charged", cancellation);
        }

        return await journal.ChangeAsync(job.Id, async (current, change) =>
        {
            if (!JobRules.IsRunning(current, attempt))
            {
                return;
            }

            change.Append(new JobSucceeded(attempt, outputs, outcome.Consumed, measuredSeconds, change.Now));
            change.Sql(LeaseTable.Delete, job.Id);
            await change.PublishAsync(Ended(change.State, JobStatus.Completed, outcome.Consumed, measuredSeconds, null, change.Now));
        }, cancellation);
    }

    /// <summary>
    /// Releases the attempt's hold and records the failure with a reason the client can act on, under the
    /// job's lock (as cancel does). The ledger's answer decides a race with a success of the same attempt:
    /// when the hold was already settled, that success is being recorded and the job is not failed (a
    /// failed job must never be a charged one). Returns the job as it now is.
    /// </summary>
    public Task<Job?> FailAsync(Job job, int attempt, string reason, CancellationToken cancellation) =>
        journal.ChangeAsync(job.Id, async (current, change) =>
        {
            if (!JobRules.IsRunning(current, attempt))
            {
                return;
            }

            var outcome = await Bus.InvokeAsync<ReservationOutcome>(
                new ReleaseCredits(current.AccountId, current.ReservationId, "job failed"), cancellation);
            if (outcome.End == ReservationEnd.Settled)
            {
                return;
            }

            await AppendFailureAsync(change, attempt, reason);
        }, cancellation);

    /// <summary>A worker lost its lease (crash, restart, network): the same attempt waits for a worker again.</summary>
    public Task<Job?> RequeueAsync(Guid jobId, int attempt, CancellationToken cancellation) =>
        journal.ChangeAsync(jobId, async (job, change) =>
        {
            change.Sql(LeaseTable.Delete, jobId);
            if (!JobRules.IsRunning(job, attempt))
            {
                return;
            }

            change.Append(new JobQueued(attempt, job.ReservationId, job.CreditsFrozen, "worker lease expired", change.Now));
            await change.PublishAsync(new RunJob(jobId));
        }, cancellation);

    public Task<Job?> ExpireAsync(Guid jobId, CancellationToken cancellation) =>
        journal.ChangeAsync(jobId, (job, change) =>
        {
            if (job.Status == JobStatus.Completed)
            {
                change.Append(new JobExpired(change.Now));
            }

            return Task.CompletedTask;
        }, cancellation);

    /// <summary>Records the failure of an attempt whose hold the ledger already ended without a charge.</summary>
    private Task<Job?> RecordFailureAsync(Guid jobId, int attempt, string reason, CancellationToken cancellation) =>
        journal.ChangeAsync(jobId, async (job, change) =>
        {
            if (!JobRules.IsRunning(job, attempt))
            {
                return;
            }

            await AppendFailureAsync(change, attempt, reason);
        }, cancellation);

    private static async Task AppendFailureAsync(JobChange change, int attempt, string reason)
    {
        change.Append(new JobFailed(attempt, reason, change.Now));
        change.Sql(LeaseTable.Delete, change.State.Id);
        await change.PublishAsync(Ended(change.State, JobStatus.Failed, 0, null, reason, change.Now));
    }

    private async Task FreezeAsync(Guid accountId, Guid reservation, long price, string jobType)
    {
        var frozen = await Bus.InvokeAsync<FreezeOutcome>(new FreezeCredits(accountId, reservation, price, jobType));
        if (frozen.Status != FreezeStatus.Frozen)
        {
            throw new ApiErrorException(ApiError.InsufficientCredits(frozen.Required, frozen.Available));
        }
    }

    private static JobAttemptEnded Ended(Job job, string status, long consumed, double? measured, string? error, DateTimeOffset at) =>
        new(job.Id, job.AccountId, job.ApiKeyId, job.JobType, status, job.Attempt, consumed, measured,
            (long)(at - job.QueuedAt).TotalMilliseconds, error, at);
}
