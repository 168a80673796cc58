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
    IAiProvider provider, TokenCounter tokens, PaidRequest admission, TimeProvider clock, ILogger<ChatPipeline> logger)
{
    public const long DefaultMaxTokens = 4096;

    public async Task<IResult> RunAsync(HttpContext http, IMessageBus bus, ChatCompletionRequest request, long? requestedMaxTokens, bool stream, string service)
    {
        var started = Stopwatch.GetTimestamp();
        var caller = Caller.From(http.User);
        var requestId = Guid.CreateVersion7();
        var vision = service == "vision";

        if (await admission.AdmitAsync(http, bus, caller, requestId, service, request.Model, started) is { } refused)
        {
            return refused;
        }

        var inputTokens = tokens.CountPrompt(request.Messages);
        // The hold must cover input the text count cannot see: the image of a vision request.
        var heldInput = inputTokens + (request.Image is null ? 0 : AiPricing.ImageTokenAllowance);
        var hold = new CreditHold(bus, caller.AccountId, requestId, service);
        var maxTokens = requestedMaxTokens ?? DefaultMaxTokens;
        var frozen = await hold.FreezeAsync(AiPricing.WorstCase(heldInput, maxTokens, vision), AiPricing.MinimumAvailableForChat);
        if (frozen.Status == FreezeStatus.Insufficient && frozen.Available >= AiPricing.MinimumAvailableForChat)
        {
            // The worst case does not fit, but the balance pays for a shorter answer: clamp max_tokens.
            maxTokens = Math.Min(maxTokens, AiPricing.AffordableOutputTokens(frozen.Available, heldInput, vision));
            if (maxTokens >= 1)
            {
                frozen = await hold.FreezeAsync(AiPricing.WorstCase(heldInput, maxTokens, vision), AiPricing.MinimumAvailableForChat);
            }
        }

        if (frozen.Status != FreezeStatus.Frozen)
        {
            var required = Math.Max(AiPricing.MinimumAvailableForChat, AiPricing.WorstCase(heldInput, 1, vision));
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
        var settled = await hold.SettleAsync(cost, Completed(caller, hold.RequestId, service, result.Model, prompt, result.CompletionTokens, started));
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
        var error = ProviderErrors.ToError(e);
        logger.LogWarning("{Service} request {RequestId} failed at the provider: {Failure} {Status}", service, hold.RequestId, e.Failure, e.UpstreamStatus);
        await UsageEvents.FailedAsync(bus, caller, hold.RequestId, service, model, ProviderErrors.Status(e), error.ErrorCode, started, clock);
        return error;
    }

    internal Func<long, object> Completed(Caller caller, Guid requestId, string service, string model, long input, long output, long started) =>
        UsageEvents.Completed(caller, requestId, service, model, input, output, 0, started, clock);

    internal Task Failed(IMessageBus bus, Caller caller, Guid requestId, string service, string model, string status, int errorCode, long started) =>
        UsageEvents.FailedAsync(bus, caller, requestId, service, model, status, errorCode, started, clock);
}
