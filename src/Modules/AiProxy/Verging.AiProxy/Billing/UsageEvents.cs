using System.Diagnostics;
using Verging.AiProxy.Contracts;
using Verging.SharedKernel;
using Wolverine;

namespace Verging.AiProxy.Billing;

/// <summary>Publishes the usage contracts (durably, through Wolverine) that the Usage module records.</summary>
public static class UsageEvents
{
    public static Task CompletedAsync(IMessageBus bus, Caller caller, Guid requestId, string service, string model,
        long input, long output, double units, long credits, long startedTimestamp, TimeProvider clock) =>
        bus.PublishAsync(new AiRequestCompleted(requestId, caller.AccountId, caller.ApiKeyId, service, model, input, output, units, credits,
            (long)Stopwatch.GetElapsedTime(startedTimestamp).TotalMilliseconds, clock.GetUtcNow())).AsTask();

    public static Task FailedAsync(IMessageBus bus, Caller caller, Guid requestId, string service, string model,
        string status, int errorCode, long startedTimestamp, TimeProvider clock) =>
        bus.PublishAsync(new AiRequestFailed(requestId, caller.AccountId, caller.ApiKeyId, service, model, status, errorCode,
            (long)Stopwatch.GetElapsedTime(startedTimestamp).TotalMilliseconds, clock.GetUtcNow())).AsTask();
}
