using Npgsql;
using Verging.Credits.Ledger;
using Verging.Credits.Writer;
using Wolverine;

namespace Verging.Credits.Handlers;

/// <summary>
/// The scheduled expiry check of an account: gives back each open hold due by then, through the
/// writer like any other command (a hold settled meanwhile is left alone: ExpireHold decides under
/// the stream lock).
/// </summary>
public static class ExpireDueHoldsHandler
{
    public static async Task Handle(ExpireDueHolds command, LedgerWriter writer, NpgsqlDataSource dataSource, IMessageBus bus, TimeProvider clock, CancellationToken cancellation)
    {
        var due = await LedgerDocuments.DueHoldsAsync(dataSource, command.AccountId, command.DueAt, cancellation);
        var outcomes = await Task.WhenAll(due.Select(reservation =>
            writer.SubmitAsync<ExpireOutcome>(command.AccountId, new ExpireHold(command.AccountId, reservation))));
        if (outcomes.Any(o => o.NotDueYet))
        {
            // Delivered early (clock skew between instances): look again shortly.
            await bus.ScheduleAsync(command, clock.GetUtcNow().AddSeconds(5));
        }
    }
}
