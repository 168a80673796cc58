using CsCheck;
using Verging.Credits.Contracts;
using Verging.Credits.Ledger;

namespace Verging.UnitTests.Credits;

/// <summary>
/// The ledger's rules, tested on the pure decider: no database, no clock, so every rule can be
/// pinned to exact numbers. The writer only loads, decides and appends, so a rule broken here is
/// broken in production.
/// </summary>
public sealed class LedgerDeciderTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid Account = Guid.Parse("0196a1b2-0000-7000-8000-000000000001");
    private static readonly HoldPolicy Policy = new();

    [Fact]
    public void The_first_command_on_a_null_ledger_opens_it_before_anything_else()
    {
        var decision = LedgerDecider.Decide(null, new GrantCredits(Account, 10, "welcome", "g1"), PriorOutcome.None, Now, Policy);

        decision.Events.Count.ShouldBe(2);
        decision.Events[0].ShouldBe(new LedgerOpened(Account, Now));
        decision.Events[1].ShouldBe(new CreditsGranted(10, "welcome", "g1", 10, 0));
        decision.Outcome.ShouldBe(new GrantOutcome(10, Repeated: false));
        decision.AppliedOperation.ShouldBe(new LedgerOperation("g1", Account, "grant", 10, Now));
        Replay(decision.Events).Balance.ShouldBe(10);
    }

    [Fact]
    public void Opening_a_null_ledger_emits_LedgerOpened_and_opening_it_again_emits_nothing()
    {
        var opened = LedgerDecider.Decide(null, new OpenLedger(Account), PriorOutcome.None, Now, Policy);
        opened.Events.ShouldBe([new LedgerOpened(Account, Now)]);
        opened.Outcome.ShouldBe(true);

        var again = LedgerDecider.Decide(Replay(opened.Events), new OpenLedger(Account), PriorOutcome.None, Now, Policy);
        again.Events.ShouldBeEmpty();
        again.Outcome.ShouldBe(false);
    }

    [Fact]
    public void A_freeze_within_available_holds_the_amount_with_the_purpose_ttl()
    {
        var ledger = LedgerWith(100);
        var reservation = Guid.NewGuid();

        var decision = LedgerDecider.Decide(ledger, new FreezeCredits(Account, reservation, 30, "chat"), PriorOutcome.None, Now, Policy);

        var expiresAt = Now + TimeSpan.FromMinutes(15);
        decision.Events.ShouldBe([new CreditsFrozen(reservation, 30, "chat", expiresAt, 100, 30)]);
        decision.Outcome.ShouldBe(new FreezeOutcome(FreezeStatus.Frozen, 30, 30, 70, expiresAt));
        var after = Fold(ledger, decision.Events);
        (after.Balance, after.Frozen, after.Available).ShouldBe((100L, 30L, 70L));
    }

    [Fact]
    public void A_freeze_of_exactly_the_available_amount_is_allowed()
    {
        var decision = LedgerDecider.Decide(LedgerWith(30), new FreezeCredits(Account, Guid.NewGuid(), 30, "chat"), PriorOutcome.None, Now, Policy);
        ((FreezeOutcome)decision.Outcome).Status.ShouldBe(FreezeStatus.Frozen);
        ((FreezeOutcome)decision.Outcome).Available.ShouldBe(0);
    }

    [Fact]
    public void A_freeze_over_available_holds_nothing_and_says_what_was_needed()
    {
        var ledger = Freeze(LedgerWith(10), Guid.NewGuid(), 6);

        var decision = LedgerDecider.Decide(ledger, new FreezeCredits(Account, Guid.NewGuid(), 5, "chat"), PriorOutcome.None, Now, Policy);

        decision.Events.ShouldBeEmpty();
        decision.Outcome.ShouldBe(new FreezeOutcome(FreezeStatus.Insufficient, 0, 5, 4, null));
    }

    [Fact]
    public void MinimumAvailable_refuses_a_small_freeze_when_less_than_the_minimum_is_available()
    {
        var decision = LedgerDecider.Decide(LedgerWith(4), new FreezeCredits(Account, Guid.NewGuid(), 1, "chat", MinimumAvailable: 5), PriorOutcome.None, Now, Policy);

        decision.Events.ShouldBeEmpty();
        decision.Outcome.ShouldBe(new FreezeOutcome(FreezeStatus.Insufficient, 0, 5, 4, null));
    }

    [Fact]
    public void MinimumAvailable_met_holds_only_the_amount()
    {
        var decision = LedgerDecider.Decide(LedgerWith(5), new FreezeCredits(Account, Guid.NewGuid(), 1, "chat", MinimumAvailable: 5), PriorOutcome.None, Now, Policy);

        var outcome = (FreezeOutcome)decision.Outcome;
        outcome.Status.ShouldBe(FreezeStatus.Frozen);
        outcome.Amount.ShouldBe(1);
        outcome.Available.ShouldBe(4);
    }

    [Fact]
    public void A_repeated_freeze_of_an_active_hold_returns_the_same_hold_and_moves_nothing()
    {
        var reservation = Guid.NewGuid();
        var command = new FreezeCredits(Account, reservation, 30, "chat");
        var first = LedgerDecider.Decide(LedgerWith(100), command, PriorOutcome.None, Now, Policy);
        var ledger = Fold(LedgerWith(100), first.Events);

        // Later, with the clock moved on: the hold keeps its first expiry.
        var again = LedgerDecider.Decide(ledger, command, PriorOutcome.None, Now.AddMinutes(3), Policy);

        again.Events.ShouldBeEmpty();
        var (one, two) = ((FreezeOutcome)first.Outcome, (FreezeOutcome)again.Outcome);
        two.Status.ShouldBe(FreezeStatus.Frozen);
        two.Amount.ShouldBe(one.Amount);
        two.Available.ShouldBe(one.Available);
        two.ExpiresAt.ShouldBe(one.ExpiresAt);
    }

    [Fact]
    public void A_freeze_of_an_ended_reservation_is_AlreadyEnded_and_holds_nothing()
    {
        var reservation = Guid.NewGuid();
        var ledger = LedgerWith(100);
        var prior = new PriorOutcome(new ReservationRecord(reservation, Account, "chat", 30, ReservationEnd.Settled, 10, 20, Now), null);

        var decision = LedgerDecider.Decide(ledger, new FreezeCredits(Account, reservation, 30, "chat"), prior, Now, Policy);

        decision.Events.ShouldBeEmpty();
        decision.Outcome.ShouldBe(new FreezeOutcome(FreezeStatus.AlreadyEnded, 0, 30, 100, null));
    }

    [Fact]
    public void A_settle_consumes_part_and_releases_the_rest_in_the_same_event()
    {
        var reservation = Guid.NewGuid();
        var ledger = Freeze(Freeze(LedgerWith(100), Guid.NewGuid(), 5), reservation, 30);

        var decision = LedgerDecider.Decide(ledger, new SettleCredits(Account, reservation, 12), PriorOutcome.None, Now, Policy);

        decision.Events.ShouldBe([new CreditsSettled(reservation, "chat", 12, 18, 88, 5)]);
        decision.Outcome.ShouldBe(new ReservationOutcome(ReservationEnd.Settled, 12, 18, Repeated: false));
        decision.EndedReservation.ShouldBe(new ReservationRecord(reservation, Account, "chat", 30, ReservationEnd.Settled, 12, 18, Now));
        var after = Fold(ledger, decision.Events);
        (after.Balance, after.Frozen, after.Available).ShouldBe((88L, 5L, 83L));
        after.Holds.ContainsKey(reservation).ShouldBeFalse();
    }

    [Theory]
    [InlineData(31, 30, 0)]
    [InlineData(1000, 30, 0)]
    [InlineData(-5, 0, 30)]
    [InlineData(0, 0, 30)]
    [InlineData(30, 30, 0)]
    public void A_settle_consumes_at_most_the_hold_and_never_a_negative_amount(long asked, long consumed, long released)
    {
        var reservation = Guid.NewGuid();
        var ledger = Freeze(LedgerWith(100), reservation, 30);

        var decision = LedgerDecider.Decide(ledger, new SettleCredits(Account, reservation, asked), PriorOutcome.None, Now, Policy);

        decision.Events.ShouldBe([new CreditsSettled(reservation, "chat", consumed, released, 100 - consumed, 0)]);
        decision.Outcome.ShouldBe(new ReservationOutcome(ReservationEnd.Settled, consumed, released, Repeated: false));
        Fold(ledger, decision.Events).Balance.ShouldBe(100 - consumed);
    }

    [Fact]
    public void A_release_gives_the_whole_hold_back()
    {
        var reservation = Guid.NewGuid();
        var ledger = Freeze(LedgerWith(100), reservation, 30);

        var decision = LedgerDecider.Decide(ledger, new ReleaseCredits(Account, reservation, " "), PriorOutcome.None, Now, Policy);

        // A blank reason is recorded as "released" so the ledger always says why.
        decision.Events.ShouldBe([new CreditsReleased(reservation, "chat", 30, "released", 100, 0)]);
        decision.Outcome.ShouldBe(new ReservationOutcome(ReservationEnd.Released, 0, 30, Repeated: false));
        decision.EndedReservation!.End.ShouldBe(ReservationEnd.Released);
        Fold(ledger, decision.Events).Available.ShouldBe(100);
    }

    [Fact]
    public void A_repeated_settle_or_release_returns_the_first_ending_and_moves_nothing()
    {
        var reservation = Guid.NewGuid();
        var ledger = Freeze(LedgerWith(100), reservation, 30);
        var first = LedgerDecider.Decide(ledger, new SettleCredits(Account, reservation, 12), PriorOutcome.None, Now, Policy);
        var after = Fold(ledger, first.Events);
        var prior = new PriorOutcome(first.EndedReservation, null);

        var settleAgain = LedgerDecider.Decide(after, new SettleCredits(Account, reservation, 30), prior, Now, Policy);
        var release = LedgerDecider.Decide(after, new ReleaseCredits(Account, reservation, "late"), prior, Now, Policy);

        var expected = new ReservationOutcome(ReservationEnd.Settled, 12, 18, Repeated: true);
        settleAgain.Events.ShouldBeEmpty();
        settleAgain.Outcome.ShouldBe(expected);
        settleAgain.EndedReservation.ShouldBeNull();
        release.Events.ShouldBeEmpty();
        release.Outcome.ShouldBe(expected);
    }

    [Fact]
    public void A_settle_after_an_expiry_answers_Expired_as_a_repeat()
    {
        var reservation = Guid.NewGuid();
        var ledger = Freeze(LedgerWith(100), reservation, 30);
        var expired = LedgerDecider.Decide(ledger, new ExpireHold(Account, reservation), PriorOutcome.None, Now.AddHours(1), Policy);

        var settle = LedgerDecider.Decide(Fold(ledger, expired.Events), new SettleCredits(Account, reservation, 5), new PriorOutcome(expired.EndedReservation, null), Now, Policy);

        settle.Events.ShouldBeEmpty();
        settle.Outcome.ShouldBe(new ReservationOutcome(ReservationEnd.Expired, 0, 30, Repeated: true));
    }

    [Fact]
    public void A_settle_of_an_unknown_reservation_is_Unknown()
    {
        var decision = LedgerDecider.Decide(LedgerWith(10), new SettleCredits(Account, Guid.NewGuid(), 1), PriorOutcome.None, Now, Policy);
        decision.Events.ShouldBeEmpty();
        decision.Outcome.ShouldBe(new ReservationOutcome(ReservationEnd.Unknown, 0, 0, Repeated: false));

        var onNull = LedgerDecider.Decide(null, new ReleaseCredits(Account, Guid.NewGuid(), "x"), PriorOutcome.None, Now, Policy);
        onNull.Events.ShouldBeEmpty();
        onNull.Outcome.ShouldBe(new ReservationOutcome(ReservationEnd.Unknown, 0, 0, Repeated: false));
    }

    [Fact]
    public void An_expiry_that_is_not_due_yet_moves_nothing()
    {
        var reservation = Guid.NewGuid();
        var ledger = Freeze(LedgerWith(100), reservation, 30);

        var early = LedgerDecider.Decide(ledger, new ExpireHold(Account, reservation), PriorOutcome.None, Now + TimeSpan.FromMinutes(15) - TimeSpan.FromTicks(1), Policy);

        early.Events.ShouldBeEmpty();
        early.Outcome.ShouldBe(new ExpireOutcome(Expired: false, NotDueYet: true));
        early.EndedReservation.ShouldBeNull();
    }

    [Fact]
    public void A_due_expiry_gives_the_hold_back_and_records_it_as_Expired()
    {
        var reservation = Guid.NewGuid();
        var ledger = Freeze(LedgerWith(100), reservation, 30);
        var due = Now + TimeSpan.FromMinutes(15);

        var decision = LedgerDecider.Decide(ledger, new ExpireHold(Account, reservation), PriorOutcome.None, due, Policy);

        decision.Events.ShouldBe([new HoldExpired(reservation, "chat", 30, 100, 0)]);
        decision.Outcome.ShouldBe(new ExpireOutcome(Expired: true, NotDueYet: false));
        decision.EndedReservation.ShouldBe(new ReservationRecord(reservation, Account, "chat", 30, ReservationEnd.Expired, 0, 30, due));
        Fold(ledger, decision.Events).Available.ShouldBe(100);

        var again = LedgerDecider.Decide(Fold(ledger, decision.Events), new ExpireHold(Account, reservation), PriorOutcome.None, due, Policy);
        again.Events.ShouldBeEmpty();
        again.Outcome.ShouldBe(new ExpireOutcome(Expired: false, NotDueYet: false));
    }

    [Fact]
    public void A_repeated_grant_id_adds_nothing()
    {
        var ledger = LedgerWith(100);
        var prior = new PriorOutcome(null, new LedgerOperation("g1", Account, "grant", 50, Now));

        var decision = LedgerDecider.Decide(ledger, new GrantCredits(Account, 50, "again", "g1"), prior, Now, Policy);

        decision.Events.ShouldBeEmpty();
        decision.AppliedOperation.ShouldBeNull();
        ((GrantOutcome)decision.Outcome).Repeated.ShouldBeTrue();
    }

    [Fact]
    public void A_purchase_adds_credits_once_and_a_repeat_answers_the_first_amount()
    {
        var ledger = LedgerWith(100);
        var first = LedgerDecider.Decide(ledger, new PurchaseCredits(Account, 530, 1000, "evt_1"), PriorOutcome.None, Now, Policy);
        first.Events.ShouldBe([new CreditsPurchased(530, 1000, "evt_1", 630, 0)]);
        first.Outcome.ShouldBe(new LedgerOperationOutcome(530, 630, 630, Repeated: false));

        var after = Fold(ledger, first.Events);
        var again = LedgerDecider.Decide(after, new PurchaseCredits(Account, 999, 1000, "evt_1"), new PriorOutcome(null, first.AppliedOperation), Now, Policy);
        again.Events.ShouldBeEmpty();
        again.Outcome.ShouldBe(new LedgerOperationOutcome(530, 630, 630, Repeated: true));
    }

    [Fact]
    public void A_negative_adjustment_takes_at_most_what_is_available()
    {
        var ledger = Freeze(LedgerWith(100), Guid.NewGuid(), 70);

        var decision = LedgerDecider.Decide(ledger, new AdjustCredits(Account, -50, "correction", "adj1"), PriorOutcome.None, Now, Policy);

        decision.Events.ShouldBe([new CreditsAdjusted(-30, "correction", "adj1", 70, 70)]);
        decision.Outcome.ShouldBe(new LedgerOperationOutcome(-30, 70, 0, Repeated: false));
        decision.AppliedOperation!.Amount.ShouldBe(-30);
        Fold(ledger, decision.Events).Available.ShouldBe(0);
    }

    [Fact]
    public void A_positive_adjustment_adds_and_a_repeated_adjustment_id_adds_nothing()
    {
        var ledger = LedgerWith(10);
        var first = LedgerDecider.Decide(ledger, new AdjustCredits(Account, 5, "goodwill", "adj2"), PriorOutcome.None, Now, Policy);
        first.Events.ShouldBe([new CreditsAdjusted(5, "goodwill", "adj2", 15, 0)]);

        var again = LedgerDecider.Decide(Fold(ledger, first.Events), new AdjustCredits(Account, 5, "goodwill", "adj2"), new PriorOutcome(null, first.AppliedOperation), Now, Policy);
        again.Events.ShouldBeEmpty();
        again.Outcome.ShouldBe(new LedgerOperationOutcome(5, 15, 15, Repeated: true));
    }

    [Fact]
    public void A_refund_takes_at_most_what_is_available_and_only_once()
    {
        var ledger = Freeze(LedgerWith(100), Guid.NewGuid(), 60);

        var first = LedgerDecider.Decide(ledger, new RefundCredits(Account, 530, "chargeback", "re_1"), PriorOutcome.None, Now, Policy);

        first.Events.ShouldBe([new CreditsRefunded(40, "chargeback", "re_1", 60, 60)]);
        first.Outcome.ShouldBe(new LedgerOperationOutcome(40, 60, 0, Repeated: false));
        var after = Fold(ledger, first.Events);
        after.Available.ShouldBe(0);

        var again = LedgerDecider.Decide(after, new RefundCredits(Account, 530, "chargeback", "re_1"), new PriorOutcome(null, first.AppliedOperation), Now, Policy);
        again.Events.ShouldBeEmpty();
        again.Outcome.ShouldBe(new LedgerOperationOutcome(40, 60, 0, Repeated: true));
    }

    [Fact]
    public void Random_command_sequences_never_make_available_negative_and_frozen_always_equals_the_holds()
    {
        // Few reservation and operation ids, so repeats, late settles and re-freezes of ended
        // reservations are common; time moves forward so expiries are sometimes due.
        var reservations = Enumerable.Range(1, 6).Select(i => Guid.Parse($"0196a1b2-0000-7000-8000-00000000010{i}")).ToArray();
        var reservation = Gen.Int[0, reservations.Length - 1].Select(i => reservations[i]);
        var operationId = Gen.Int[1, 4].Select(i => $"op{i}");
        var purpose = Gen.OneOf("chat", "face-swap", "unlisted");
        var command = Gen.Frequency(
            (2, Gen.Select(Gen.Long[1, 50], operationId, (a, id) => (object)new GrantCredits(Account, a, "grant", "g" + id))),
            (1, Gen.Select(Gen.Long[1, 50], operationId, (a, id) => (object)new PurchaseCredits(Account, a, a * 2, "p" + id))),
            (1, Gen.Select(Gen.Long[-60, 60], operationId, (a, id) => (object)new AdjustCredits(Account, a == 0 ? 1 : a, "fix", "a" + id))),
            (1, Gen.Select(Gen.Long[1, 60], operationId, (a, id) => (object)new RefundCredits(Account, a, "refund", "r" + id))),
            (5, Gen.Select(reservation, Gen.Long[1, 40], purpose, Gen.Long[0, 20], (r, a, p, m) => (object)new FreezeCredits(Account, r, a, p, m))),
            (3, Gen.Select(reservation, Gen.Long[0, 60], (r, c) => (object)new SettleCredits(Account, r, c))),
            (2, Gen.Select(reservation, r => (object)new ReleaseCredits(Account, r, "cancel"))),
            (2, Gen.Select(reservation, r => (object)new ExpireHold(Account, r))));
        var step = Gen.Select(command, Gen.Int[0, 40]);

        step.Array[1, 80].Sample(steps =>
        {
            var reservationsEnded = new Dictionary<Guid, ReservationRecord>();
            var operations = new Dictionary<string, LedgerOperation>();
            Ledger? state = null;
            var now = Now;
            foreach (var (c, minutes) in steps)
            {
                now = now.AddMinutes(minutes);
                var prior = PriorFor(c, reservationsEnded, operations);
                var decision = LedgerDecider.Decide(state, c, prior, now, Policy);
                foreach (var e in decision.Events)
                {
                    state = Ledger.Fold(state, e);
                    if (AfterValues(e) is { } recorded && recorded != (state!.Balance, state.Frozen))
                    {
                        throw new ShouldAssertException($"{e} records {recorded} but the fold gives ({state.Balance}, {state.Frozen})");
                    }
                }

                if (decision.EndedReservation is { } ended)
                {
                    reservationsEnded[ended.ReservationId] = ended;
                }

                if (decision.AppliedOperation is { } applied)
                {
                    operations[applied.OperationId] = applied;
                }

                // Plain checks, not Shouldly: this loop runs ~100,000 times and messages are built only on failure.
                if (state is not null && (state.Available < 0 || state.Frozen != state.Holds.Values.Sum(h => h.Amount)
                    || state.Holds.Keys.Any(reservationsEnded.ContainsKey)))
                {
                    throw new ShouldAssertException($"after {c}: balance {state.Balance}, frozen {state.Frozen}, holds {string.Join(", ", state.Holds)}");
                }
            }
        }, iter: 2_000, threads: 1, seed: Environment.GetEnvironmentVariable("VERGING_DECIDER_SEED"));
    }

    private static PriorOutcome PriorFor(object command, Dictionary<Guid, ReservationRecord> reservations, Dictionary<string, LedgerOperation> operations)
    {
        // The same rule as the writer's PriorOutcomes: reservation ids for freeze/settle/release, operation ids for the rest.
        Guid? reservation = command switch
        {
            FreezeCredits c => c.ReservationId,
            SettleCredits c => c.ReservationId,
            ReleaseCredits c => c.ReservationId,
            _ => null,
        };
        if (reservation is { } r)
        {
            return new PriorOutcome(reservations.GetValueOrDefault(r), null);
        }

        var operation = command switch
        {
            GrantCredits c => c.GrantId,
            PurchaseCredits c => c.PaymentId,
            AdjustCredits c => c.AdjustmentId,
            RefundCredits c => c.RefundId,
            _ => null,
        };
        return operation is null ? PriorOutcome.None : new PriorOutcome(null, operations.GetValueOrDefault(operation));
    }

    private static (long, long)? AfterValues(object e) => e switch
    {
        CreditsGranted x => (x.BalanceAfter, x.FrozenAfter),
        CreditsPurchased x => (x.BalanceAfter, x.FrozenAfter),
        CreditsFrozen x => (x.BalanceAfter, x.FrozenAfter),
        CreditsSettled x => (x.BalanceAfter, x.FrozenAfter),
        CreditsReleased x => (x.BalanceAfter, x.FrozenAfter),
        HoldExpired x => (x.BalanceAfter, x.FrozenAfter),
        CreditsRefunded x => (x.BalanceAfter, x.FrozenAfter),
        CreditsAdjusted x => (x.BalanceAfter, x.FrozenAfter),
        _ => null,
    };

    private static Ledger LedgerWith(long balance) =>
        Fold(Ledger.Empty(Account), [new CreditsGranted(balance, "start", "start", balance, 0)]);

    private static Ledger Freeze(Ledger ledger, Guid reservation, long amount)
    {
        var decision = LedgerDecider.Decide(ledger, new FreezeCredits(Account, reservation, amount, "chat"), PriorOutcome.None, Now, Policy);
        ((FreezeOutcome)decision.Outcome).Status.ShouldBe(FreezeStatus.Frozen);
        return Fold(ledger, decision.Events);
    }

    private static Ledger Replay(IEnumerable<object> events) => Fold(null, events);

    private static Ledger Fold(Ledger? ledger, IEnumerable<object> events) =>
        events.Aggregate(ledger, Ledger.Fold)!;
}
