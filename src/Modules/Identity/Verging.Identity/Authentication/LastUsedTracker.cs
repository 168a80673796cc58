using System.Collections.Concurrent;

namespace Verging.Identity.Authentication;

/// <summary>
/// Collects "this key was used now" in memory so authentication never writes to the database;
/// <see cref="LastUsedFlusher"/> writes the collected values in one batch every few seconds.
/// </summary>
public sealed class LastUsedTracker
{
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _pending = new();

    public void Touch(Guid apiKeyId, DateTimeOffset at) =>
        _pending.AddOrUpdate(apiKeyId, at, (_, previous) => at > previous ? at : previous);

    /// <summary>The newest use not yet written, so reads can show it before the flush.</summary>
    public DateTimeOffset? Pending(Guid apiKeyId) => _pending.TryGetValue(apiKeyId, out var at) ? at : null;

    /// <summary>Takes every pending value, leaving newer touches that race with the drain in place.</summary>
    public IReadOnlyList<(Guid ApiKeyId, DateTimeOffset At)> Drain()
    {
        var drained = new List<(Guid, DateTimeOffset)>();
        foreach (var (id, at) in _pending)
        {
            if (((ICollection<KeyValuePair<Guid, DateTimeOffset>>)_pending).Remove(new KeyValuePair<Guid, DateTimeOffset>(id, at)))
            {
                drained.Add((id, at));
            }
        }

        return drained;
    }
}
