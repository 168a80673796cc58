using Marten;
using Verging.AiProxy.Contracts;
using Verging.Credits.Contracts;
using Verging.IntegrationTests.Infrastructure;
using Wolverine;
using Wolverine.Tracking;

namespace Verging.IntegrationTests.Credits;

/// <summary>SettleCredits.Then: the caller's message is committed with a fresh settle, and only with one.</summary>
[Collection(SharedHostCollection.Name)]
public sealed class SettleMessageTests(VergingHost fixture)
{
    [Fact]
    public async Task A_fresh_settle_publishes_its_message_and_a_repeat_or_an_ended_hold_does_not()
    {
        var (account, _) = await fixture.CreateAccountAsync(credits: 50);
        var reservation = Guid.CreateVersion7();
        await fixture.InvokeAsync<FreezeOutcome>(new FreezeCredits(account, reservation, 10, "chat"));
        var usage = Usage(account, reservation, credits: 4);

        var (settled, published) = await SettleAsync(new SettleCredits(account, reservation, 4, usage));
        settled.ShouldBe(new ReservationOutcome(ReservationEnd.Settled, 4, 6, Repeated: false));
        published.ShouldBe([usage]);

        // A redelivered settle answers the first outcome and publishes nothing again.
        var (repeated, again) = await SettleAsync(new SettleCredits(account, reservation, 4, usage));
        repeated.Repeated.ShouldBeTrue();
        again.ShouldBeEmpty();

        // A hold that was released first: the settle ends nothing, so its message is not sent.
        var released = Guid.CreateVersion7();
        await fixture.InvokeAsync<FreezeOutcome>(new FreezeCredits(account, released, 5, "chat"));
        await fixture.InvokeAsync<ReservationOutcome>(new ReleaseCredits(account, released, "provider failed"));
        var (late, none) = await SettleAsync(new SettleCredits(account, released, 5, Usage(account, released, credits: 5)));
        late.End.ShouldBe(ReservationEnd.Released);
        none.ShouldBeEmpty();

        await using var query = fixture.Service<IDocumentStore>().QuerySession();
        var ledger = await query.LoadAsync<Verging.Credits.Ledger.Ledger>(account);
        (ledger!.Balance, ledger.Frozen).ShouldBe((46L, 0L));
    }

    private async Task<(ReservationOutcome Outcome, IReadOnlyList<AiRequestCompleted> Published)> SettleAsync(SettleCredits command)
    {
        ReservationOutcome outcome = null!;
        var tracked = await fixture.Host.TrackActivity().Timeout(TimeSpan.FromSeconds(60))
            .ExecuteAndWaitAsync((Func<IMessageContext, Task>)(async context => outcome = await context.InvokeAsync<ReservationOutcome>(command)));
        return (outcome, tracked.Executed.MessagesOf<AiRequestCompleted>().ToList());
    }

    private static AiRequestCompleted Usage(Guid account, Guid request, long credits) =>
        new(request, account, Guid.CreateVersion7(), "chat", "sandbox-chat", 10, 20, 0, credits, 12, DateTimeOffset.UtcNow);
}
