using Verging.Credits.Contracts;
using Verging.Credits.Writer;

namespace Verging.Credits.Handlers;

/// <summary>Holds credits before paid work (sent by AiProxy and Jobs). Answered once the change is committed by the <see cref="LedgerWriter"/>.</summary>
public static class FreezeCreditsHandler
{
    public static Task<FreezeOutcome> Handle(FreezeCredits command, LedgerWriter writer) =>
        writer.SubmitAsync<FreezeOutcome>(command.AccountId, command);
}
