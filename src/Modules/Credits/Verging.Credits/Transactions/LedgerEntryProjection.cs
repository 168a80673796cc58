using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Verging.Credits.Ledger;

namespace Verging.Credits.Transactions;

/// <summary>
/// Projects every ledger event that moves credits into a <see cref="LedgerEntry"/>, asynchronously
/// (Marten's daemon), keyed by the event's global sequence so a replay writes the same rows.
/// </summary>
public sealed partial class LedgerEntryProjection : EventProjection
{
    public override ValueTask ApplyAsync(IDocumentOperations operations, IEvent e, CancellationToken cancellation)
    {
        var entry = e.Data switch
        {
            CreditsGranted g => Entry(e, "grant", g.Amount, 0, g.BalanceAfter, g.FrozenAfter, null, null, g.Reason),
            CreditsPurchased p => Entry(e, "purchase", p.Amount, 0, p.BalanceAfter, p.FrozenAfter, null, null, $"{p.UsdCents / 100m:0.00} USD"),
            CreditsFrozen f => Entry(e, "freeze", 0, f.Amount, f.BalanceAfter, f.FrozenAfter, f.ReservationId, f.Purpose, null),
            CreditsSettled s => Entry(e, "settle", -s.Consumed, -(s.Consumed + s.Released), s.BalanceAfter, s.FrozenAfter, s.ReservationId, s.Purpose, null),
            CreditsReleased r => Entry(e, "release", 0, -r.Amount, r.BalanceAfter, r.FrozenAfter, r.ReservationId, r.Purpose, r.Reason),
            HoldExpired x => Entry(e, "expire", 0, -x.Amount, x.BalanceAfter, x.FrozenAfter, x.ReservationId, x.Purpose, "hold expired"),
            CreditsRefunded r => Entry(e, "refund", -r.Amount, 0, r.BalanceAfter, r.FrozenAfter, null, null, r.Reason),
            CreditsAdjusted a => Entry(e, "adjustment", a.Amount, 0, a.BalanceAfter, a.FrozenAfter, null, null, a.Reason),
            _ => null,
        };

        if (entry is not null)
        {
            operations.Store(entry);
        }

        return ValueTask.CompletedTask;
    }

    private static LedgerEntry Entry(
        IEvent e, string type, long amount, long frozenChange, long balanceAfter, long frozenAfter, Guid? reservation, string? purpose, string? reason) =>
        new(e.Sequence, e.StreamId, type, amount, frozenChange, balanceAfter, frozenAfter, reservation, purpose, reason, e.Timestamp);
}
