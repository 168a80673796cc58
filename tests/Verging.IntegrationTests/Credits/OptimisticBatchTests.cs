using Marten;
using Verging.Credits.Contracts;
using Verging.Credits.Ledger;
using Verging.IntegrationTests.Infrastructure;

namespace Verging.IntegrationTests.Credits;

/// <summary>
/// A writer batch decided on cached states (ADR 0017) must never be answered from a cache that is
/// out of date: here the other instance changes the account behind the first one's back.
/// </summary>
public sealed class OptimisticBatchTests(TwoInstanceHost fixture) : IClassFixture<TwoInstanceHost>
{
    private const int First = 0;
    private const int Second = 1;

    [Fact]
    public async Task A_freeze_on_a_cache_the_other_instance_made_stale_is_decided_on_the_stream()
    {
        var (account, _) = await fixture.CreateAccountAsync(credits: 10);
        (await fixture.InvokeOnAsync<FreezeOutcome>(First, new FreezeCredits(account, Guid.CreateVersion7(), 4, "chat"))).Status.ShouldBe(FreezeStatus.Frozen);
        (await fixture.InvokeOnAsync<FreezeOutcome>(Second, new FreezeCredits(account, Guid.CreateVersion7(), 5, "chat"))).Status.ShouldBe(FreezeStatus.Frozen);

        // The first instance's cache still says 6 available; the stream says 1.
        var late = await fixture.InvokeOnAsync<FreezeOutcome>(First, new FreezeCredits(account, Guid.CreateVersion7(), 5, "chat"));

        (late.Status, late.Available).ShouldBe((FreezeStatus.Insufficient, 1L));
        var ledger = await ConsistentLedgerAsync(account);
        (ledger.Balance, ledger.Frozen, ledger.Available).ShouldBe((10L, 9L, 1L));
    }

    [Fact]
    public async Task A_settle_on_a_stale_cache_is_retried_and_lands_after_the_other_instances_events()
    {
        var (account, _) = await fixture.CreateAccountAsync(credits: 20);
        var mine = Guid.CreateVersion7();
        (await fixture.InvokeOnAsync<FreezeOutcome>(First, new FreezeCredits(account, mine, 8, "chat"))).Status.ShouldBe(FreezeStatus.Frozen);
        (await fixture.InvokeOnAsync<FreezeOutcome>(Second, new FreezeCredits(account, Guid.CreateVersion7(), 3, "chat"))).Status.ShouldBe(FreezeStatus.Frozen);

        var settled = await fixture.InvokeOnAsync<ReservationOutcome>(First, new SettleCredits(account, mine, 6));

        settled.ShouldBe(new ReservationOutcome(ReservationEnd.Settled, 6, 2, Repeated: false));
        var ledger = await ConsistentLedgerAsync(account);
        (ledger.Balance, ledger.Frozen).ShouldBe((14L, 3L));
    }

    [Fact]
    public async Task A_reservation_that_already_ended_is_not_frozen_again_when_it_is_absent_from_the_cache()
    {
        var (account, _) = await fixture.CreateAccountAsync(credits: 10);
        var reservation = Guid.CreateVersion7();
        await fixture.InvokeOnAsync<FreezeOutcome>(First, new FreezeCredits(account, reservation, 4, "chat"));
        await fixture.InvokeOnAsync<ReservationOutcome>(First, new SettleCredits(account, reservation, 1));

        // The cache holds no hold for it (it ended); only its record says so.
        var again = await fixture.InvokeOnAsync<FreezeOutcome>(First, new FreezeCredits(account, reservation, 4, "chat"));

        again.Status.ShouldBe(FreezeStatus.AlreadyEnded);
        await using var session = fixture.Service<IDocumentStore>().QuerySession();
        var frozen = (await session.Events.FetchStreamAsync(account)).Select(e => e.Data).OfType<CreditsFrozen>();
        frozen.Count(f => f.ReservationId == reservation).ShouldBe(1);
        var ledger = await ConsistentLedgerAsync(account);
        (ledger.Balance, ledger.Frozen).ShouldBe((9L, 0L));
    }

    [Fact]
    public async Task A_freeze_and_a_settle_on_a_warm_account_each_cost_one_statement_batch_without_locks()
    {
        var (account, _) = await fixture.CreateAccountAsync(credits: 10);
        await fixture.InvokeOnAsync<FreezeOutcome>(First, new FreezeCredits(account, Guid.CreateVersion7(), 1, "chat"));
        var reservation = Guid.CreateVersion7();

        var statements = await NpgsqlStatements.DuringAsync(fixture.ConnectionString, async () =>
        {
            await fixture.InvokeOnAsync<FreezeOutcome>(First, new FreezeCredits(account, reservation, 2, "chat"));
            await fixture.InvokeOnAsync<ReservationOutcome>(First, new SettleCredits(account, reservation, 1));
        });

        var ledgerWrites = statements.Where(s => s.Contains("guard_ledger_batch")).ToList();
        ledgerWrites.Count.ShouldBe(2);
        ledgerWrites.ShouldAllBe(s => !s.Contains("commit", StringComparison.OrdinalIgnoreCase));
        statements.ShouldNotContain(s => s.Contains("for update") && s.Contains("mt_streams"));
    }

    /// <summary>The account's balance document, after checking that it equals a replay of its stream.</summary>
    private async Task<Ledger> ConsistentLedgerAsync(Guid account)
    {
        var store = fixture.Service<IDocumentStore>();
        await LedgerInvariants.ShouldMatchReplayAsync(store, account);
        return await LedgerStreams.DocumentAsync(store, account);
    }
}
