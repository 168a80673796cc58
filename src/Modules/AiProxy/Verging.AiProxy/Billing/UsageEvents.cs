using System.Diagnostics;
using Verging.AiProxy.Contracts;
using Verging.SharedKernel;
using Wolverine;

namespace Verging.AiProxy.Billing;

/// <summary>The usage contracts (durable, through Wolverine) that the Usage module records.</summary>
public static class UsageEvents
{
    /// <summary>A completed request's event, for <paramref name="credits"/> charged; published with its settle (<see cref="CreditHold.SettleAsync"/>).</summary>
    public static Func<long, AiRequestCompleted> Completed(Caller caller, Guid requestId, string service, string model,
        long input, long output, double units, long startedTimestamp, TimeProvider clock, string status = "success")
    {
        var latency = (long)Stopwatch.GetElapsedTime(startedTimestamp).TotalMilliseconds;
        var at = clock.GetUtcNow();
        return credits => new AiRequestCompleted(requestId, caller.AccountId, caller.ApiKeyId, service, model, input, output, units, credits, latency, at, status);
    }

    /// <summary>
    /// A request that ended without an answer for a reason of ours or the client's (not the provider's):
    /// the client went away (<paramref name="aborted"/>), or something failed here. Recorded with 0 credits.
    /// </summary>
    public static Task AbandonedAsync(IMessageBus bus, Caller caller, Guid requestId, string service, string model,
        bool aborted, long startedTimestamp, TimeProvider clock) =>
        FailedAsync(bus, caller, requestId, service, model, aborted ? "client_disconnected" : "internal_error",
            aborted ? ErrorCodes.ClientClosedRequest : ErrorCodes.InternalError, startedTimestamp, clock);

    public static Task FailedAsync(IMessageBus bus, Caller caller, Guid requestId, string service, string model,
        string status, int errorCode, long startedTimestamp, TimeProvider clock) =>
        bus.PublishAsync(new AiRequestFailed(requestId, caller.AccountId, caller.ApiKeyId, service, model, status, errorCode,
            (long)Stopwatch.GetElapsedTime(startedTimestamp).TotalMilliseconds, clock.GetUtcNow())).AsTask();
}
