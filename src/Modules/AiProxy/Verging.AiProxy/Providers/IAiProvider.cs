namespace Verging.AiProxy.Providers;

/// <summary>
/// The port every AI provider implements: the OpenAI-compatible HTTP adapter (OpenAI, Azure OpenAI,
/// vLLM, Ollama, LiteLLM) or the offline sandbox. Failures are <see cref="ProviderException"/>s.
/// </summary>
public interface IAiProvider
{
    /// <summary>Name shown in logs: "openai-compatible" or "sandbox".</summary>
    string Name { get; }

    Task<ChatCompletionResult> CompleteAsync(ChatCompletionRequest request, CancellationToken cancellation);

    /// <summary>Streams a completion; the provider's usage arrives in the last chunks when it reports it.</summary>
    IAsyncEnumerable<ChatChunk> StreamAsync(ChatCompletionRequest request, CancellationToken cancellation);

    /// <summary>Generates images; may return fewer than asked (only those returned are billed).</summary>
    Task<IReadOnlyList<GeneratedImage>> GenerateImagesAsync(ImageGenerationRequest request, CancellationToken cancellation);

    Task<SpeechAudio> SpeakAsync(SpeechRequest request, CancellationToken cancellation);

    Task<Transcription> TranscribeAsync(TranscriptionRequest request, CancellationToken cancellation);
}
