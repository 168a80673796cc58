using Marten;
using Marten.Events;
using Verging.Credits.Audit;
using Verging.Credits.Contracts;
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
        await store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

        var audit = fixture.Service<LedgerAudit>();
        (await audit.RunAsync(account, transactionsCaughtUp: true, CancellationToken.None)).Mismatches.ShouldBeEmpty();

        await using (var session = store.LightweightSession())
        {
            var ledger = await session.LoadAsync<Verging.Credits.Ledger.Ledger>(account);
            session.Store(ledger! with { Balance = ledger.Balance + 1_000 });
            await session.SaveChangesAsync();
        }

        var tampered = (await audit.RunAsync(account, true, CancellationToken.None)).Mismatches.Single();
        tampered.Problems.ShouldContain(p => p.Contains("balance document says 1038/0, replay says 38/0"));

        await fixture.Service<LedgerRebuild>().RunAsync(CancellationToken.None);
        await store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var report = await audit.RunAsync(null, true, CancellationToken.None);
        report.Mismatches.ShouldBeEmpty();
        report.Rows.Count.ShouldBeGreaterThan(0);

        // The writer works on from the rebuilt state: nothing was lost or invented.
        var next = await fixture.InvokeAsync<FreezeOutcome>(new FreezeCredits(account, Guid.CreateVersion7(), 38, "chat"));
        next.Status.ShouldBe(FreezeStatus.Frozen);
        next.Available.ShouldBe(0);
    }
}
