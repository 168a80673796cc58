using Verging.Credits.Contracts;
using Verging.Credits.Writer;

namespace Verging.Credits.Handlers;

/// <summary>Ends a hold by giving it all back. Answered once the change is committed by the <see cref="LedgerWriter"/>.</summary>
public static class ReleaseCreditsHandler
{
    public static Task<ReservationOutcome> Handle(ReleaseCredits command, LedgerWriter writer) =>
        writer.SubmitAsync<ReservationOutcome>(command.AccountId, command);
}
