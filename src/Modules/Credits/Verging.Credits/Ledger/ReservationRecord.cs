using Verging.Credits.Contracts;

namespace Verging.Credits.Ledger;

/// <summary>
/// How a reservation ended, kept after its hold leaves the ledger state, so that a redelivered
/// freeze, settle or release returns the first outcome instead of moving credits again.
/// </summary>
public sealed record ReservationRecord(
    Guid Id, Guid AccountId, string Purpose, long Amount, ReservationEnd End, long Consumed, long Released, DateTimeOffset EndedAt)
{
    public ReservationOutcome AsRepeat() => new(End, Consumed, Released, Repeated: true);
}

/// <summary>A one-shot ledger operation (grant, purchase, refund, adjustment) that has been applied, by its idempotency key.</summary>
public sealed record LedgerOperation(string Id, Guid AccountId, string Kind, long Amount, DateTimeOffset AppliedAt);
