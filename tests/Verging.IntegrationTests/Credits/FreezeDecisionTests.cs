using Marten;
using Verging.Credits.Contracts;
using Verging.IntegrationTests.Infrastructure;

namespace Verging.IntegrationTests.Credits;

/// <summary>
/// A caller that asks for it is told a hold's decision while the hold's commit is on its way, so its
/// paid work can start in the same moment (ADR 0018); the answer itself still waits for the commit.
/// The commit is held back here by a lock on the account's stream, as another instance would hold it.
/// </summary>
[Collection(SharedHostCollection.Name)]
public sealed class FreezeDecisionTests(VergingHost fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_hold_is_told_before_its_commit_and_answered_only_after_it()
    {
        var (account, _) = await fixture.CreateAccountAsync(credits: 10);
        await WarmAsync(account);
        var decided = new TaskCompletionSource<FreezeOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<FreezeOutcome> answer;

        await using (await LedgerStreamLock.HoldAsync(fixture.ConnectionString, fixture.Service<IDocumentStore>(), account))
        {
            answer = fixture.InvokeAsync<FreezeOutcome>(new FreezeCredits(account, Guid.CreateVersion7(), 4, "chat") { OnDecided = o => decided.TrySetResult(o) });

            var told = await decided.Task.WaitAsync(Patience);
            (told.Status, told.Amount, told.Available).ShouldBe((FreezeStatus.Frozen, 4L, 5L));
            answer.IsCompleted.ShouldBeFalse("the commit waits for the stream's lock, so nothing may be answered yet");
        }

        (await answer.WaitAsync(Patience)).ShouldBe(await decided.Task);
        var ledger = await LedgerStreams.DocumentAsync(fixture.Service<IDocumentStore>(), account);
        (ledger.Balance, ledger.Frozen).ShouldBe((10L, 5L));
    }

    [Fact]
    public async Task A_refusal_is_never_told_early()
    {
        var (account, _) = await fixture.CreateAccountAsync(credits: 3);
        await WarmAsync(account);
        var told = 0;

        var answer = await fixture.InvokeAsync<FreezeOutcome>(new FreezeCredits(account, Guid.CreateVersion7(), 5, "chat") { OnDecided = _ => told++ });

        answer.Status.ShouldBe(FreezeStatus.Insufficient);
        told.ShouldBe(0);
    }

    [Fact]
    public async Task A_callback_that_throws_costs_its_caller_only_the_head_start()
    {
        var (account, _) = await fixture.CreateAccountAsync(credits: 10);
        await WarmAsync(account);

        var answer = await fixture.InvokeAsync<FreezeOutcome>(
            new FreezeCredits(account, Guid.CreateVersion7(), 2, "chat") { OnDecided = _ => throw new InvalidOperationException("a caller's bug") });

        (answer.Status, answer.Available).ShouldBe((FreezeStatus.Frozen, 7L));
    }

    /// <summary>One freeze first, so the writer has the account cached and decides without locking (ADR 0017).</summary>
    private Task<FreezeOutcome> WarmAsync(Guid account) =>
        fixture.InvokeAsync<FreezeOutcome>(new FreezeCredits(account, Guid.CreateVersion7(), 1, "chat"));
}
