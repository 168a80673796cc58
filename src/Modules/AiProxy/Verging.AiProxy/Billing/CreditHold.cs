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
    private Task<FreezeOutcome>? _durable;

    public Guid RequestId => requestId;
    public long Amount { get; private set; }

    /// <summary>Asks for the hold and returns its durable answer.</summary>
    public Task<FreezeOutcome> FreezeAsync(long amount, long minimumAvailable)
    {
        _durable = bus.InvokeAsync<FreezeOutcome>(new FreezeCredits(accountId, requestId, amount, purpose, minimumAvailable));
        return ConfirmAsync();
    }

    /// <summary>
    /// Asks for the hold and returns as soon as the ledger has decided to hold it, while the hold's
    /// commit is still on its way (ADR 0018); a refusal is returned once it is the durable answer.
    /// Work started on a <see cref="FreezeStatus.Frozen"/> answer must <see cref="ConfirmAsync"/>
    /// before it delivers anything: only the durable answer counts.
    /// </summary>
    public async Task<FreezeOutcome> DecideFreezeAsync(long amount, long minimumAvailable)
    {
        var decided = new TaskCompletionSource<FreezeOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        _durable = bus.InvokeAsync<FreezeOutcome>(
            new FreezeCredits(accountId, requestId, amount, purpose, minimumAvailable) { OnDecided = frozen => decided.TrySetResult(frozen) });
        if (await Task.WhenAny(decided.Task, _durable) == decided.Task)
        {
            return await decided.Task;
        }

        return await ConfirmAsync();
    }

    /// <summary>The durable answer to the last freeze asked for: the hold exists only if this says so.</summary>
    public async Task<FreezeOutcome> ConfirmAsync()
    {
        var outcome = await (_durable ?? throw new InvalidOperationException("No freeze was asked for"));
        Amount = outcome.Status == FreezeStatus.Frozen ? outcome.Amount : 0;
        return outcome;
    }

    /// <summary>
    /// Charges <paramref name="consumed"/> (never more than held), gives back the rest, and records
    /// the usage: the ledger publishes the event in the settle's own transaction, so the charge and
    /// its usage record are durable together before the client is answered. If the hold had already
    /// ended (expired under a very slow stream), the event is published here with what was really charged.
    /// </summary>
    public async Task<ReservationOutcome> SettleAsync(long consumed, Func<long, object> usage)
    {
        var charged = Math.Min(consumed, Amount);
        var outcome = await bus.InvokeAsync<ReservationOutcome>(new SettleCredits(accountId, requestId, charged, usage(charged)));
        if (outcome is not { End: ReservationEnd.Settled, Repeated: false })
        {
            await bus.PublishAsync(usage(outcome.End == ReservationEnd.Settled ? outcome.Consumed : 0));
        }

        return outcome;
    }

    public Task<ReservationOutcome> ReleaseAsync(string reason) =>
        bus.InvokeAsync<ReservationOutcome>(new ReleaseCredits(accountId, requestId, reason));
}
