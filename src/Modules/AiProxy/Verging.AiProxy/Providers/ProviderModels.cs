namespace Verging.AiProxy.Providers;

/// <summary>One message of a conversation, as the client sent it.</summary>
public sealed record ChatMessage(string Role, string Content);

/// <summary>
/// An image for a vision request: uploaded bytes, or the URL the client named. A provider is only ever given
/// bytes: the pipeline fetches a URL itself first (<c>VisionImageSource</c>) and keeps the URL for the record.
/// </summary>
public sealed record VisionImage(string? Url, byte[]? Bytes, string? MediaType)
{
    /// <summary>The image a provider works on; a bare URL here is a bug of the pipeline, never the client's fault.</summary>
    public byte[] Content => Bytes ?? throw new InvalidOperationException("A vision image reaches the provider as bytes, never as a URL");
}

/// <summary>What the proxy asks a provider for; MaxTokens is already clamped to what the hold pays for.</summary>
public sealed record ChatCompletionRequest(string Model, IReadOnlyList<ChatMessage> Messages, double? Temperature, long MaxTokens, VisionImage? Image = null);

/// <summary>A finished completion with the provider's token counts.</summary>
public sealed record ChatCompletionResult(string Content, long PromptTokens, long CompletionTokens, string Model);

/// <summary>A piece of a streamed completion: text, and/or the usage the provider reports at the end.</summary>
public sealed record ChatChunk(string? Content, long? PromptTokens = null, long? CompletionTokens = null);

/// <summary>Image generation as asked (quality auto/standard/hd, 1–4 images).</summary>
public sealed record ImageGenerationRequest(string Prompt, string Model, string Size, string Quality, int Count);

/// <summary>One generated image, as PNG bytes.</summary>
public sealed record GeneratedImage(byte[] Png);

/// <summary>Text to speech as asked.</summary>
public sealed record SpeechRequest(string Input, string Voice, string Model, string Format, double Speed);

/// <summary>Speech audio in the requested format.</summary>
public sealed record SpeechAudio(byte[] Audio, string Format, string Model);

/// <summary>Speech to text: the uploaded audio (already checked and measured).</summary>
public sealed record TranscriptionRequest(byte[] Audio, string FileName, string Model, string? Language, string ResponseFormat, double? Temperature, double DurationSeconds);

/// <summary>
/// A transcript and the language it was heard in; <paramref name="Segments"/> when the provider timed it
/// (verbose_json); <paramref name="Document"/> when the client asked for text, srt or vtt: the transcript in
/// that form, as the provider wrote it.
/// </summary>
public sealed record Transcription(string Text, string? Language, string Model, IReadOnlyList<TranscriptSegment>? Segments = null, string? Document = null);

/// <summary>One timed stretch of a transcript, in seconds from the start of the audio.</summary>
public sealed record TranscriptSegment(int Id, double Start, double End, string Text);
