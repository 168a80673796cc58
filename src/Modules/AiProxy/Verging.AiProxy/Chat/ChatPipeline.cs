using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Verging.AiProxy.Billing;
using Verging.AiProxy.Contracts;
using Verging.AiProxy.Pricing;
using Verging.AiProxy.Providers;
using Verging.AiProxy.RateLimits;
using Verging.Credits.Contracts;
using Verging.SharedKernel;
using Wolverine;

namespace Verging.AiProxy.Chat;

/// <summary>
/// Chat and vision, billed exactly: rate limit → price the worst case and freeze it (clamping
/// max_tokens to what the available credits pay for) → call the provider → settle what was really
/// used, or release everything on failure → publish the usage event. No provider call is made for a
/// request that is refused (429, 402).
/// </summary>
public sealed class ChatPipeline(
    IAiProvider provider, TokenCounter tokens, RateLimiter rateLimiter, TimeProvider clock, ILogger<ChatPipeline> logger)
{
    public const long DefaultMaxTokens = 4096;

    public async Task<IResult> RunAsync(HttpContext http, IMessageBus bus, ChatCompletionRequest request, long? requestedMaxTokens, bool stream, string service)
    {
        var started = Stopwatch.GetTimestamp();
        var caller = Caller.From(http.User);
        var requestId = Guid.CreateVersion7();
        var vision = service == "vision";

        var limit = await rateLimiter.AcquireAsync(caller.AccountId, service, http.RequestAborted);
        RateLimiter.WriteHeaders(http.Response, limit);
        if (!limit.Allowed)
        {
            await Failed(bus, caller, requestId, service, request.Model, "rate_limited", ErrorCodes.TooManyRequests, started);
            return new ApiError(429, ErrorCodes.TooManyRequests,
                $"Rate limit exceeded: {limit.Limit} {service} requests per window; retry in {limit.ResetSeconds} s");
        }

        var inputTokens = tokens.CountPrompt(request.Messages);
        var hold = new CreditHold(bus, caller.AccountId, requestId, service);
        var maxTokens = requestedMaxTokens ?? DefaultMaxTokens;
        var frozen = await hold.FreezeAsync(AiPricing.WorstCase(inputTokens, maxTokens, vision), AiPricing.MinimumAvailableForChat);
        if (frozen.Status == FreezeStatus.Insufficient && frozen.Available >= AiPricing.MinimumAvailableForChat)
        {
            // The worst case does not fit, but the balance pays for a shorter answer: clamp max_tokens.
            maxTokens = Math.Min(maxTokens, AiPricing.AffordableOutputTokens(frozen.Available, inputTokens, vision));
            if (maxTokens >= 1)
            {
                frozen = await hold.FreezeAsync(AiPricing.WorstCase(inputTokens, maxTokens, vision), AiPricing.MinimumAvailableForChat);
            }
        }

        if (frozen.Status != FreezeStatus.Frozen)
        {
            var required = Math.Max(AiPricing.MinimumAvailableForChat, AiPricing.WorstCase(inputTokens, 1, vision));
            await Failed(bus, caller, requestId, service, request.Model, "insufficient_credits", ErrorCodes.InsufficientCredits, started);
            return ApiError.InsufficientCredits(Math.Max(required, frozen.Required), frozen.Available);
        }

        var call = request with { MaxTokens = maxTokens };
        return stream
            ? new ChatStreamResult(this, bus, call, caller, hold, inputTokens, started, service)
            : await CompleteAsync(bus, call, caller, hold, inputTokens, started, service, http.RequestAborted);
    }

    private async Task<IResult> CompleteAsync(
        IMessageBus bus, ChatCompletionRequest call, Caller caller, CreditHold hold, long inputTokens, long started, string service, CancellationToken aborted)
    {
        ChatCompletionResult result;
        try
        {
            result = await provider.CompleteAsync(call, aborted);
            if (string.IsNullOrEmpty(result.Content))
            {
                throw new ProviderException(ProviderFailure.EmptyResult, "The provider returned an empty completion");
            }
        }
        catch (ProviderException e)
        {
            return await FailAsync(bus, hold, caller, call.Model, service, e, started);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            await hold.ReleaseAsync("client disconnected before an answer");
            throw;
        }

        var prompt = result.PromptTokens > 0 ? result.PromptTokens : inputTokens;
        var cost = Price(service, prompt, result.CompletionTokens);
        var settled = await hold.SettleAsync(cost);
        await Completed(bus, caller, hold.RequestId, service, result.Model, prompt, result.CompletionTokens, settled.Consumed, started);
        return Results.Json(new ChatResponse(result.Content, new TokenUsage(prompt, result.CompletionTokens, prompt + result.CompletionTokens),
            settled.Consumed, result.Model));
    }

    internal IAiProvider Provider => provider;

    internal TokenCounter Tokens => tokens;

    internal static long Price(string service, long prompt, long completion) =>
        service == "vision" ? AiPricing.Vision(prompt, completion) : AiPricing.Chat(prompt, completion);

    internal async Task<ApiError> FailAsync(IMessageBus bus, CreditHold hold, Caller caller, string model, string service, ProviderException e, long started)
    {
        await hold.ReleaseAsync($"provider failure: {e.Failure}");
        var error = ToError(e);
        logger.LogWarning("{Service} request {RequestId} failed at the provider: {Failure} {Status}", service, hold.RequestId, e.Failure, e.UpstreamStatus);
        await Failed(bus, caller, hold.RequestId, service, model, e.Failure == ProviderFailure.UpstreamError ? "upstream_error" : e.Failure == ProviderFailure.EmptyResult ? "empty_result" : "upstream_timeout", error.ErrorCode, started);
        return error;
    }

    internal static ApiError ToError(ProviderException e) => e.Failure switch
    {
        ProviderFailure.Timeout => new ApiError(503, ErrorCodes.ServiceUnavailable, "The AI provider did not answer in time; nothing was charged"),
        ProviderFailure.Unreachable => new ApiError(503, ErrorCodes.ServiceUnavailable, "The AI provider is unreachable; nothing was charged"),
        ProviderFailure.EmptyResult => new ApiError(502, ErrorCodes.BadGateway, "The AI provider returned an empty result; nothing was charged", e.UpstreamError),
        _ => new ApiError(502, ErrorCodes.BadGateway, $"The AI provider returned an error{(e.UpstreamStatus is { } s ? $" ({s})" : string.Empty)}; nothing was charged",
            e.UpstreamError ?? (e.UpstreamStatus is { } st ? new JsonObject { ["status"] = st } : null)),
    };

    internal Task Completed(IMessageBus bus, Caller caller, Guid requestId, string service, string model, long input, long output, long credits, long started) =>
        bus.PublishAsync(new AiRequestCompleted(requestId, caller.AccountId, caller.ApiKeyId, service, model, input, output, 0, credits,
            (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, clock.GetUtcNow())).AsTask();

    internal Task Failed(IMessageBus bus, Caller caller, Guid requestId, string service, string model, string status, int errorCode, long started) =>
        bus.PublishAsync(new AiRequestFailed(requestId, caller.AccountId, caller.ApiKeyId, service, model, status, errorCode,
            (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, clock.GetUtcNow())).AsTask();
}
