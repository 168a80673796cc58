using Marten;
using Marten.Events;
using Verging.Credits.Audit;
using Verging.Credits.Contracts;
using Verging.Credits.Transactions;
using Verging.IntegrationTests.Infrastructure;

namespace Verging.IntegrationTests.Credits;

[Collection(SharedHostCollection.Name)]
public sealed class LedgerAuditTests(VergingHost fixture)
{
    [Fact]
    public async Task The_audit_finds_a_tampered_balance_document_and_a_rebuild_repairs_it()
    {
        var (account, _) = await fixture.CreateAccountAsync(credits: 40);
        var reservation = Guid.CreateVersion7();
        await fixture.InvokeAsync<FreezeOutcome>(new FreezeCredits(account, reservation, 9, "vision"));
        await fixture.InvokeAsync<ReservationOutcome>(new SettleCredits(account, reservation, 2));
        var store = fixture.Service<IDocumentStore>();

        var audit = fixture.Service<LedgerAudit>();
        (await audit.RunAsync(account, CancellationToken.None)).Mismatches.ShouldBeEmpty();

        await using (var session = store.LightweightSession())
        {
            var ledger = await session.LoadAsync<Verging.Credits.Ledger.Ledger>(account);
            session.Store(ledger! with { Balance = ledger.Balance + 1_000 });
            await session.SaveChangesAsync();
        }

        var tampered = (await audit.RunAsync(account, CancellationToken.None)).Mismatches.Single();
        tampered.Problems.ShouldContain(p => p.Contains("balance document says 1038/0, replay says 38/0"));

        await fixture.Service<LedgerRebuild>().RunAsync(CancellationToken.None);
        var report = await audit.RunAsync(null, CancellationToken.None);
        report.Mismatches.ShouldBeEmpty();
        report.Rows.Count.ShouldBeGreaterThan(0);

        // The writer works on from the rebuilt state: nothing was lost or invented.
        var next = await fixture.InvokeAsync<FreezeOutcome>(new FreezeCredits(account, Guid.CreateVersion7(), 38, "chat"));
        next.Status.ShouldBe(FreezeStatus.Frozen);
        next.Available.ShouldBe(0);
    }

    [Fact]
    public async Task The_history_is_written_with_the_events_and_the_audit_finds_a_missing_row()
    {
        var (account, _) = await fixture.CreateAccountAsync(credits: 30);
        var reservation = Guid.CreateVersion7();
        await fixture.InvokeAsync<FreezeOutcome>(new FreezeCredits(account, reservation, 9, "vision"));
        await fixture.InvokeAsync<ReservationOutcome>(new SettleCredits(account, reservation, 4));
        var store = fixture.Service<IDocumentStore>();

        // No projection to wait for: the rows exist as soon as the settle is answered, one per
        // credit-moving event, with the event's sequence as id and its timestamp.
        await using (var query = store.QuerySession())
        {
            var events = await query.Events.FetchStreamAsync(account);
            var entries = await query.Query<LedgerEntry>().Where(x => x.AccountId == account).OrderBy(x => x.Id).ToListAsync();
            entries.Select(e => e.Type).ShouldBe(["grant", "freeze", "settle"]);
            entries.Select(e => e.Id).ShouldBe(events.Where(e => e.Data is not Verging.Credits.Ledger.LedgerOpened).Select(e => e.Sequence));
            entries.Select(e => e.CreatedAt).ShouldBe(events.Where(e => e.Data is not Verging.Credits.Ledger.LedgerOpened).Select(e => e.Timestamp));
            entries[^1].BalanceAfter.ShouldBe(26);
        }

        await using (var session = store.LightweightSession())
        {
            session.DeleteWhere<LedgerEntry>(x => x.AccountId == account && x.Type == "freeze");
            await session.SaveChangesAsync();
        }

        var audit = fixture.Service<LedgerAudit>();
        var problems = (await audit.RunAsync(account, CancellationToken.None)).Mismatches.Single().Problems;
        problems.ShouldContain(p => p.Contains("2 transaction rows for 3 credit-moving events"));

        await fixture.Service<LedgerRebuild>().RunAsync(CancellationToken.None);
        (await audit.RunAsync(account, CancellationToken.None)).Mismatches.ShouldBeEmpty();
    }
}
