using Verging.Credits.Contracts;
using Wolverine;

namespace Verging.AiProxy.Billing;

/// <summary>
/// A request's credit hold, through the Credits module's contracts: freeze before the provider is
/// called, then exactly one of settle (what was really used) or release (nothing is charged).
/// The request id is the reservation id, so a retry can never hold twice.
/// </summary>
public sealed class CreditHold(IMessageBus bus, Guid accountId, Guid requestId, string purpose)
{
    public Guid RequestId => requestId;
    public long Amount { get; private set; }

    public async Task<FreezeOutcome> FreezeAsync(long amount, long minimumAvailable)
    {
        var outcome = await bus.InvokeAsync<FreezeOutcome>(new FreezeCredits(accountId, requestId, amount, purpose, minimumAvailable));
        if (outcome.Status == FreezeStatus.Frozen)
        {
            Amount = outcome.Amount;
        }

        return outcome;
    }

    /// <summary>Charges <paramref name="consumed"/> (never more than held) and gives back the rest.</summary>
    public Task<ReservationOutcome> SettleAsync(long consumed) =>
        bus.InvokeAsync<ReservationOutcome>(new SettleCredits(accountId, requestId, Math.Min(consumed, Amount)));

    public Task<ReservationOutcome> ReleaseAsync(string reason) =>
        bus.InvokeAsync<ReservationOutcome>(new ReleaseCredits(accountId, requestId, reason));
}
