using Verging.Credits.Contracts;
using Verging.Credits.Writer;

namespace Verging.Credits.Handlers;

/// <summary>Adds credits (admin grants, opening balances). Answered once the change is committed by the <see cref="LedgerWriter"/>.</summary>
public static class GrantCreditsHandler
{
    public static Task<GrantOutcome> Handle(GrantCredits command, LedgerWriter writer) =>
        writer.SubmitAsync<GrantOutcome>(command.AccountId, command);
}
