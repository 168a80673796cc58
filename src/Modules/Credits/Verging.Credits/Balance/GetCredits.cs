using System.Security.Claims;
using Marten;
using Verging.SharedKernel;
using Wolverine.Http;

namespace Verging.Credits.Balance;

public sealed record CreditBalance(long Balance, long Frozen, long Available);

public static class GetCreditsEndpoint
{
    /// <summary>The caller's credits now: the balance document the writer commits with every change.</summary>
    [WolverineGet("/api/v1/credits", Name = "GetCredits")]
    public static async Task<CreditBalance> Get(ClaimsPrincipal user, IQuerySession session)
    {
        var ledger = await session.LoadAsync<Ledger.Ledger>(Caller.From(user).AccountId);
        return ledger is null ? new CreditBalance(0, 0, 0) : new CreditBalance(ledger.Balance, ledger.Frozen, ledger.Available);
    }
}
