using Marten;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Verging.Jobs.Domain;
using Verging.Jobs.Lifecycle;
using Verging.SharedKernel.Blobs;

namespace Verging.Jobs.Retention;

/// <summary>
/// Every sweep interval: queues again the jobs whose worker stopped renewing its lease (a crashed
/// or restarted instance, a vanished GPU worker), and deletes outputs past their retention
/// (JobExpired). Several instances may sweep at once: each change locks the job's stream.
/// </summary>
public sealed partial class JobSweeper(
    IDocumentStore store, LeaseStore leases, JobLifecycle lifecycle, IBlobStore blobs, TimeProvider clock,
    IOptions<JobsOptions> options, ILogger<JobSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await SweepAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogSweepFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private const string FinishedAtSql = "marten.mt_immutable_timestamptz(data ->> 'finishedAt')";

    public async Task SweepAsync(CancellationToken cancellation)
    {
        foreach (var (jobId, attempt) in await leases.ExpiredAsync(100, cancellation))
        {
            await lifecycle.RequeueAsync(jobId, attempt, cancellation);
        }

        var cutoff = clock.GetUtcNow() - options.Value.OutputRetention;
        IReadOnlyList<Job> old;
        await using (var query = store.QuerySession())
        {
            // Literal status, same expression as the partial index of completed jobs: a range scan of
            // the expired ones instead of a filter over every completed job ever kept.
            old = await query.QueryAsync<Job>(
                $"where data ->> 'status' = '{JobStatus.Completed}' and {FinishedAtSql} < ? order by {FinishedAtSql} limit 100", cancellation, cutoff);
        }

        foreach (var job in old)
        {
            foreach (var output in job.Outputs)
            {
                await blobs.DeleteAsync(output.BlobKey, cancellation);
            }

            await lifecycle.ExpireAsync(job.Id, cancellation);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job sweep failed; trying again at the next interval")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
