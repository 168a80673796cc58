using Marten;
using Microsoft.Extensions.DependencyInjection;
using Verging.Credits.Contracts;
using Verging.Credits.Ledger;
using Verging.Credits.Writer;
using Verging.IntegrationTests.Infrastructure;

namespace Verging.IntegrationTests.Credits;

/// <summary>
/// Two app instances writing the same account at the same time: each writer serializes its own
/// commands, so here the only thing preventing a double spend is the stream lock in the database.
/// </summary>
public sealed class TwoInstanceRaceTests(TwoInstanceHost fixture) : IClassFixture<TwoInstanceHost>
{
    [Fact]
    public async Task Two_hundred_freezes_of_one_split_across_two_instances_hold_exactly_the_fifty_credits()
    {
        // Two writers, not one shared through the container: otherwise this would only re-test one instance.
        fixture.Second.Services.GetRequiredService<LedgerWriter>().ShouldNotBeSameAs(fixture.Service<LedgerWriter>());
        var (account, _) = await fixture.CreateAccountAsync(credits: 50);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            Task.Run(() => fixture.InvokeOnAsync<FreezeOutcome>(i, new FreezeCredits(account, Guid.CreateVersion7(), 1, "chat")))));

        outcomes.Count(o => o.Status == FreezeStatus.Frozen).ShouldBe(50);
        outcomes.Count(o => o.Status == FreezeStatus.Insufficient).ShouldBe(150);
        var store = fixture.Service<IDocumentStore>();
        var ledger = await LedgerStreams.DocumentAsync(store, account);
        (ledger.Balance, ledger.Frozen, ledger.Available).ShouldBe((50L, 50L, 0L));
        await LedgerInvariants.ShouldMatchReplayAsync(store, account);
    }

    [Fact]
    public async Task Settles_of_the_same_reservations_racing_across_two_instances_end_each_one_once()
    {
        var (account, _) = await fixture.CreateAccountAsync(credits: 100);
        var reservations = Enumerable.Range(0, 20).Select(_ => Guid.CreateVersion7()).ToArray();
        foreach (var (reservation, i) in reservations.Select((r, i) => (r, i)))
        {
            (await fixture.InvokeOnAsync<FreezeOutcome>(i, new FreezeCredits(account, reservation, 5, "chat"))).Status.ShouldBe(FreezeStatus.Frozen);
        }

        // Six settles per reservation, three on each instance, each asking a different amount, so a
        // second ending would show in the balance and "the winner's values" means something.
        var settles = reservations.SelectMany(r => Enumerable.Range(0, 6).Select(k => new SettleCredits(account, r, k))).ToArray();
        var answers = await Task.WhenAll(settles.Select((s, i) =>
            Task.Run(async () => (s, outcome: await fixture.InvokeOnAsync<ReservationOutcome>(i, s)))));

        var store = fixture.Service<IDocumentStore>();
        long consumed = 0;
        foreach (var reservation in reservations)
        {
            var endings = await LedgerStreams.EndingsOfAsync(store, account, reservation);
            var settled = endings.ShouldHaveSingleItem().ShouldBeOfType<CreditsSettled>();
            consumed += settled.Consumed;

            var mine = answers.Where(a => a.s.ReservationId == reservation).ToList();
            var winner = mine.Where(a => !a.outcome.Repeated).ShouldHaveSingleItem();
            winner.outcome.ShouldBe(new ReservationOutcome(ReservationEnd.Settled, settled.Consumed, settled.Released, Repeated: false));
            winner.s.Consumed.ShouldBe(settled.Consumed);
            var repeat = winner.outcome with { Repeated = true };
            mine.Where(a => a.outcome.Repeated).ShouldAllBe(a => a.outcome == repeat);
        }

        var ledger = await LedgerStreams.DocumentAsync(store, account);
        (ledger.Balance, ledger.Frozen).ShouldBe((100 - consumed, 0L));
        await LedgerInvariants.ShouldMatchReplayAsync(store, account);
    }
}
