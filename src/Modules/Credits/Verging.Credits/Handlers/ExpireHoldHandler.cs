using Verging.Credits.Ledger;
using Verging.Credits.Writer;
using Wolverine;

namespace Verging.Credits.Handlers;

/// <summary>Gives a hold back if it is due and has not ended already (sent by the expiry check; earlier versions scheduled one per hold).</summary>
public static class ExpireHoldHandler
{
    public static async Task Handle(ExpireHold command, LedgerWriter writer, IMessageBus bus, TimeProvider clock)
    {
        var outcome = await writer.SubmitAsync<ExpireOutcome>(command.AccountId, command);
        if (outcome.NotDueYet)
        {
            // Delivered early (clock skew between instances): look again shortly.
            await bus.ScheduleAsync(command, clock.GetUtcNow().AddSeconds(5));
        }
    }
}
