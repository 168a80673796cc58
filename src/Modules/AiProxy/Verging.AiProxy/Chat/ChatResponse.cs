namespace Verging.AiProxy.Chat;

public sealed record TokenUsage(long PromptTokens, long CompletionTokens, long TotalTokens);

/// <summary>The reference's chat and vision response, plus the model that really answered.</summary>
public sealed record ChatResponse(string Content, TokenUsage Usage, long CreditsConsumed, string Model);
