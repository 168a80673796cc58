using Verging.Credits.Contracts;

namespace Verging.Credits.Ledger;

/// <summary>
/// The ledger's rules as one pure function of (state, command, what is known of its idempotency id,
/// now): no I/O, no clock, no randomness. The writer loads, calls this, and appends.
/// Invariants kept here: available never goes below zero; a reservation ends exactly once; a settle
/// never consumes more than was held and releases the rest in the same event.
/// </summary>
public static class LedgerDecider
{
    public static Decision Decide(Ledger? state, object command, PriorOutcome prior, DateTimeOffset now, HoldPolicy holds) => command switch
    {
        OpenLedger c => Open(state, c, now),
        FreezeCredits c => Freeze(state, c, prior, now, holds),
        SettleCredits c => Settle(state, c, prior, now),
        ReleaseCredits c => Release(state, c, prior, now),
        ExpireHold c => Expire(state, c, prior, now),
        GrantCredits c => Grant(state, c, prior, now),
        PurchaseCredits c => Purchase(state, c, prior, now),
        AdjustCredits c => Adjust(state, c, prior, now),
        RefundCredits c => Refund(state, c, prior, now),
        _ => throw new ArgumentException($"Not a ledger command: {command.GetType().Name}", nameof(command)),
    };

    private static Decision Open(Ledger? state, OpenLedger c, DateTimeOffset now) =>
        state is null ? new Decision([new LedgerOpened(c.AccountId, now)], true) : Decision.Nothing(false);

    private static Decision Freeze(Ledger? state, FreezeCredits c, PriorOutcome prior, DateTimeOffset now, HoldPolicy holds)
    {
        var ledger = state ?? Ledger.Empty(c.AccountId);
        if (ledger.Holds.TryGetValue(c.ReservationId, out var existing))
        {
            // A redelivery of the same command: the same answer (required as first computed).
            return Decision.Nothing(new FreezeOutcome(FreezeStatus.Frozen, existing.Amount, Math.Max(c.Amount, c.MinimumAvailable), ledger.Available, existing.ExpiresAt));
        }

        if (prior.Reservation is not null)
        {
            return Decision.Nothing(new FreezeOutcome(FreezeStatus.AlreadyEnded, 0, c.Amount, ledger.Available, null));
        }

        var required = Math.Max(c.Amount, c.MinimumAvailable);
        if (ledger.Available < required)
        {
            return Decision.Nothing(new FreezeOutcome(FreezeStatus.Insufficient, 0, required, ledger.Available, null));
        }

        var expiresAt = now + holds.TtlFor(c.Purpose);
        var events = new List<object>(2);
        if (state is null)
        {
            events.Add(new LedgerOpened(c.AccountId, now));
        }

        events.Add(new CreditsFrozen(c.ReservationId, c.Amount, c.Purpose, expiresAt, ledger.Balance, ledger.Frozen + c.Amount));
        return new Decision(events, new FreezeOutcome(FreezeStatus.Frozen, c.Amount, required, ledger.Available - c.Amount, expiresAt));
    }

    private static Decision Settle(Ledger? state, SettleCredits c, PriorOutcome prior, DateTimeOffset now)
    {
        if (state is null || !state.Holds.TryGetValue(c.ReservationId, out var hold))
        {
            return Ended(prior);
        }

        var consumed = Math.Clamp(c.Consumed, 0, hold.Amount);
        var released = hold.Amount - consumed;
        var settled = new CreditsSettled(c.ReservationId, hold.Purpose, consumed, released, state.Balance - consumed, state.Frozen - hold.Amount);
        return new Decision(
            [settled],
            new ReservationOutcome(ReservationEnd.Settled, consumed, released, Repeated: false),
            new ReservationRecord(c.ReservationId, c.AccountId, hold.Purpose, hold.Amount, ReservationEnd.Settled, consumed, released, now));
    }

    private static Decision Release(Ledger? state, ReleaseCredits c, PriorOutcome prior, DateTimeOffset now)
    {
        if (state is null || !state.Holds.TryGetValue(c.ReservationId, out var hold))
        {
            return Ended(prior);
        }

        var reason = string.IsNullOrWhiteSpace(c.Reason) ? "released" : c.Reason;
        return new Decision(
            [new CreditsReleased(c.ReservationId, hold.Purpose, hold.Amount, reason, state.Balance, state.Frozen - hold.Amount)],
            new ReservationOutcome(ReservationEnd.Released, 0, hold.Amount, Repeated: false),
            new ReservationRecord(c.ReservationId, c.AccountId, hold.Purpose, hold.Amount, ReservationEnd.Released, 0, hold.Amount, now));
    }

    private static Decision Expire(Ledger? state, ExpireHold c, PriorOutcome prior, DateTimeOffset now)
    {
        if (state is null || !state.Holds.TryGetValue(c.ReservationId, out var hold))
        {
            return Decision.Nothing(new ExpireOutcome(Expired: false, NotDueYet: false));
        }

        if (now < hold.ExpiresAt)
        {
            return Decision.Nothing(new ExpireOutcome(Expired: false, NotDueYet: true));
        }

        return new Decision(
            [new HoldExpired(c.ReservationId, hold.Purpose, hold.Amount, state.Balance, state.Frozen - hold.Amount)],
            new ExpireOutcome(Expired: true, NotDueYet: false),
            new ReservationRecord(c.ReservationId, c.AccountId, hold.Purpose, hold.Amount, ReservationEnd.Expired, 0, hold.Amount, now));
    }

    private static Decision Grant(Ledger? state, GrantCredits c, PriorOutcome prior, DateTimeOffset now)
    {
        var ledger = state ?? Ledger.Empty(c.AccountId);
        if (prior.Operation is not null)
        {
            return Decision.Nothing(new GrantOutcome(ledger.Balance, Repeated: true));
        }

        var events = Opening(state, c.AccountId, now);
        events.Add(new CreditsGranted(c.Amount, c.Reason, c.GrantId, ledger.Balance + c.Amount, ledger.Frozen));
        return new Decision(events, new GrantOutcome(ledger.Balance + c.Amount, Repeated: false),
            AppliedOperation: new LedgerOperation(c.GrantId, c.AccountId, "grant", c.Amount, now));
    }

    private static Decision Purchase(Ledger? state, PurchaseCredits c, PriorOutcome prior, DateTimeOffset now)
    {
        var ledger = state ?? Ledger.Empty(c.AccountId);
        if (prior.Operation is not null)
        {
            return Decision.Nothing(new LedgerOperationOutcome(prior.Operation.Amount, ledger.Balance, ledger.Available, Repeated: true));
        }

        var events = Opening(state, c.AccountId, now);
        events.Add(new CreditsPurchased(c.Amount, c.UsdCents, c.PaymentId, ledger.Balance + c.Amount, ledger.Frozen));
        return new Decision(events, new LedgerOperationOutcome(c.Amount, ledger.Balance + c.Amount, ledger.Available + c.Amount, Repeated: false),
            AppliedOperation: new LedgerOperation(c.PaymentId, c.AccountId, "purchase", c.Amount, now));
    }

    private static Decision Adjust(Ledger? state, AdjustCredits c, PriorOutcome prior, DateTimeOffset now)
    {
        var ledger = state ?? Ledger.Empty(c.AccountId);
        if (prior.Operation is not null)
        {
            return Decision.Nothing(new LedgerOperationOutcome(prior.Operation.Amount, ledger.Balance, ledger.Available, Repeated: true));
        }

        // A negative correction takes at most what is available: held credits belong to running work.
        var applied = c.Amount >= 0 ? c.Amount : -Math.Min(-c.Amount, ledger.Available);
        var events = Opening(state, c.AccountId, now);
        events.Add(new CreditsAdjusted(applied, c.Reason, c.AdjustmentId, ledger.Balance + applied, ledger.Frozen));
        return new Decision(events, new LedgerOperationOutcome(applied, ledger.Balance + applied, ledger.Available + applied, Repeated: false),
            AppliedOperation: new LedgerOperation(c.AdjustmentId, c.AccountId, "adjustment", applied, now));
    }

    private static Decision Refund(Ledger? state, RefundCredits c, PriorOutcome prior, DateTimeOffset now)
    {
        var ledger = state ?? Ledger.Empty(c.AccountId);
        if (prior.Operation is not null)
        {
            return Decision.Nothing(new LedgerOperationOutcome(prior.Operation.Amount, ledger.Balance, ledger.Available, Repeated: true));
        }

        var applied = Math.Min(c.Amount, ledger.Available);
        var events = Opening(state, c.AccountId, now);
        events.Add(new CreditsRefunded(applied, c.Reason, c.RefundId, ledger.Balance - applied, ledger.Frozen));
        return new Decision(events, new LedgerOperationOutcome(applied, ledger.Balance - applied, ledger.Available - applied, Repeated: false),
            AppliedOperation: new LedgerOperation(c.RefundId, c.AccountId, "refund", applied, now));
    }

    private static Decision Ended(PriorOutcome prior) =>
        Decision.Nothing(prior.Reservation?.AsRepeat() ?? new ReservationOutcome(ReservationEnd.Unknown, 0, 0, Repeated: false));

    private static List<object> Opening(Ledger? state, Guid accountId, DateTimeOffset now) =>
        state is null ? [new LedgerOpened(accountId, now)] : [];
}
