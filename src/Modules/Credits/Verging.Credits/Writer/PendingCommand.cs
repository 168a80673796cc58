namespace Verging.Credits.Writer;

/// <summary>A command waiting in a writer shard, and the caller waiting for its committed answer.</summary>
internal sealed class PendingCommand(Guid accountId, object command)
{
    public Guid AccountId { get; } = accountId;
    public object Command { get; } = command;
    public TaskCompletionSource<object> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
