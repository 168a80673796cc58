using Marten;
using Npgsql;
using Verging.Credits.Ledger;
using Verging.Credits.Transactions;
using Verging.Credits.Writer;

namespace Verging.Credits.Audit;

/// <summary>
/// Replays ledger streams and compares the result with everything derived from them: the balance
/// document, the after-values recorded in each event, the reservation records and the projected
/// transaction history. Two independent folds are used (Marten's generated aggregation and the
/// writer's own), so a bug in one cannot hide in the other.
/// </summary>
public sealed class LedgerAudit(IDocumentStore store)
{
    public async Task<IReadOnlyList<Guid>> LedgerAccountsAsync(CancellationToken cancellation)
    {
        await using var session = store.QuerySession();
        var schema = store.Options.Events.DatabaseSchemaName;
        await using var command = new NpgsqlCommand($"select id from {schema}.mt_streams where type = 'ledger' order by id");
        await using var reader = await session.ExecuteReaderAsync(command, cancellation);
        var ids = new List<Guid>();
        while (await reader.ReadAsync(cancellation))
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }

    /// <param name="account">One account, or every ledger when null.</param>
    public async Task<LedgerAuditReport> RunAsync(Guid? account, CancellationToken cancellation)
    {
        var accounts = account is { } one ? [one] : await LedgerAccountsAsync(cancellation);
        var rows = new List<LedgerAuditRow>(accounts.Count);
        await using var session = store.QuerySession();
        foreach (var id in accounts)
        {
            rows.Add(await AuditOneAsync(session, id, cancellation));
        }

        return new LedgerAuditReport(rows);
    }

    private static async Task<LedgerAuditRow> AuditOneAsync(IQuerySession session, Guid accountId, CancellationToken cancellation)
    {
        var problems = new List<string>();
        var events = await session.Events.FetchStreamAsync(accountId, token: cancellation);
        var generated = await session.Events.AggregateStreamAsync<Ledger.Ledger>(accountId, token: cancellation);

        Ledger.Ledger? folded = null;
        var ended = new List<Guid>();
        foreach (var e in events)
        {
            folded = Ledger.Ledger.Fold(folded, e.Data);
            CheckRecordedAfterValues(e.Data, e.Version, folded, problems);
            if (Ledger.Ledger.EndedReservation(e.Data) is { } reservationId)
            {
                ended.Add(reservationId);
            }

            if (folded is not null && folded.Available < 0)
            {
                problems.Add($"available went below zero at version {e.Version}");
            }
        }

        var truth = folded ?? Ledger.Ledger.Empty(accountId);
        if (generated is null || generated.Balance != truth.Balance || generated.Frozen != truth.Frozen)
        {
            problems.Add($"the two replays disagree (generated {generated?.Balance}/{generated?.Frozen}, fold {truth.Balance}/{truth.Frozen})");
        }

        var document = await LedgerDocuments.LoadAsync(session, accountId, cancellation);
        if (document is null)
        {
            problems.Add("no balance document");
        }
        else
        {
            if (document.Balance != truth.Balance || document.Frozen != truth.Frozen)
            {
                problems.Add($"balance document says {document.Balance}/{document.Frozen}, replay says {truth.Balance}/{truth.Frozen}");
            }

            if (document.StreamVersion != events.Count)
            {
                problems.Add($"balance document is at version {document.StreamVersion}, stream at {events.Count}");
            }

            if (document.Holds.Count != truth.Holds.Count || document.Holds.Any(h => !truth.Holds.TryGetValue(h.Key, out var held) || !SameHold(held, h.Value)))
            {
                problems.Add($"{document.Holds.Count} open-hold rows differ from the {truth.Holds.Count} open holds of the replay");
            }
        }

        if (ended.Count > 0)
        {
            var records = await session.LoadManyAsync<ReservationRecord>(cancellation, ended.Select(r => ReservationRecord.KeyFor(accountId, r)));
            if (records.Count != ended.Count)
            {
                problems.Add($"{ended.Count - records.Count} ended reservations have no record (a redelivery could move credits again)");
            }
        }

        // The history is written in the transaction that appends the events: one row per moving
        // event, with the event's sequence as its id, and nothing else.
        var entries = await session.Query<LedgerEntry>().Where(x => x.AccountId == accountId).ToListAsync(cancellation);
        long? entriesBalance = entries.Sum(x => x.Amount);
        long? entriesFrozen = entries.Sum(x => x.FrozenChange);
        if (entriesBalance != truth.Balance || entriesFrozen != truth.Frozen)
        {
            problems.Add($"transactions sum to {entriesBalance}/{entriesFrozen}, replay says {truth.Balance}/{truth.Frozen}");
        }

        var expected = events.Where(e => LedgerEntryProjection.EntryFor(e.Sequence, accountId, e.Data, e.Timestamp) is not null).Select(e => e.Sequence).ToHashSet();
        if (!expected.SetEquals(entries.Select(x => x.Id)))
        {
            problems.Add($"{entries.Count} transaction rows for {expected.Count} credit-moving events");
        }

        return new LedgerAuditRow(accountId, events.Count, truth.Balance, truth.Frozen, document?.Balance, document?.Frozen,
            entriesBalance, entriesFrozen, problems);
    }

    // A row keeps the expiry to the microsecond (PostgreSQL's precision), the event to the tick.
    private static bool SameHold(Hold a, Hold b) =>
        a.Amount == b.Amount && a.Purpose == b.Purpose && (a.ExpiresAt - b.ExpiresAt).Duration() < TimeSpan.FromMicroseconds(1);

    private static void CheckRecordedAfterValues(object data, long version, Ledger.Ledger? state, List<string> problems)
    {
        (long Balance, long Frozen)? recorded = data switch
        {
            CreditsGranted e => (e.BalanceAfter, e.FrozenAfter),
            CreditsPurchased e => (e.BalanceAfter, e.FrozenAfter),
            CreditsFrozen e => (e.BalanceAfter, e.FrozenAfter),
            CreditsSettled e => (e.BalanceAfter, e.FrozenAfter),
            CreditsReleased e => (e.BalanceAfter, e.FrozenAfter),
            HoldExpired e => (e.BalanceAfter, e.FrozenAfter),
            CreditsRefunded e => (e.BalanceAfter, e.FrozenAfter),
            CreditsAdjusted e => (e.BalanceAfter, e.FrozenAfter),
            _ => null,
        };

        if (recorded is { } r && state is not null && (r.Balance != state.Balance || r.Frozen != state.Frozen))
        {
            problems.Add($"event {version} ({data.GetType().Name}) recorded {r.Balance}/{r.Frozen}, replay gives {state.Balance}/{state.Frozen}");
        }
    }
}
