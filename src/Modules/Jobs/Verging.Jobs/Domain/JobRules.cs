using Verging.SharedKernel;

namespace Verging.Jobs.Domain;

/// <summary>
/// Which transitions a job allows: pure checks on the folded state. An illegal request from a
/// client is 409 with the job's status in the message.
/// </summary>
public static class JobRules
{
    public static void EnsureCanRetry(Job job)
    {
        if (job.Status != JobStatus.Failed)
        {
            throw Conflict(job, "only failed jobs can be retried");
        }
    }

    public static void EnsureCanCancel(Job job)
    {
        if (job.Status is not (JobStatus.Pending or JobStatus.Processing))
        {
            throw Conflict(job, "only pending or processing jobs can be cancelled");
        }
    }

    /// <summary>True when a worker may start this attempt now.</summary>
    public static bool CanStart(Job job) => job.Status == JobStatus.Pending;

    /// <summary>True when <paramref name="attempt"/> is the job's running attempt (a worker reporting on it still holds it).</summary>
    public static bool IsRunning(Job job, int attempt) => job.Status == JobStatus.Processing && job.Attempt == attempt;

    private static ApiErrorException Conflict(Job job, string rule) =>
        new(ApiError.Conflict($"Job {job.Id} is {job.Status}: {rule}"));
}
