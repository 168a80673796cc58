namespace Verging.Credits.Ledger;

// Commands the Credits module gives itself; the public ones are in Verging.Credits.Contracts.

/// <summary>Opens an account's ledger (idempotent).</summary>
public sealed record OpenLedger(Guid AccountId);

/// <summary>Scheduled at a hold's expiry: gives it back unless it ended first.</summary>
public sealed record ExpireHold(Guid AccountId, Guid ReservationId);

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
