namespace Verging.Jobs.Running;

/// <summary>
/// "Run this job if it is still waiting": sent through the outbox to the durable local queue
/// <see cref="QueueName"/>. A repeat is harmless: only a pending job can be started.
/// </summary>
public sealed record RunJob(Guid JobId)
{
    public const string QueueName = "jobs";
}
