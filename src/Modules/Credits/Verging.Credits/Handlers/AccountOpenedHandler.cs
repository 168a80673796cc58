using Verging.Credits.Contracts;
using Verging.Credits.Ledger;
using Verging.Credits.Writer;
using Verging.Identity.Contracts;

namespace Verging.Credits.Handlers;

/// <summary>Every account Identity opens gets a ledger, with its opening credits granted once (idempotent on redelivery).</summary>
public static class AccountOpenedHandler
{
    public static async Task Handle(AccountOpened opened, LedgerWriter writer)
    {
        if (opened.InitialCredits > 0)
        {
            await writer.SubmitAsync<GrantOutcome>(opened.AccountId,
                new GrantCredits(opened.AccountId, opened.InitialCredits, "opening balance", $"opening:{opened.AccountId}"));
        }
        else
        {
            await writer.SubmitAsync<bool>(opened.AccountId, new OpenLedger(opened.AccountId));
        }
    }
}
