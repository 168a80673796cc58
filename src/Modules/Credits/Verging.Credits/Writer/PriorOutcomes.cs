using Marten;
using Verging.Credits.Contracts;
using Verging.Credits.Ledger;

namespace Verging.Credits.Writer;

/// <summary>
/// Loads, in one round trip per kind, what is known about the idempotency ids of a batch: ended
/// reservations (for freezes, settles and releases whose hold is not in the state) and applied
/// one-shot operations. Later commands of the same batch see what earlier ones recorded.
/// </summary>
internal sealed class PriorOutcomes
{
    private readonly Dictionary<Guid, ReservationRecord> _reservations;
    private readonly Dictionary<string, LedgerOperation> _operations;

    private PriorOutcomes(Dictionary<Guid, ReservationRecord> reservations, Dictionary<string, LedgerOperation> operations)
    {
        _reservations = reservations;
        _operations = operations;
    }

    public static async Task<PriorOutcomes> LoadAsync(
        IDocumentSession session, List<PendingCommand> batch, Dictionary<Guid, Ledger.Ledger?> states, CancellationToken cancellation)
    {
        var reservationIds = new List<Guid>();
        var operationIds = new List<string>();
        foreach (var pending in batch)
        {
            var holds = states[pending.AccountId]?.Holds;
            switch (pending.Command)
            {
                case FreezeCredits c when holds is null || !holds.ContainsKey(c.ReservationId):
                    reservationIds.Add(c.ReservationId);
                    break;
                case SettleCredits c when holds is null || !holds.ContainsKey(c.ReservationId):
                    reservationIds.Add(c.ReservationId);
                    break;
                case ReleaseCredits c when holds is null || !holds.ContainsKey(c.ReservationId):
                    reservationIds.Add(c.ReservationId);
                    break;
                default:
                    if (OperationId(pending.Command) is { } id)
                    {
                        operationIds.Add(id);
                    }

                    break;
            }
        }

        var reservations = reservationIds.Count == 0
            ? []
            : (await session.LoadManyAsync<ReservationRecord>(cancellation, reservationIds)).ToDictionary(r => r.Id);
        var operations = operationIds.Count == 0
            ? []
            : (await session.LoadManyAsync<LedgerOperation>(cancellation, operationIds)).ToDictionary(o => o.Id);
        return new PriorOutcomes(reservations, operations);
    }

    public PriorOutcome For(object command)
    {
        var reservationId = command switch
        {
            FreezeCredits c => c.ReservationId,
            SettleCredits c => c.ReservationId,
            ReleaseCredits c => c.ReservationId,
            _ => (Guid?)null,
        };
        if (reservationId is { } rid)
        {
            return new PriorOutcome(_reservations.GetValueOrDefault(rid), null);
        }

        return OperationId(command) is { } oid ? new PriorOutcome(null, _operations.GetValueOrDefault(oid)) : PriorOutcome.None;
    }

    public void Remember(ReservationRecord record) => _reservations[record.Id] = record;

    public void Remember(LedgerOperation operation) => _operations[operation.Id] = operation;

    private static string? OperationId(object command) => command switch
    {
        GrantCredits c => c.GrantId,
        PurchaseCredits c => c.PaymentId,
        AdjustCredits c => c.AdjustmentId,
        RefundCredits c => c.RefundId,
        _ => null,
    };
}
