using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Verging.Jobs.Domain;
using Verging.Jobs.Lifecycle;
using Verging.Jobs.Processing;
using Verging.SharedKernel.Blobs;

namespace Verging.Jobs.Running;

/// <summary>
/// Runs one job attempt in this process: claims it (JobStarted + lease), stages and measures the
/// inputs, refuses a video longer than declared, runs the processor while a pulse renews the lease
/// and records progress, stores the outputs and settles. Any failure releases the credits. If the
/// process stops mid-run the lease is simply not renewed: the sweeper queues the job again.
/// </summary>
public sealed partial class JobRunner(
    JobLifecycle lifecycle, LeaseStore leases, JobWorkspace workspace, IBlobStore blobs,
    IEnumerable<IJobProcessor> processors, RunningJobs running, IOptions<JobsOptions> options, ILogger<JobRunner> logger)
{
    private static readonly string WorkerPrefix = $"in-process:{Environment.MachineName}:{Environment.ProcessId}:";
    // The last registration of a type wins, so a deployment (or a test) can replace a baseline processor.
    private readonly Dictionary<string, IJobProcessor> _processors = processors.GroupBy(p => p.JobType).ToDictionary(g => g.Key, g => g.Last());

    public async Task RunAsync(Guid jobId, CancellationToken stopping)
    {
        // Types left to external workers, or without a processor here, stay pending for a worker that has one.
        var workerId = WorkerPrefix + Guid.NewGuid().ToString("N")[..8];
        var job = await lifecycle.TryStartAsync(jobId, workerId, null, stopping,
            eligible: waiting => !options.Value.ExternalOnlyTypes.Contains(waiting.JobType) && _processors.ContainsKey(waiting.JobType));
        if (job is null)
        {
            return;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        running.Add(jobId, stop);
        var progress = new LatestProgress();
        using var pulse = new CancellationTokenSource();
        var pulseTask = PulseAsync(job, workerId, progress, stop, pulse.Token);
        string? directory = null;
        try
        {
            var staged = await workspace.StageAsync(job, stop.Token);
            directory = staged.WorkDirectory;
            var measured = staged.Video?.DurationSeconds;
            if (measured is { } seconds && JobPricing.DurationProblem(job.DeclaredDurationSeconds, seconds) is { } problem)
            {
                await lifecycle.FailAsync(job, job.Attempt, problem, CancellationToken.None);
                return;
            }

            var input = new ProcessorInput(job.Id, staged.WorkDirectory, staged.VideoPath, staged.ImagePath, job.IsHd,
                measured ?? job.DeclaredDurationSeconds, job.Prompt);
            var result = await _processors[job.JobType].ProcessAsync(input, progress, stop.Token);
            var outputs = await StoreOutputsAsync(job, result, stop.Token);
            await pulse.CancelAsync();
            var finished = await lifecycle.SucceedAsync(job, job.Attempt, outputs, measured, CancellationToken.None);
            if (finished is not { Status: JobStatus.Completed })
            {
                await DeleteAsync(outputs);
            }
        }
        catch (Exception) when (stop.IsCancellationRequested)
        {
            // Stopping (the lease runs out and the job is queued again) or cancelled/lost (someone else records that).
            // Whatever the stop made fail (a killed ffmpeg, a closed pipe) is not the job's failure.
            LogStopped(logger, jobId, stopping.IsCancellationRequested ? "this instance is stopping" : "the job was cancelled or its lease lost");
        }
        catch (JobProcessingException e)
        {
            await lifecycle.FailAsync(job, job.Attempt, e.Message, CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogCrashed(logger, e, jobId, job.JobType);
            await lifecycle.FailAsync(job, job.Attempt, "Processing failed unexpectedly; the credits were released and the job can be retried", CancellationToken.None);
        }
        finally
        {
            await pulse.CancelAsync();
            await pulseTask;
            running.Remove(jobId);
            workspace.Release(directory);
        }
    }

    private async Task<IReadOnlyList<JobOutput>> StoreOutputsAsync(Job job, ProcessorResult result, CancellationToken cancellation)
    {
        var stored = new List<JobOutput>(result.Outputs.Count);
        foreach (var output in result.Outputs)
        {
            // The store may move the file in: the workspace is removed after the run anyway.
            var extension = Path.GetExtension(output.Path).TrimStart('.');
            var blob = await blobs.PutFileAsync($"jobs/{job.Id:N}", extension, output.Path, output.ContentType, cancellation);
            stored.Add(new JobOutput(output.Name, blob.Key, output.ContentType, blob.Size));
        }

        return stored;
    }

    private async Task DeleteAsync(IReadOnlyList<JobOutput> outputs)
    {
        foreach (var output in outputs)
        {
            await blobs.DeleteAsync(output.BlobKey, CancellationToken.None);
        }
    }

    /// <summary>Once a second: record new progress, renew the lease; a lost lease (cancelled, requeued) stops the run.</summary>
    private async Task PulseAsync(Job job, string workerId, LatestProgress progress, CancellationTokenSource stop, CancellationToken done)
    {
        var reported = 0;
        var interval = TimeSpan.FromMilliseconds(Math.Min(1000, options.Value.LeaseDuration.TotalMilliseconds / 3));
        try
        {
            using var timer = new PeriodicTimer(interval);
            while (await timer.WaitForNextTickAsync(done))
            {
                if (await leases.RenewAsync(job.Id, job.Attempt, workerId, done) is null)
                {
                    await stop.CancelAsync();
                    return;
                }

                var now = progress.Value;
                if (now > reported)
                {
                    await lifecycle.ProgressAsync(job.Id, job.Attempt, now, done);
                    reported = now;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The run ended.
        }
        catch (Exception e)
        {
            // A database hiccup must not kill the run; the lease may lapse and the job be queued again.
            LogPulseFailed(logger, e, job.Id);
        }
    }

    private sealed class LatestProgress : IProgress<int>
    {
        private int _value;
        public int Value => Volatile.Read(ref _value);
        public void Report(int value) => Volatile.Write(ref _value, Math.Clamp(value, 0, 99));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} stopped: {Why}")]
    private static partial void LogStopped(ILogger logger, Guid jobId, string why);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId} ({JobType}) crashed")]
    private static partial void LogCrashed(ILogger logger, Exception exception, Guid jobId, string jobType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lease pulse of job {JobId} failed")]
    private static partial void LogPulseFailed(ILogger logger, Exception exception, Guid jobId);
}
