using Verging.Credits.Contracts;
using Verging.Credits.Ledger;

namespace Verging.Credits.Writer;

/// <summary>
/// What is known about the idempotency ids of a batch (loaded with the stream locks): ended
/// reservations and applied one-shot operations, always within the command's own account. Later
/// commands of the same batch see what earlier ones recorded.
/// </summary>
internal sealed class PriorOutcomes
{
    private readonly Dictionary<string, ReservationRecord> _reservations;
    private readonly Dictionary<string, LedgerOperation> _operations;

    private PriorOutcomes(Dictionary<string, ReservationRecord> reservations, Dictionary<string, LedgerOperation> operations)
    {
        _reservations = reservations;
        _operations = operations;
    }

    /// <summary>Nothing known yet: a batch decided on cached states only (see <see cref="OptimisticBatch"/>).</summary>
    public static PriorOutcomes None() => new([], []);

    public PriorOutcomes(LockedBatch loaded)
        : this(loaded.Reservations, loaded.Operations)
    {
    }

    /// <summary>
    /// The record keys a batch may need: every reservation its freezes, settles and releases name
    /// (whether or not the hold is still in the state: a superset costs nothing in the same round
    /// trip) and every one-shot operation id, each within the command's account.
    /// </summary>
    public static (List<string> Reservations, List<string> Operations) KeysOf(List<PendingCommand> batch)
    {
        var reservations = new List<string>();
        var operations = new List<string>();
        foreach (var pending in batch)
        {
            if (ReservationOf(pending.Command) is { } reservation)
            {
                reservations.Add(ReservationRecord.KeyFor(pending.AccountId, reservation));
            }
            else if (OperationOf(pending.Command) is { } operation)
            {
                operations.Add(LedgerOperation.KeyFor(pending.AccountId, operation));
            }
        }

        return (reservations, operations);
    }

    public PriorOutcome For(Guid accountId, object command)
    {
        if (ReservationOf(command) is { } reservation)
        {
            return new PriorOutcome(_reservations.GetValueOrDefault(ReservationRecord.KeyFor(accountId, reservation)), null);
        }

        return OperationOf(command) is { } operation
            ? new PriorOutcome(null, _operations.GetValueOrDefault(LedgerOperation.KeyFor(accountId, operation)))
            : PriorOutcome.None;
    }

    public void Remember(ReservationRecord record) => _reservations[record.Id] = record;

    public void Remember(LedgerOperation operation) => _operations[operation.Id] = operation;

    private static Guid? ReservationOf(object command) => command switch
    {
        FreezeCredits c => c.ReservationId,
        SettleCredits c => c.ReservationId,
        ReleaseCredits c => c.ReservationId,
        _ => null,
    };

    private static string? OperationOf(object command) => command switch
    {
        GrantCredits c => c.GrantId,
        PurchaseCredits c => c.PaymentId,
        AdjustCredits c => c.AdjustmentId,
        RefundCredits c => c.RefundId,
        _ => null,
    };
}
