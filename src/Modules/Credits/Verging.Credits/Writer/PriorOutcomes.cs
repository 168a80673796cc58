using Marten;
using Verging.Credits.Contracts;
using Verging.Credits.Ledger;

namespace Verging.Credits.Writer;

/// <summary>
/// Loads, in one round trip per kind, what is known about the idempotency ids of a batch: ended
/// reservations (for freezes, settles and releases whose hold is not in the state) and applied
/// one-shot operations, always within the command's own account. Later commands of the same batch
/// see what earlier ones recorded.
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

    public static async Task<PriorOutcomes> LoadAsync(
        IDocumentSession session, List<PendingCommand> batch, Dictionary<Guid, Ledger.Ledger?> states, CancellationToken cancellation)
    {
        var reservationKeys = new List<string>();
        var operationKeys = new List<string>();
        foreach (var pending in batch)
        {
            var holds = states[pending.AccountId]?.Holds;
            if (ReservationOf(pending.Command) is { } reservation && (holds is null || !holds.ContainsKey(reservation)))
            {
                reservationKeys.Add(ReservationRecord.KeyFor(pending.AccountId, reservation));
            }
            else if (OperationOf(pending.Command) is { } operation)
            {
                operationKeys.Add(LedgerOperation.KeyFor(pending.AccountId, operation));
            }
        }

        var reservations = reservationKeys.Count == 0
            ? []
            : (await session.LoadManyAsync<ReservationRecord>(cancellation, reservationKeys)).ToDictionary(r => r.Id);
        var operations = operationKeys.Count == 0
            ? []
            : (await session.LoadManyAsync<LedgerOperation>(cancellation, operationKeys)).ToDictionary(o => o.Id);
        return new PriorOutcomes(reservations, operations);
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
