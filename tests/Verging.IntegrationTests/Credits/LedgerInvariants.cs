using Marten;
using Verging.Credits.Ledger;
using Verging.Credits.Writer;

namespace Verging.IntegrationTests.Credits;

/// <summary>Checks the promises of the ledger on what is in the database, not on what the API said.</summary>
public static class LedgerInvariants
{
    /// <summary>The balance read model equals a replay of the stream, and every recorded after-value matches the fold.</summary>
    public static async Task ShouldMatchReplayAsync(IDocumentStore store, Guid accountId)
    {
        await using var session = store.QuerySession();
        var document = await LedgerDocuments.LoadAsync(session, accountId, CancellationToken.None);
        var replayed = await session.Events.AggregateStreamAsync<Ledger>(accountId);
        var events = await session.Events.FetchStreamAsync(accountId);

        document.ShouldNotBeNull();
        replayed.ShouldNotBeNull();
        document.Balance.ShouldBe(replayed.Balance);
        document.Frozen.ShouldBe(replayed.Frozen);
        document.Holds.Keys.Order().ShouldBe(replayed.Holds.Keys.Order());
        document.Holds.Values.Sum(h => h.Amount).ShouldBe(document.Frozen);
        document.StreamVersion.ShouldBe(events.Count);
        replayed.Available.ShouldBeGreaterThanOrEqualTo(0);
        replayed.Frozen.ShouldBe(replayed.Holds.Values.Sum(h => h.Amount));
    }
}
