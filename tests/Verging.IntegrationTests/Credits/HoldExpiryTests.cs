using Marten;
using Verging.Credits.Contracts;
using Verging.Credits.Ledger;
using Verging.IntegrationTests.Infrastructure;

namespace Verging.IntegrationTests.Credits;

/// <summary>
/// A hold nobody settles (the caller crashed, the job vanished) comes back by itself through the
/// ExpireHold message the writer scheduled with the freeze: no request is needed.
/// </summary>
[Collection(ShortHoldsCollection.Name)]
public sealed class HoldExpiryTests(ShortHoldsHost fixture)
{
    [Fact]
    public async Task An_abandoned_hold_is_given_back_by_its_scheduled_expiry_and_a_late_settle_is_told_it_expired()
    {
        var (account, _) = await fixture.CreateAccountAsync(credits: 100);
        var reservation = Guid.CreateVersion7();
        var store = fixture.Service<IDocumentStore>();

        var frozen = await fixture.InvokeAsync<FreezeOutcome>(new FreezeCredits(account, reservation, 40, ShortHoldsHost.Flash));
        frozen.Status.ShouldBe(FreezeStatus.Frozen);
        (await LedgerStreams.DocumentAsync(store, account)).Available.ShouldBe(60);

        // Not a tracked session: this host also runs the race tests, whose own ExpireHold messages
        // would satisfy "an ExpireHold was received" long before ours. The scheduled message is
        // picked up by Wolverine's durable scheduler, which polls, so we poll the stream (the
        // truth) with a deadline well beyond TTL + polling interval.
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while ((await LedgerStreams.EndingsOfAsync(store, account, reservation)).Count == 0)
        {
            DateTimeOffset.UtcNow.ShouldBeLessThan(deadline, "the abandoned hold did not expire within 30 s");
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }

        var ledger = await LedgerStreams.DocumentAsync(store, account);
        (ledger.Balance, ledger.Frozen, ledger.Available).ShouldBe((100L, 0L, 100L));
        var expired = (await LedgerStreams.EndingsOfAsync(store, account, reservation)).ShouldHaveSingleItem().ShouldBeOfType<HoldExpired>();
        expired.Amount.ShouldBe(40);
        await AssertNotEarlyAsync(store, account);

        var settle = await fixture.InvokeAsync<ReservationOutcome>(new SettleCredits(account, reservation, 40));
        settle.ShouldBe(new ReservationOutcome(ReservationEnd.Expired, 0, 40, Repeated: true));
        var release = await fixture.InvokeAsync<ReservationOutcome>(new ReleaseCredits(account, reservation, "late"));
        release.ShouldBe(new ReservationOutcome(ReservationEnd.Expired, 0, 40, Repeated: true));
        var refreeze = await fixture.InvokeAsync<FreezeOutcome>(new FreezeCredits(account, reservation, 40, ShortHoldsHost.Flash));
        refreeze.Status.ShouldBe(FreezeStatus.AlreadyEnded);
        (await LedgerStreams.DocumentAsync(store, account)).Available.ShouldBe(100);
        await LedgerInvariants.ShouldMatchReplayAsync(store, account);
    }

    /// <summary>The expiry came after the purpose's TTL, not early (e.g. with the default TTL of zero).</summary>
    private static async Task AssertNotEarlyAsync(IDocumentStore store, Guid account)
    {
        await using var session = store.QuerySession();
        var events = await session.Events.FetchStreamAsync(account);
        var frozenAt = events.Single(e => e.Data is CreditsFrozen).Timestamp;
        var expiredAt = events.Single(e => e.Data is HoldExpired).Timestamp;
        (expiredAt - frozenAt).ShouldBeGreaterThanOrEqualTo(ShortHoldsHost.FlashTtl - TimeSpan.FromMilliseconds(50));
    }
}
