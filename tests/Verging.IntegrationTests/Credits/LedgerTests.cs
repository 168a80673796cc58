using Marten;
using Verging.Credits.Contracts;
using Verging.IntegrationTests.Infrastructure;

namespace Verging.IntegrationTests.Credits;

[Collection(SharedHostCollection.Name)]
public sealed class LedgerTests(VergingHost fixture)
{
    [Fact]
    public async Task A_new_account_has_its_opening_credits()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 1000);
        var balance = await Balance(key);
        balance.ShouldBe((1000, 0, 1000));
    }

    [Fact]
    public async Task Freeze_then_settle_consumes_part_and_releases_the_rest_once()
    {
        var (account, key) = await fixture.CreateAccountAsync(credits: 100);
        var reservation = Guid.CreateVersion7();

        var frozen = await fixture.InvokeAsync<FreezeOutcome>(new FreezeCredits(account, reservation, 30, "chat"));
        frozen.Status.ShouldBe(FreezeStatus.Frozen);
        frozen.Available.ShouldBe(70);
        (await Balance(key)).ShouldBe((100, 30, 70));

        var settled = await fixture.InvokeAsync<ReservationOutcome>(new SettleCredits(account, reservation, 12));
        settled.ShouldBe(new ReservationOutcome(ReservationEnd.Settled, 12, 18, Repeated: false));
        (await Balance(key)).ShouldBe((88, 0, 88));

        var again = await fixture.InvokeAsync<ReservationOutcome>(new SettleCredits(account, reservation, 30));
        again.ShouldBe(new ReservationOutcome(ReservationEnd.Settled, 12, 18, Repeated: true));
        var release = await fixture.InvokeAsync<ReservationOutcome>(new ReleaseCredits(account, reservation, "late"));
        release.ShouldBe(new ReservationOutcome(ReservationEnd.Settled, 12, 18, Repeated: true));
        var refreeze = await fixture.InvokeAsync<FreezeOutcome>(new FreezeCredits(account, reservation, 30, "chat"));
        refreeze.Status.ShouldBe(FreezeStatus.AlreadyEnded);
        (await Balance(key)).ShouldBe((88, 0, 88));
    }

    [Fact]
    public async Task A_settle_never_consumes_more_than_was_held()
    {
        var (account, key) = await fixture.CreateAccountAsync(credits: 10);
        var reservation = Guid.CreateVersion7();
        await fixture.InvokeAsync<FreezeOutcome>(new FreezeCredits(account, reservation, 4, "chat"));
        var settled = await fixture.InvokeAsync<ReservationOutcome>(new SettleCredits(account, reservation, 9));
        settled.ShouldBe(new ReservationOutcome(ReservationEnd.Settled, 4, 0, false));
        (await Balance(key)).ShouldBe((6, 0, 6));
    }

    [Fact]
    public async Task An_unaffordable_freeze_holds_nothing_and_says_what_was_needed()
    {
        var (account, key) = await fixture.CreateAccountAsync(credits: 4);
        var outcome = await fixture.InvokeAsync<FreezeOutcome>(new FreezeCredits(account, Guid.CreateVersion7(), 5, "chat"));
        outcome.ShouldBe(new FreezeOutcome(FreezeStatus.Insufficient, 0, 5, 4, null));

        var minimum = await fixture.InvokeAsync<FreezeOutcome>(new FreezeCredits(account, Guid.CreateVersion7(), 1, "chat", MinimumAvailable: 5));
        minimum.Status.ShouldBe(FreezeStatus.Insufficient);
        minimum.Required.ShouldBe(5);
        (await Balance(key)).ShouldBe((4, 0, 4));
    }

    [Fact]
    public async Task A_redelivered_freeze_holds_once()
    {
        var (account, key) = await fixture.CreateAccountAsync(credits: 10);
        var command = new FreezeCredits(account, Guid.CreateVersion7(), 3, "imagegen");
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => fixture.InvokeAsync<FreezeOutcome>(command)));
        outcomes.ShouldAllBe(o => o.Status == FreezeStatus.Frozen && o.Amount == 3);
        (await Balance(key)).ShouldBe((10, 3, 7));
    }

    [Fact]
    public async Task Release_gives_everything_back_and_an_unknown_reservation_is_unknown()
    {
        var (account, key) = await fixture.CreateAccountAsync(credits: 10);
        var reservation = Guid.CreateVersion7();
        await fixture.InvokeAsync<FreezeOutcome>(new FreezeCredits(account, reservation, 7, "tts"));
        var released = await fixture.InvokeAsync<ReservationOutcome>(new ReleaseCredits(account, reservation, "upstream failed"));
        released.ShouldBe(new ReservationOutcome(ReservationEnd.Released, 0, 7, false));
        (await Balance(key)).ShouldBe((10, 0, 10));

        var unknown = await fixture.InvokeAsync<ReservationOutcome>(new SettleCredits(account, Guid.CreateVersion7(), 1));
        unknown.End.ShouldBe(ReservationEnd.Unknown);
    }

    [Fact]
    public async Task Two_hundred_concurrent_freezes_of_one_on_fifty_credits_give_exactly_fifty()
    {
        var (account, key) = await fixture.CreateAccountAsync(credits: 50);
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ =>
            Task.Run(() => fixture.InvokeAsync<FreezeOutcome>(new FreezeCredits(account, Guid.CreateVersion7(), 1, "chat")))));

        outcomes.Count(o => o.Status == FreezeStatus.Frozen).ShouldBe(50);
        outcomes.Count(o => o.Status == FreezeStatus.Insufficient).ShouldBe(150);
        (await Balance(key)).ShouldBe((50, 50, 0));
        await LedgerInvariants.ShouldMatchReplayAsync(fixture.Service<IDocumentStore>(), account);
    }

    private async Task<(long Balance, long Frozen, long Available)> Balance(string key)
    {
        var json = await (await fixture.Host.Scenario(s =>
        {
            s.Get.Url("/api/v1/credits");
            s.WithApiKey(key);
        })).Json();
        return (json["balance"]!.GetValue<long>(), json["frozen"]!.GetValue<long>(), json["available"]!.GetValue<long>());
    }
}
