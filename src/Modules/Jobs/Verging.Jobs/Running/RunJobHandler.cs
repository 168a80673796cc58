using Wolverine.Attributes;

namespace Verging.Jobs.Running;

/// <summary>Takes RunJob from the durable "jobs" queue (its parallelism is Jobs:Concurrency).</summary>
public static class RunJobHandler
{
    // Media jobs run for minutes; Wolverine's default 60 s execution timeout would cut them off.
    [MessageTimeout(6 * 60 * 60)]
    public static Task Handle(RunJob message, JobRunner runner, CancellationToken cancellation) =>
        runner.RunAsync(message.JobId, cancellation);
}
