namespace Verging.Credits.Ledger;

// The events of one account's ledger stream. Every event that moves credits also records the
// balance and frozen amount after it: the transactions read model shows them as they were, and the
// audit checks each of them against a replay.

/// <summary>The account's ledger exists (first event of every stream).</summary>
public sealed record LedgerOpened(Guid AccountId, DateTimeOffset OpenedAt);

/// <summary>Credits given (admin grant, opening balance).</summary>
public sealed record CreditsGranted(long Amount, string Reason, string GrantId, long BalanceAfter, long FrozenAfter);

/// <summary>Credits bought ($10 = 530); <see cref="PaymentId"/> is the payment provider's event id.</summary>
public sealed record CreditsPurchased(long Amount, long UsdCents, string PaymentId, long BalanceAfter, long FrozenAfter);

/// <summary>Credits held for work that has not been billed yet.</summary>
public sealed record CreditsFrozen(Guid ReservationId, long Amount, string Purpose, DateTimeOffset ExpiresAt, long BalanceAfter, long FrozenAfter);

/// <summary>A hold ended by consuming <see cref="Consumed"/>; <see cref="Released"/> came back in the same event.</summary>
public sealed record CreditsSettled(Guid ReservationId, string Purpose, long Consumed, long Released, long BalanceAfter, long FrozenAfter);

/// <summary>A hold given back in full.</summary>
public sealed record CreditsReleased(Guid ReservationId, string Purpose, long Amount, string Reason, long BalanceAfter, long FrozenAfter);

/// <summary>A hold nobody settled in time, given back in full.</summary>
public sealed record HoldExpired(Guid ReservationId, string Purpose, long Amount, long BalanceAfter, long FrozenAfter);

/// <summary>Credits taken back because a purchase was refunded to the buyer.</summary>
public sealed record CreditsRefunded(long Amount, string Reason, string RefundId, long BalanceAfter, long FrozenAfter);

/// <summary>An administrator's correction, positive or negative, with a reason.</summary>
public sealed record CreditsAdjusted(long Amount, string Reason, string AdjustmentId, long BalanceAfter, long FrozenAfter);
