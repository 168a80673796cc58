using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Verging.AiProxy.Billing;
using Verging.AiProxy.Contracts;
using Verging.AiProxy.Pricing;
using Verging.AiProxy.Providers;
using Verging.AiProxy.RateLimits;
using Verging.AiProxy.Vision;
using Verging.Credits.Contracts;
using Verging.SharedKernel;
using Wolverine;

namespace Verging.AiProxy.Chat;

/// <summary>
/// Chat and vision, billed exactly: rate limit → price the worst case and freeze it (clamping
/// max_tokens to what the available credits pay for) → call the provider → settle what was really
/// used, or release everything on failure → publish the usage event. No provider call is made for a
/// request that is refused (429, 402). The provider is called as soon as the ledger has decided to
/// hold, while the hold's commit is on its way; nothing is delivered or charged before the hold is
/// durable (ADR 0018).
/// </summary>
public sealed class ChatPipeline(
    IAiProvider provider, TokenCounter tokens, PaidRequest admission, VisionImageSource images, TimeProvider clock, ILogger<ChatPipeline> logger)
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
        var frozen = await hold.DecideFreezeAsync(AiPricing.WorstCase(heldInput, maxTokens, vision), AiPricing.MinimumAvailableForChat);
        if (frozen.Status == FreezeStatus.Insufficient && frozen.Available >= AiPricing.MinimumAvailableForChat)
        {
            // The worst case does not fit, but the balance pays for a shorter answer: clamp max_tokens.
            maxTokens = Math.Min(maxTokens, AiPricing.AffordableOutputTokens(frozen.Available, heldInput, vision));
            if (maxTokens >= 1)
            {
                frozen = await hold.DecideFreezeAsync(AiPricing.WorstCase(heldInput, maxTokens, vision), AiPricing.MinimumAvailableForChat);
            }
        }

        var paid = new ChatCall(request with { MaxTokens = maxTokens }, caller, hold, service, inputTokens,
            Math.Max(AiPricing.MinimumAvailableForChat, AiPricing.WorstCase(heldInput, 1, vision)), started);
        if (frozen.Status != FreezeStatus.Frozen)
        {
            return await RefuseAsync(bus, paid, frozen);
        }

        return stream
            ? new ChatStreamResult(this, bus, paid)
            : await CompleteAsync(bus, paid, http.RequestAborted);
    }

    private async Task<IResult> CompleteAsync(IMessageBus bus, ChatCall paid, CancellationToken aborted)
    {
        var (call, caller, hold, service, inputTokens, _, started) = paid;
        using var upstream = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        var answer = call.Image is { Bytes: null } ? AskWithFetchedImageAsync(call, upstream.Token) : AskAsync(call, upstream.Token);
        if (await ConfirmHoldAsync(bus, paid, answer, upstream) is { } refused)
        {
            return refused;
        }

        ChatCompletionResult result;
        try
        {
            result = await answer;
            if (string.IsNullOrEmpty(result.Content))
            {
                throw new ProviderException(ProviderFailure.EmptyResult, "The provider returned an empty completion");
            }
        }
        catch (ProviderException e)
        {
            return await FailAsync(bus, hold, caller, call.Model, service, e, started);
        }
        catch (VisionImageException e)
        {
            await hold.ReleaseAsync("the image_url could not be used");
            await Failed(bus, caller, hold.RequestId, service, call.Model, "invalid_image", e.Error.ErrorCode, started);
            return e.Error;
        }
        catch (Exception) when (aborted.IsCancellationRequested)
        {
            await hold.ReleaseAsync("client disconnected before an answer");
            await AbandonedAsync(bus, caller, hold.RequestId, service, call.Model, started);
            throw;
        }
        catch (Exception)
        {
            // Not the provider's failure and not the client's: still nothing is charged, and the hold
            // does not wait for its expiry.
            await hold.ReleaseAsync("request failed");
            await UsageEvents.AbandonedAsync(bus, caller, hold.RequestId, service, call.Model, aborted: false, started, clock);
            throw;
        }

        var prompt = result.PromptTokens > 0 ? result.PromptTokens : inputTokens;
        var cost = Price(service, prompt, result.CompletionTokens);
        var settled = await hold.SettleAsync(cost, Completed(caller, hold.RequestId, service, result.Model, prompt, result.CompletionTokens, started));
        return Results.Json(new ChatResponse(result.Content, new TokenUsage(prompt, result.CompletionTokens, prompt + result.CompletionTokens),
            settled.Consumed, result.Model));
    }

    // Awaited inside a method of its own so that a provider throwing before it returns a task (the sandbox
    // works synchronously) faults the task, which is awaited where failures release the hold and are recorded.
    private async Task<ChatCompletionResult> AskAsync(ChatCompletionRequest call, CancellationToken cancellation) =>
        await provider.CompleteAsync(call, cancellation);

    /// <summary>
    /// Vision by URL: fetches the image (guarded, typed by content) while the hold commits, then asks the provider,
    /// so the provider never fetches a customer's URL itself. A URL that cannot be used throws
    /// <see cref="VisionImageException"/> before the provider is asked.
    /// </summary>
    private async Task<ChatCompletionResult> AskWithFetchedImageAsync(ChatCompletionRequest call, CancellationToken cancellation)
    {
        var image = await images.ResolveAsync(call.Image!, cancellation);
        return await provider.CompleteAsync(call with { Image = image }, cancellation);
    }

    /// <summary>
    /// Waits for the hold's durable answer while the provider works. Null when the credits are held;
    /// otherwise (another instance spent them behind this one's cache, or the ledger failed) the
    /// provider's work is cancelled and dropped unseen, and the request is refused as if nothing had
    /// been asked of the provider: nothing was delivered and nothing is charged.
    /// </summary>
    internal async Task<IResult?> ConfirmHoldAsync(IMessageBus bus, ChatCall paid, Task work, CancellationTokenSource upstream)
    {
        FreezeOutcome held;
        try
        {
            held = await paid.Hold.ConfirmAsync();
        }
        catch (Exception)
        {
            await AbandonAsync(work, upstream);
            throw;
        }

        if (held.Status == FreezeStatus.Frozen)
        {
            return null;
        }

        await AbandonAsync(work, upstream);
        logger.LogWarning("{Service} request {RequestId}: the hold decided on was not committed ({Status}); the provider call was cancelled", paid.Service, paid.Hold.RequestId, held.Status);
        return await RefuseAsync(bus, paid, held);
    }

    private static async Task AbandonAsync(Task work, CancellationTokenSource upstream)
    {
        await upstream.CancelAsync();
        try
        {
            await work;
        }
        catch (Exception)
        {
            // Cancelled on purpose: whatever the provider said is never delivered.
        }
    }

    private async Task<ApiError> RefuseAsync(IMessageBus bus, ChatCall paid, FreezeOutcome refused)
    {
        await Failed(bus, paid.Caller, paid.Hold.RequestId, paid.Service, paid.Call.Model, "insufficient_credits", ErrorCodes.InsufficientCredits, paid.Started);
        return ApiError.InsufficientCredits(Math.Max(paid.MinimumRequired, refused.Required), refused.Available);
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

    internal Func<long, object> Completed(Caller caller, Guid requestId, string service, string model, long input, long output, long started, string status = "success") =>
        UsageEvents.Completed(caller, requestId, service, model, input, output, 0, started, clock, status);

    /// <summary>The client left before any output: recorded with 0 credits.</summary>
    internal Task AbandonedAsync(IMessageBus bus, Caller caller, Guid requestId, string service, string model, long started) =>
        UsageEvents.AbandonedAsync(bus, caller, requestId, service, model, aborted: true, started, clock);

    internal Task Failed(IMessageBus bus, Caller caller, Guid requestId, string service, string model, string status, int errorCode, long started) =>
        UsageEvents.FailedAsync(bus, caller, requestId, service, model, status, errorCode, started, clock);
}

/// <summary>A chat or vision call whose hold has been decided: what the rest of the pipeline needs to deliver and bill it.</summary>
/// <param name="MinimumRequired">The least a refusal reports as required (5, or one output token's worst case if more).</param>
internal sealed record ChatCall(
    ChatCompletionRequest Call, Caller Caller, CreditHold Hold, string Service, long InputTokens, long MinimumRequired, long Started);
