using Verging.Credits.Contracts;
using Verging.Credits.Writer;

namespace Verging.Credits.Handlers;

/// <summary>Ends a hold by consuming what the work really cost. Answered once the change is committed by the <see cref="LedgerWriter"/>.</summary>
public static class SettleCreditsHandler
{
    public static Task<ReservationOutcome> Handle(SettleCredits command, LedgerWriter writer) =>
        writer.SubmitAsync<ReservationOutcome>(command.AccountId, command);
}
