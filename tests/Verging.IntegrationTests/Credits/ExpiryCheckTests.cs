using Alba;
using Marten;
using Npgsql;
using Verging.Credits.Contracts;
using Verging.Credits.Ledger;
using Verging.IntegrationTests.Infrastructure;
using Wolverine;

namespace Verging.IntegrationTests.Credits;

/// <summary>Long holds of one account share a scheduled expiry check; the check gives back only what is due (ADR 0016).</summary>
[Collection(ShortHoldsCollection.Name)]
public sealed class ExpiryCheckTests(ShortHoldsHost fixture)
{
    [Fact]
    public async Task Twenty_long_holds_schedule_one_check_and_a_check_leaves_holds_that_are_not_due()
    {
        var (account, _) = await fixture.CreateAccountAsync(credits: 100);
        var started = DateTimeOffset.UtcNow;
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            fixture.InvokeAsync<FreezeOutcome>(new FreezeCredits(account, Guid.CreateVersion7(), 2, "chat"))));

        // One per ten-second bucket of expiry: two if the freezes straddled a bucket boundary.
        (await ScheduledChecksAsync(account)).ShouldBeInRange(1, DateTimeOffset.UtcNow - started < TimeSpan.FromSeconds(1) ? 2 : 20);

        var instant = Guid.CreateVersion7();
        (await fixture.InvokeAsync<FreezeOutcome>(new FreezeCredits(account, instant, 5, ShortHoldsHost.Instant))).Status.ShouldBe(FreezeStatus.Frozen);
        await fixture.Host.MessageBus().InvokeAsync(new ExpireDueHolds(account, DateTimeOffset.UtcNow));

        var store = fixture.Service<IDocumentStore>();
        (await LedgerStreams.EndingsOfAsync(store, account, instant)).ShouldHaveSingleItem().ShouldBeOfType<HoldExpired>();
        var ledger = await LedgerStreams.DocumentAsync(store, account);
        (ledger.Frozen, ledger.Holds.Count, ledger.Available).ShouldBe((40L, 20, 60L));
        await LedgerInvariants.ShouldMatchReplayAsync(store, account);
    }

    private async Task<long> ScheduledChecksAsync(Guid account)
    {
        await using var command = fixture.Service<NpgsqlDataSource>().CreateCommand(
            "select count(*) from wolverine.wolverine_incoming_envelopes " +
            "where status = 'Scheduled' and message_type like '%ExpireDueHolds%' and position(convert_to($1, 'UTF8') in body) > 0");
        command.Parameters.Add(new() { Value = account.ToString() });
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
