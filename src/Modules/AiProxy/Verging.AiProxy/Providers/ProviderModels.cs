namespace Verging.AiProxy.Providers;

/// <summary>One message of a conversation, as the client sent it.</summary>
public sealed record ChatMessage(string Role, string Content);

/// <summary>An image for a vision request: a URL the provider fetches, or uploaded bytes.</summary>
public sealed record VisionImage(string? Url, byte[]? Bytes, string? MediaType);

/// <summary>What the proxy asks a provider for; MaxTokens is already clamped to what the hold pays for.</summary>
public sealed record ChatCompletionRequest(string Model, IReadOnlyList<ChatMessage> Messages, double? Temperature, long MaxTokens, VisionImage? Image = null);

/// <summary>A finished completion with the provider's token counts.</summary>
public sealed record ChatCompletionResult(string Content, long PromptTokens, long CompletionTokens, string Model);

/// <summary>A piece of a streamed completion: text, and/or the usage the provider reports at the end.</summary>
public sealed record ChatChunk(string? Content, long? PromptTokens = null, long? CompletionTokens = null);
