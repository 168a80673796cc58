using Marten;
using Verging.Credits.Ledger;
using Verging.Credits.Writer;

namespace Verging.IntegrationTests.Credits;

/// <summary>Reads what really happened from the event streams, the ledger's source of truth.</summary>
public static class LedgerStreams
{
    /// <summary>Every event that ended this reservation (settled, released or expired): a correct ledger has at most one.</summary>
    public static async Task<IReadOnlyList<object>> EndingsOfAsync(IDocumentStore store, Guid accountId, Guid reservationId)
    {
        await using var session = store.QuerySession();
        var events = await session.Events.FetchStreamAsync(accountId);
        return events.Select(e => e.Data).Where(d => d switch
        {
            CreditsSettled s => s.ReservationId == reservationId,
            CreditsReleased r => r.ReservationId == reservationId,
            HoldExpired x => x.ReservationId == reservationId,
            _ => false,
        }).ToList();
    }

    /// <summary>The balance read model with its open-hold rows (what the writer commits with every change).</summary>
    public static async Task<Ledger> DocumentAsync(IDocumentStore store, Guid accountId)
    {
        await using var session = store.QuerySession();
        var document = await LedgerDocuments.LoadAsync(session, accountId, CancellationToken.None);
        document.ShouldNotBeNull();
        return document;
    }
}
