namespace Verging.Credits.Ledger;

// Commands the Credits module gives itself; the public ones are in Verging.Credits.Contracts.

/// <summary>Opens an account's ledger (idempotent).</summary>
public sealed record OpenLedger(Guid AccountId);

/// <summary>Gives a hold back if it is due and has not ended first (sent by <see cref="ExpireDueHolds"/>'s handler; also what earlier versions scheduled per hold).</summary>
public sealed record ExpireHold(Guid AccountId, Guid ReservationId);

/// <summary>Scheduled with freezes: gives back every hold of the account that expired by <see cref="DueAt"/> and has not ended.</summary>
public sealed record ExpireDueHolds(Guid AccountId, DateTimeOffset DueAt);

/// <summary>Credits bought; <see cref="PaymentId"/> (the Stripe event id) makes it idempotent.</summary>
public sealed record PurchaseCredits(Guid AccountId, long Amount, long UsdCents, string PaymentId);

/// <summary>An administrator's signed correction; a negative one never takes more than is available.</summary>
public sealed record AdjustCredits(Guid AccountId, long Amount, string Reason, string AdjustmentId);

/// <summary>Takes back refunded credits, never more than is available.</summary>
public sealed record RefundCredits(Guid AccountId, long Amount, string Reason, string RefundId);

/// <summary>Answer to purchases, refunds and adjustments: how much really moved and the balance after.</summary>
public sealed record LedgerOperationOutcome(long Applied, long Balance, long Available, bool Repeated);

/// <summary>Answer to <see cref="ExpireHold"/>.</summary>
public sealed record ExpireOutcome(bool Expired, bool NotDueYet);
