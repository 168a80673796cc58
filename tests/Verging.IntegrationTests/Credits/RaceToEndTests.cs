using Marten;
using Verging.Credits.Contracts;
using Verging.Credits.Ledger;
using Verging.Credits.Writer;
using Verging.IntegrationTests.Infrastructure;
using Wolverine;

namespace Verging.IntegrationTests.Credits;

/// <summary>
/// Settle, release and expiry of one reservation all at once (an upstream answer arriving as the
/// hold times out, a client cancel, a redelivery): the reservation ends exactly once, and every
/// other caller is told how it really ended.
/// </summary>
[Collection(ShortHoldsCollection.Name)]
public sealed class RaceToEndTests(ShortHoldsHost fixture)
{
    private const long Held = 10;

    [Fact]
    public async Task Settle_release_and_expiry_racing_on_one_reservation_end_it_exactly_once()
    {
        var (account, _) = await fixture.CreateAccountAsync(credits: 1000);
        var writer = fixture.Service<LedgerWriter>();
        var store = fixture.Service<IDocumentStore>();
        var winners = new Dictionary<Type, int>();
        long consumedInTotal = 0;

        for (var round = 0; round < 20; round++)
        {
            var reservation = Guid.CreateVersion7();
            // TTL 0: the ExpireHold the writer schedules with this freeze is already due, so it races too.
            var frozen = await fixture.InvokeAsync<FreezeOutcome>(new FreezeCredits(account, reservation, Held, ShortHoldsHost.Instant));
            frozen.Status.ShouldBe(FreezeStatus.Frozen);

            var settles = Enumerable.Range(1, 3).Select(k => new SettleCredits(account, reservation, 2 * k)).ToArray();
            var ends = settles.Select(s => Task.Run(async () => ((object)s, await fixture.InvokeAsync<ReservationOutcome>(s))))
                .Concat(Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
                {
                    var release = new ReleaseCredits(account, reservation, "cancelled");
                    return ((object)release, await fixture.InvokeAsync<ReservationOutcome>(release));
                })))
                .ToArray();
            // ExpireHold's handler answers nothing, so half go straight to the writer (as the handler
            // does) to see their answer, and two go through the handler on the bus.
            var expiries = Enumerable.Range(0, 3)
                .Select(_ => Task.Run(() => writer.SubmitAsync<ExpireOutcome>(account, new ExpireHold(account, reservation)))).ToArray();
            var viaBus = Enumerable.Range(0, 2)
                .Select(_ => Task.Run(() => fixture.Host.MessageBus().InvokeAsync(new ExpireHold(account, reservation)))).ToArray();

            var answers = await Task.WhenAll(ends);
            var expired = await Task.WhenAll(expiries);
            await Task.WhenAll(viaBus);

            var endings = await LedgerStreams.EndingsOfAsync(store, account, reservation);
            var ending = endings.ShouldHaveSingleItem($"round {round}: the reservation ended {endings.Count} times");
            winners[ending.GetType()] = winners.GetValueOrDefault(ending.GetType()) + 1;
            expired.ShouldAllBe(e => !e.NotDueYet);

            var (end, consumed, released) = ending switch
            {
                CreditsSettled s => (ReservationEnd.Settled, s.Consumed, s.Released),
                CreditsReleased r => (ReservationEnd.Released, 0L, r.Amount),
                HoldExpired x => (ReservationEnd.Expired, 0L, x.Amount),
                _ => throw new ShouldAssertException($"unexpected ending {ending}"),
            };
            consumedInTotal += consumed;
            (consumed + released).ShouldBe(Held);

            var firsts = answers.Where(a => !a.Item2.Repeated).ToList();
            if (end == ReservationEnd.Expired)
            {
                firsts.ShouldBeEmpty($"round {round}: the hold expired, yet a settle or release says it ended it");
                expired.Count(e => e.Expired).ShouldBeLessThanOrEqualTo(1);
            }
            else
            {
                var first = firsts.ShouldHaveSingleItem($"round {round}: {firsts.Count} callers were told they ended the reservation");
                first.Item2.ShouldBe(new ReservationOutcome(end, consumed, released, Repeated: false));
                if (first.Item1 is SettleCredits winner)
                {
                    winner.Consumed.ShouldBe(consumed);
                }

                expired.ShouldAllBe(e => !e.Expired);
            }

            var repeat = new ReservationOutcome(end, consumed, released, Repeated: true);
            answers.Where(a => a.Item2.Repeated).ShouldAllBe(a => a.Item2 == repeat);
        }

        var ledger = await LedgerStreams.DocumentAsync(store, account);
        (ledger.Balance, ledger.Frozen).ShouldBe((1000 - consumedInTotal, 0L));
        await LedgerInvariants.ShouldMatchReplayAsync(store, account);
    }
}
