using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Verging.AiProxy.Providers;
using Verging.AiProxy.RateLimits;
using Verging.Credits.Contracts;
using Verging.SharedKernel;
using Wolverine;

namespace Verging.AiProxy.Billing;

/// <summary>What a fixed-price call produced: the credits it really costs (0 = empty result) and the response.</summary>
public sealed record PaidResult(long Cost, string Model, double Units, Func<long, object> Response);

/// <summary>
/// Imagegen, TTS and STT: rate limit → freeze the price → call the provider → settle the real cost
/// (e.g. only the images actually returned) or release everything on failure or an empty result →
/// publish the usage event. Nothing reaches the provider when the request is refused.
/// </summary>
public sealed class PaidRequest(RateLimiter rateLimiter, TimeProvider clock, ILogger<PaidRequest> logger)
{
    public async Task<IResult> RunAsync(
        HttpContext http, IMessageBus bus, string service, string model, long price, Func<CancellationToken, Task<PaidResult>> work)
    {
        var started = Stopwatch.GetTimestamp();
        var caller = Caller.From(http.User);
        var requestId = Guid.CreateVersion7();

        if (await AdmitAsync(http, bus, caller, requestId, service, model, started) is { } refused)
        {
            return refused;
        }

        var hold = new CreditHold(bus, caller.AccountId, requestId, service);
        var frozen = await hold.FreezeAsync(price, 0);
        if (frozen.Status != FreezeStatus.Frozen)
        {
            await UsageEvents.FailedAsync(bus, caller, requestId, service, model, "insufficient_credits", ErrorCodes.InsufficientCredits, started, clock);
            return ApiError.InsufficientCredits(frozen.Required, frozen.Available);
        }

        PaidResult result;
        try
        {
            result = await work(http.RequestAborted);
            if (result.Cost <= 0)
            {
                throw new ProviderException(ProviderFailure.EmptyResult, "The provider returned nothing");
            }
        }
        catch (ProviderException e)
        {
            await hold.ReleaseAsync($"provider failure: {e.Failure}");
            logger.LogWarning("{Service} request {RequestId} failed at the provider: {Failure} {Status}", service, requestId, e.Failure, e.UpstreamStatus);
            var error = ProviderErrors.ToError(e);
            await UsageEvents.FailedAsync(bus, caller, requestId, service, model, ProviderErrors.Status(e), error.ErrorCode, started, clock);
            return error;
        }
        catch (Exception)
        {
            // Whatever went wrong (the client left, storage failed), the customer pays nothing for it.
            await hold.ReleaseAsync(http.RequestAborted.IsCancellationRequested ? "client disconnected before an answer" : "request failed");
            await UsageEvents.AbandonedAsync(bus, caller, requestId, service, model, http.RequestAborted.IsCancellationRequested, started, clock);
            throw;
        }

        var settled = await hold.SettleAsync(result.Cost, UsageEvents.Completed(caller, requestId, service, result.Model, 0, 0, result.Units, started, clock));
        // A response that is not JSON (a transcript as srt) comes as its own result.
        var response = result.Response(settled.Consumed);
        return response as IResult ?? Results.Json(response);
    }

    /// <summary>The rate limit: headers on every response; 429 (free, no provider call) past the limit.</summary>
    public async Task<IResult?> AdmitAsync(HttpContext http, IMessageBus bus, Caller caller, Guid requestId, string service, string model, long started)
    {
        var limit = await rateLimiter.AcquireAsync(caller.AccountId, service, http.RequestAborted);
        RateLimiter.WriteHeaders(http.Response, limit);
        if (limit.Allowed)
        {
            return null;
        }

        await UsageEvents.FailedAsync(bus, caller, requestId, service, model, "rate_limited", ErrorCodes.TooManyRequests, started, clock);
        return new ApiError(429, ErrorCodes.TooManyRequests,
            $"Rate limit exceeded: {limit.Limit} {service} requests per window; retry in {limit.ResetSeconds} s");
    }
}
