using Verging.Credits.Contracts;
using Verging.Credits.Ledger;

namespace Verging.Credits.Writer;

/// <summary>
/// Refuses malformed commands before they are queued, so that one caller's bad command can never
/// fail a batch that also holds other callers' commands.
/// </summary>
internal static class LedgerCommandShape
{
    public static void Check(object command)
    {
        var problem = command switch
        {
            FreezeCredits c when c.Amount < 1 => "a freeze needs an amount of at least 1",
            FreezeCredits c when string.IsNullOrWhiteSpace(c.Purpose) => "a freeze needs a purpose",
            FreezeCredits c when c.MinimumAvailable < 0 => "minimum available cannot be negative",
            SettleCredits c when c.Consumed < 0 => "a settle cannot consume a negative amount",
            GrantCredits c when c.Amount < 1 => "a grant needs an amount of at least 1",
            GrantCredits c when string.IsNullOrWhiteSpace(c.GrantId) => "a grant needs a grant id",
            PurchaseCredits c when c.Amount < 1 || string.IsNullOrWhiteSpace(c.PaymentId) => "a purchase needs an amount and a payment id",
            RefundCredits c when c.Amount < 1 || string.IsNullOrWhiteSpace(c.RefundId) => "a refund needs an amount and a refund id",
            AdjustCredits c when c.Amount == 0 || string.IsNullOrWhiteSpace(c.AdjustmentId) => "an adjustment needs a non-zero amount and an id",
            OpenLedger or FreezeCredits or SettleCredits or ReleaseCredits or ExpireHold or GrantCredits
                or PurchaseCredits or RefundCredits or AdjustCredits => null,
            _ => $"not a ledger command: {command.GetType().Name}",
        };

        if (problem is not null)
        {
            throw new ArgumentException(problem, nameof(command));
        }
    }
}
