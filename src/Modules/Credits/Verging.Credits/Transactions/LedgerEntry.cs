namespace Verging.Credits.Transactions;

/// <summary>
/// One row of an account's transaction history, projected from one ledger event.
/// <see cref="Amount"/> is the change of the balance (credits owned), <see cref="FrozenChange"/> the
/// change of held credits; summing either over an account gives its balance or frozen amount.
/// </summary>
public sealed record LedgerEntry(
    long Id,
    Guid AccountId,
    string Type,
    long Amount,
    long FrozenChange,
    long BalanceAfter,
    long FrozenAfter,
    Guid? ReservationId,
    string? Purpose,
    string? Reason,
    DateTimeOffset CreatedAt)
{
    public long AvailableAfter => BalanceAfter - FrozenAfter;

    public static readonly string[] Types = ["grant", "purchase", "freeze", "settle", "release", "expire", "refund", "adjustment"];
}
