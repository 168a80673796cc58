namespace Verging.Credits.Ledger;

/// <summary>
/// What a command decided: the events to append (possibly none), the answer for the caller, and the
/// records that make a repeat of the command return the same answer.
/// </summary>
public sealed record Decision(
    IReadOnlyList<object> Events,
    object Outcome,
    ReservationRecord? EndedReservation = null,
    LedgerOperation? AppliedOperation = null)
{
    public static Decision Nothing(object outcome) => new([], outcome);
}

/// <summary>What is known about a command's idempotency id beyond the ledger state.</summary>
public sealed record PriorOutcome(ReservationRecord? Reservation, LedgerOperation? Operation)
{
    public static readonly PriorOutcome None = new(null, null);
}
