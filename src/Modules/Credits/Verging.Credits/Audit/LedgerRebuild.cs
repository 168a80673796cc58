using Marten;
using Verging.Credits.Ledger;
using Verging.Credits.Transactions;
using Verging.Credits.Writer;

namespace Verging.Credits.Audit;

/// <summary>
/// Rebuilds every read model of the ledger from the events alone: balance documents, open-hold
/// rows, reservation/operation records and the transaction history by replay. Safe to run while the service runs: balance documents are rewritten with the version
/// they reflect, so the writer reloads anything that moved meanwhile.
/// </summary>
public sealed class LedgerRebuild(IDocumentStore store, LedgerAudit audit, LedgerWriter writer)
{
    public async Task<int> RunAsync(CancellationToken cancellation)
    {
        var accounts = await audit.LedgerAccountsAsync(cancellation);
        foreach (var accountId in accounts)
        {
            await using var session = store.LightweightSession();
            var events = await session.Events.FetchStreamAsync(accountId, token: cancellation);
            Ledger.Ledger? state = null;
            session.DeleteWhere<LedgerEntry>(x => x.AccountId == accountId);
            foreach (var e in events)
            {
                state = Ledger.Ledger.Fold(state, e.Data);
                StoreRecords(session, accountId, e.Data, e.Timestamp);
                if (LedgerEntryProjection.EntryFor(e.Sequence, accountId, e.Data, e.Timestamp) is { } entry)
                {
                    session.Store(entry);
                }
            }

            if (state is not null)
            {
                session.Store(state with { StreamVersion = events.Count });
                var holds = new LedgerBatchWrites(store);
                holds.ResyncHolds(state);
                holds.QueueOn(session);
            }

            await session.SaveChangesAsync(cancellation);
        }

        writer.ForgetCachedState();
        return accounts.Count;
    }

    private static void StoreRecords(IDocumentSession session, Guid accountId, object data, DateTimeOffset at)
    {
        switch (data)
        {
            case CreditsSettled e:
                session.Store(new ReservationRecord(e.ReservationId, accountId, e.Purpose, e.Consumed + e.Released, Contracts.ReservationEnd.Settled, e.Consumed, e.Released, at));
                break;
            case CreditsReleased e:
                session.Store(new ReservationRecord(e.ReservationId, accountId, e.Purpose, e.Amount, Contracts.ReservationEnd.Released, 0, e.Amount, at));
                break;
            case HoldExpired e:
                session.Store(new ReservationRecord(e.ReservationId, accountId, e.Purpose, e.Amount, Contracts.ReservationEnd.Expired, 0, e.Amount, at));
                break;
            case CreditsGranted e:
                session.Store(new LedgerOperation(e.GrantId, accountId, "grant", e.Amount, at));
                break;
            case CreditsPurchased e:
                session.Store(new LedgerOperation(e.PaymentId, accountId, "purchase", e.Amount, at));
                break;
            case CreditsAdjusted e:
                session.Store(new LedgerOperation(e.AdjustmentId, accountId, "adjustment", e.Amount, at));
                break;
            case CreditsRefunded e:
                session.Store(new LedgerOperation(e.RefundId, accountId, "refund", e.Amount, at));
                break;
        }
    }
}
