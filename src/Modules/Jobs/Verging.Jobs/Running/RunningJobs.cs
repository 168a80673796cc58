using System.Collections.Concurrent;

namespace Verging.Jobs.Running;

/// <summary>The attempts this instance is processing, so a cancel can stop its ffmpeg at once.</summary>
public sealed class RunningJobs
{
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _running = new();

    public void Add(Guid jobId, CancellationTokenSource stop) => _running[jobId] = stop;

    public void Remove(Guid jobId) => _running.TryRemove(jobId, out _);

    public void Stop(Guid jobId)
    {
        if (_running.TryGetValue(jobId, out var stop))
        {
            try
            {
                stop.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // It finished meanwhile.
            }
        }
    }
}
