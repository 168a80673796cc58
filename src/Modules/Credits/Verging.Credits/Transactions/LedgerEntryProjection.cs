using Verging.Credits.Ledger;

namespace Verging.Credits.Transactions;

/// <summary>
/// Projects every ledger event that moves credits into a <see cref="LedgerEntry"/>, keyed by the
/// event's global sequence so a replay writes the same rows. The ledger writer applies it inline,
/// in the transaction that appends the events (ADR 0014); the rebuild applies it to the stored events.
/// </summary>
public static class LedgerEntryProjection
{
    /// <summary>The history row of one event, or null for an event that moves nothing (the ledger's opening).</summary>
    public static LedgerEntry? EntryFor(long sequence, Guid accountId, object data, DateTimeOffset at)
    {
        LedgerEntry Entry(string type, long amount, long frozenChange, long balanceAfter, long frozenAfter, Guid? reservation, string? purpose, string? reason) =>
            new(sequence, accountId, type, amount, frozenChange, balanceAfter, frozenAfter, reservation, purpose, reason, at);

        return data switch
        {
            CreditsGranted g => Entry("grant", g.Amount, 0, g.BalanceAfter, g.FrozenAfter, null, null, g.Reason),
            CreditsPurchased p => Entry("purchase", p.Amount, 0, p.BalanceAfter, p.FrozenAfter, null, null, $"{p.UsdCents / 100m:0.00} USD"),
            CreditsFrozen f => Entry("freeze", 0, f.Amount, f.BalanceAfter, f.FrozenAfter, f.ReservationId, f.Purpose, null),
            CreditsSettled s => Entry("settle", -s.Consumed, -(s.Consumed + s.Released), s.BalanceAfter, s.FrozenAfter, s.ReservationId, s.Purpose, null),
            CreditsReleased r => Entry("release", 0, -r.Amount, r.BalanceAfter, r.FrozenAfter, r.ReservationId, r.Purpose, r.Reason),
            HoldExpired x => Entry("expire", 0, -x.Amount, x.BalanceAfter, x.FrozenAfter, x.ReservationId, x.Purpose, "hold expired"),
            CreditsRefunded r => Entry("refund", -r.Amount, 0, r.BalanceAfter, r.FrozenAfter, null, null, r.Reason),
            CreditsAdjusted a => Entry("adjustment", a.Amount, 0, a.BalanceAfter, a.FrozenAfter, null, null, a.Reason),
            _ => null,
        };
    }
}
