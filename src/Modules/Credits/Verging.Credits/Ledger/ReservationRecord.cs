using Verging.Credits.Contracts;

namespace Verging.Credits.Ledger;

/// <summary>
/// How a reservation ended, kept after its hold leaves the ledger state, so that a redelivered
/// freeze, settle or release returns the first outcome instead of moving credits again.
/// </summary>
public sealed record ReservationRecord(
    Guid ReservationId, Guid AccountId, string Purpose, long Amount, ReservationEnd End, long Consumed, long Released, DateTimeOffset EndedAt)
{
    /// <summary>Document id: account and reservation, so one account's ids never answer for another's.</summary>
    public string Id => KeyFor(AccountId, ReservationId);

    public static string KeyFor(Guid accountId, Guid reservationId) => $"{accountId:N}:{reservationId:N}";

    public ReservationOutcome AsRepeat() => new(End, Consumed, Released, Repeated: true);
}

/// <summary>A one-shot ledger operation (grant, purchase, refund, adjustment) that has been applied, by its idempotency key.</summary>
public sealed record LedgerOperation(string OperationId, Guid AccountId, string Kind, long Amount, DateTimeOffset AppliedAt)
{
    /// <summary>Document id: account and operation id (the same grant id on two accounts is two grants).</summary>
    public string Id => KeyFor(AccountId, OperationId);

    public static string KeyFor(Guid accountId, string operationId) => $"{accountId:N}:{operationId}";
}
