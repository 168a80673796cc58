using CsCheck;
using Marten;
using Verging.Credits.Contracts;
using Verging.IntegrationTests.Infrastructure;

namespace Verging.IntegrationTests.Credits;

/// <summary>
/// Random balances and random bursts of concurrent freezes on the real writer: whatever the
/// interleaving and batching, no credit is held twice and nothing is refused that could be held.
/// </summary>
[Collection(SharedHostCollection.Name)]
public sealed class OverspendPropertyTests(VergingHost fixture)
{
    [Fact]
    public async Task Concurrent_freezes_never_hold_more_than_the_balance_and_never_refuse_what_fits()
    {
        var gen = Gen.Select(Gen.Long[1, 200], Gen.Long[1, 20].Array[10, 150]);

        // One sample at a time: each fires up to 150 concurrent commands at a host shared with other
        // tests on a 2-core machine. VERGING_OVERSPEND_SEED replays a failure CsCheck printed.
        await gen.SampleAsync(async (balance, amounts) =>
        {
            var (account, _) = await fixture.CreateAccountAsync(credits: balance);
            var errors = 0;
            var outcomes = await Task.WhenAll(amounts.Select(amount => Task.Run(async () =>
            {
                try
                {
                    return (amount, outcome: await fixture.InvokeAsync<FreezeOutcome>(new FreezeCredits(account, Guid.CreateVersion7(), amount, "chat")));
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref errors);
                    return (amount, outcome: (FreezeOutcome?)null);
                }
            })));

            errors.ShouldBe(0);
            var store = fixture.Service<IDocumentStore>();
            var ledger = await LedgerStreams.DocumentAsync(store, account);
            var frozen = outcomes.Where(o => o.outcome!.Status == FreezeStatus.Frozen).ToList();
            var refused = outcomes.Where(o => o.outcome!.Status == FreezeStatus.Insufficient).ToList();

            (frozen.Count + refused.Count).ShouldBe(amounts.Length, "every freeze is either held or refused");
            frozen.ShouldAllBe(o => o.outcome!.Amount == o.amount);
            frozen.Sum(o => o.amount).ShouldBe(balance - ledger.Available);
            ledger.Balance.ShouldBe(balance);
            ledger.Available.ShouldBeGreaterThanOrEqualTo(0);
            // Available only goes down during the burst, so a refusal was right only if it still would not fit now.
            refused.ShouldAllBe(o => o.amount > ledger.Available);
            await LedgerInvariants.ShouldMatchReplayAsync(store, account);
        }, iter: 20, threads: 1, seed: Environment.GetEnvironmentVariable("VERGING_OVERSPEND_SEED"));
    }
}
