using System.Runtime.CompilerServices;
using System.Text;

namespace Verging.AiProxy.Providers.Sandbox;

/// <summary>
/// The offline provider's chat: no model, but honest and deterministic. The reply says it is a
/// sandbox, describes the conversation it was given, and its usage is counted with the real
/// o200k tokenizer, so billing works exactly as with a real provider.
/// </summary>
public sealed class SandboxChat(TokenCounter tokens) : IAiProvider
{
    public const string ModelPrefix = "sandbox-";

    public string Name => "sandbox";

    public Task<ChatCompletionResult> CompleteAsync(ChatCompletionRequest request, CancellationToken cancellation)
    {
        var pieces = tokens.Split(Reply(request), (int)Math.Min(request.MaxTokens, int.MaxValue));
        return Task.FromResult(new ChatCompletionResult(
            string.Concat(pieces), tokens.CountPrompt(request.Messages), pieces.Count, ModelPrefix + request.Model));
    }

    public async IAsyncEnumerable<ChatChunk> StreamAsync(ChatCompletionRequest request, [EnumeratorCancellation] CancellationToken cancellation)
    {
        var pieces = tokens.Split(Reply(request), (int)Math.Min(request.MaxTokens, int.MaxValue));
        foreach (var piece in pieces)
        {
            cancellation.ThrowIfCancellationRequested();
            yield return new ChatChunk(piece);
            await Task.Yield();
        }

        yield return new ChatChunk(null, tokens.CountPrompt(request.Messages), pieces.Count);
    }

    private string Reply(ChatCompletionRequest request)
    {
        var last = request.Messages.LastOrDefault(m => m.Role == "user")?.Content ?? string.Empty;
        var words = last.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        var quote = last.Length <= 120 ? last : last[..117] + "...";
        var reply = new StringBuilder()
            .Append("[Verging sandbox: no AI model was called.] ")
            .Append($"You sent {request.Messages.Count} message(s); the last one has {words} word(s) and {tokens.Count(last)} token(s): \"{quote}\". ");
        if (request.Image is not null)
        {
            reply.Append(SandboxVision.Describe(request.Image)).Append(' ');
        }

        reply.Append("Configure AiProxy__Upstream__BaseUrl to use a real provider.");
        return reply.ToString();
    }
}
