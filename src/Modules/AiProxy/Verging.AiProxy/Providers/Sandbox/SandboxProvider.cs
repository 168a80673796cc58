using System.Runtime.CompilerServices;
using System.Text;
using Verging.AiProxy.Transcription;

namespace Verging.AiProxy.Providers.Sandbox;

/// <summary>
/// The offline provider, the default when no upstream is configured: no model, but honest,
/// deterministic output made by real code. Chat replies say they come from the sandbox and are
/// counted with the real o200k tokenizer; images are real PNGs drawn from the prompt; speech is real
/// audio from espeak-ng encoded by ffmpeg; transcription reports the audio's real, measured duration.
/// Every response names a "sandbox-..." model so nobody mistakes it for a real one.
/// </summary>
public sealed class SandboxProvider(TokenCounter tokens) : IAiProvider
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

    public Task<IReadOnlyList<GeneratedImage>> GenerateImagesAsync(ImageGenerationRequest request, CancellationToken cancellation) =>
        Task.FromResult<IReadOnlyList<GeneratedImage>>(Enumerable.Range(0, request.Count)
            .Select(i => new GeneratedImage(SandboxImages.Draw(request.Prompt, i, request.Size)))
            .ToList());

    public async Task<SpeechAudio> SpeakAsync(SpeechRequest request, CancellationToken cancellation) =>
        new(await SandboxSpeech.SynthesizeAsync(request, cancellation), request.Format, ModelPrefix + request.Model);

    public Task<Transcription> TranscribeAsync(TranscriptionRequest request, CancellationToken cancellation)
    {
        var text = $"[Verging sandbox transcript: no speech recognition was run.] The file {request.FileName} holds {request.DurationSeconds:0.0} s of audio.";
        // One segment spanning the audio: the only timing the sandbox honestly knows.
        IReadOnlyList<TranscriptSegment> segments = [new(0, 0, Math.Round(request.DurationSeconds, 3), text)];
        return Task.FromResult(new Transcription(text, request.Language ?? "en", ModelPrefix + request.Model, segments,
            TranscriptDocuments.Render(request.ResponseFormat, text, segments)));
    }

    private string Reply(ChatCompletionRequest request)
    {
        var last = request.Messages.LastOrDefault(m => m.Role == "user")?.Content;
        var reply = new StringBuilder()
            .Append("[Verging sandbox: no AI model was called.] ")
            .Append($"You sent {request.Messages.Count} message(s); ");
        if (last is null)
        {
            reply.Append("none of them is from the user. ");
        }
        else
        {
            var words = last.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
            var quote = last.Length <= 120 ? last : last[..117] + "...";
            reply.Append($"your last user message has {words} word(s) and {tokens.Count(last)} token(s): \"{quote}\". ");
        }

        if (request.Image is not null)
        {
            reply.Append(SandboxVision.Describe(request.Image)).Append(' ');
        }

        reply.Append("Configure AiProxy__Upstream__BaseUrl to use a real provider.");
        return reply.ToString();
    }
}
