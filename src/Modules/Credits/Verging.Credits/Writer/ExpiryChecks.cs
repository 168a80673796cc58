using System.Collections.Concurrent;

namespace Verging.Credits.Writer;

/// <summary>
/// Which freezes schedule an <see cref="Ledger.ExpireDueHolds"/> check (a Wolverine scheduled
/// message, committed with the freeze). A short hold gets a check at its own expiry. Long holds of
/// one account share one check per <see cref="Bucket"/>: a busy account freezing a thousand chat
/// holds a second schedules one message per ten seconds instead of a thousand scheduled envelopes a
/// second, each a row to write, poll and later run as a no-op (ADR 0016). The price: a long hold
/// comes back up to one bucket after its expiry. What this instance has scheduled is remembered in
/// memory only; another instance or a restart schedules its own, and a second check finds nothing.
/// </summary>
internal sealed class ExpiryChecks
{
    /// <summary>Holds shorter than this get a check of their own, exactly at their expiry.</summary>
    public static readonly TimeSpan ShortHold = TimeSpan.FromMinutes(1);

    public static readonly TimeSpan Bucket = TimeSpan.FromSeconds(10);

    private const int MaxRemembered = 100_000;

    private readonly ConcurrentDictionary<(Guid Account, DateTimeOffset Due), byte> _scheduled = new();

    /// <summary>
    /// When to check the hold's account, or null when a check is already scheduled for it (by a
    /// committed batch, or earlier in <paramref name="batch"/>, which collects this batch's checks).
    /// A long hold's check is always more than <see cref="ShortHold"/> away when decided, so it cannot
    /// have run before the batch that relies on it commits.
    /// </summary>
    public DateTimeOffset? DueFor(Guid account, DateTimeOffset expiresAt, DateTimeOffset now, HashSet<(Guid Account, DateTimeOffset Due)> batch)
    {
        if (expiresAt - now <= ShortHold)
        {
            return expiresAt;
        }

        var due = new DateTimeOffset((expiresAt.UtcTicks + Bucket.Ticks - 1) / Bucket.Ticks * Bucket.Ticks, TimeSpan.Zero);
        return _scheduled.ContainsKey((account, due)) || !batch.Add((account, due)) ? null : due;
    }

    /// <summary>Remembers the checks of a committed batch; forgets those in the past when there are many.</summary>
    public void Committed(HashSet<(Guid Account, DateTimeOffset Due)> batch, DateTimeOffset now)
    {
        foreach (var check in batch)
        {
            _scheduled[check] = 0;
        }

        if (_scheduled.Count > MaxRemembered)
        {
            foreach (var check in _scheduled.Keys.Where(c => c.Due < now))
            {
                _scheduled.TryRemove(check, out _);
            }
        }
    }
}
