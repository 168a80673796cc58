using Verging.Credits.Contracts;
using Verging.Credits.Ledger;
using Verging.Credits.Writer;
using Verging.Identity.Contracts;

namespace Verging.Credits.Handlers;

/// <summary>Every account Identity opens gets a ledger, with its opening credits granted once (idempotent on redelivery and on a repeated request).</summary>
public static class AccountOpenedHandler
{
    public static Task Handle(AccountOpened opened, LedgerWriter writer) => OpenAsync(opened.AccountId, opened.InitialCredits, writer);

    /// <summary>The same, asked for synchronously by account creation; whichever comes second changes nothing.</summary>
    public static Task Handle(OpenAccountLedger open, LedgerWriter writer) => OpenAsync(open.AccountId, open.InitialCredits, writer);

    private static async Task OpenAsync(Guid accountId, long initialCredits, LedgerWriter writer)
    {
        if (initialCredits > 0)
        {
            // One grant id per account: the opening grant is made once, however often it is asked for.
            await writer.SubmitAsync<GrantOutcome>(accountId, new GrantCredits(accountId, initialCredits, "opening balance", $"opening:{accountId}"));
        }
        else
        {
            await writer.SubmitAsync<bool>(accountId, new OpenLedger(accountId));
        }
    }
}
