using System.Text;
using Microsoft.AspNetCore.Http;
using Verging.AiProxy.Billing;
using Verging.AiProxy.Providers;
using Verging.SharedKernel;

namespace Verging.AiProxy.Chat;

/// <summary>
/// The SSE half of <see cref="ChatPipeline"/>. Chunks are written and flushed as they arrive. A
/// provider failure before the first chunk is an ordinary JSON error; after it, an SSE error event.
/// When the client goes away the upstream call is cancelled and what was generated is billed. The
/// upstream call starts while the hold's commit is on its way; the response starts only once the
/// hold is durable (ADR 0018).
/// </summary>
internal sealed class ChatStreamResult(ChatPipeline pipeline, Wolverine.IMessageBus bus, ChatCall paid) : IResult
{
    public async Task ExecuteAsync(HttpContext http)
    {
        var (call, caller, hold, service, inputTokens, _, started) = paid;
        var aborted = http.RequestAborted;
        var sse = new SseWriter(http.Response);
        var generated = new StringBuilder();
        long? promptTokens = null, completionTokens = null;
        var streaming = false;
        var disconnected = false;
        ProviderException? failure = null;

        using var upstream = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        try
        {
            await using var chunks = pipeline.Provider.StreamAsync(call, upstream.Token).GetAsyncEnumerator(upstream.Token);
            var next = chunks.MoveNextAsync().AsTask();
            if (await pipeline.ConfirmHoldAsync(bus, paid, next, upstream) is { } refused)
            {
                await refused.ExecuteAsync(http);
                return;
            }

            for (; ; next = chunks.MoveNextAsync().AsTask())
            {
                if (sse.HasPending && !next.IsCompleted)
                {
                    // The upstream has nothing more ready: what is written leaves now, not with the next chunk.
                    await FlushBeforeAsync(sse, next, aborted);
                }

                if (!await next)
                {
                    break;
                }

                var chunk = chunks.Current;
                promptTokens = chunk.PromptTokens ?? promptTokens;
                completionTokens = chunk.CompletionTokens ?? completionTokens;
                if (string.IsNullOrEmpty(chunk.Content))
                {
                    continue;
                }

                generated.Append(chunk.Content);
                if (!streaming)
                {
                    // The first event leaves at once (time to first byte); later ones that arrive
                    // together are sent together.
                    SseWriter.Start(http.Response);
                    streaming = true;
                    sse.WriteContent(chunk.Content);
                    await sse.FlushAsync(aborted);
                    continue;
                }

                sse.WriteContent(chunk.Content);
            }

            if (sse.HasPending)
            {
                await sse.FlushAsync(aborted);
            }
        }
        catch (ProviderException e)
        {
            failure = e;
        }
        catch (Exception) when (aborted.IsCancellationRequested)
        {
            disconnected = true;
        }

        if (generated.Length == 0)
        {
            // Nothing generated: nothing is charged, whatever happened.
            if (disconnected)
            {
                await hold.ReleaseAsync("client disconnected before any output");
                await pipeline.AbandonedAsync(bus, caller, hold.RequestId, service, call.Model, started);
                return;
            }

            var error = await pipeline.FailAsync(bus, hold, caller, call.Model, service,
                failure ?? new ProviderException(ProviderFailure.EmptyResult, "The provider streamed no content"), started);
            if (streaming)
            {
                await WriteErrorEventAsync(sse, error, aborted);
            }
            else
            {
                await error.ExecuteAsync(http);
            }

            return;
        }

        var prompt = promptTokens ?? inputTokens;
        var completion = completionTokens ?? pipeline.Tokens.Count(generated.ToString());
        var settled = await hold.SettleAsync(ChatPipeline.Price(service, prompt, completion),
            pipeline.Completed(caller, hold.RequestId, service, call.Model, prompt, completion, started,
                failure is not null ? ProviderErrors.Status(failure) : disconnected ? "client_disconnected" : "success"));
        if (disconnected)
        {
            return;
        }

        try
        {
            if (failure is not null)
            {
                await WriteErrorEventAsync(sse, ProviderErrors.AfterPartialAnswer(failure, completion, settled.Consumed), aborted);
                return;
            }

            await sse.WriteEventAsync(w =>
            {
                w.WriteStartObject();
                w.WriteString("content", string.Empty);
                w.WriteStartObject("usage");
                w.WriteNumber("prompt_tokens", prompt);
                w.WriteNumber("completion_tokens", completion);
                w.WriteNumber("total_tokens", prompt + completion);
                w.WriteEndObject();
                w.WriteNumber("credits_consumed", settled.Consumed);
                w.WriteEndObject();
            }, aborted);
            await sse.WriteDoneAsync(aborted);
        }
        catch (Exception) when (aborted.IsCancellationRequested)
        {
            // Billed already; the client left before the last event.
        }
    }

    /// <summary>Flushes while the next chunk is awaited; if the flush fails (client gone), the pending read is still observed.</summary>
    private static async Task FlushBeforeAsync(SseWriter sse, Task<bool> next, CancellationToken cancellation)
    {
        try
        {
            await sse.FlushAsync(cancellation);
        }
        catch (Exception)
        {
            try
            {
                await next;
            }
            catch (Exception)
            {
                // The read fails too once the request is aborted; the flush's exception is the one that matters.
            }

            throw;
        }
    }

    private static Task WriteErrorEventAsync(SseWriter sse, ApiError error, CancellationToken cancellation) =>
        sse.WriteEventAsync(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("error_code", error.ErrorCode);
            w.WriteString("message", error.Message);
            w.WritePropertyName("upstream_error");
            if (error.UpstreamError is null)
            {
                w.WriteNullValue();
            }
            else
            {
                error.UpstreamError.WriteTo(w);
            }

            w.WriteEndObject();
        }, cancellation);
}
