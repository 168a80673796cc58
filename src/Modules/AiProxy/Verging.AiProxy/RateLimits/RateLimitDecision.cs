namespace Verging.AiProxy.RateLimits;

/// <summary>One request's place in its window: allowed or not, and the numbers the headers show.</summary>
public sealed record RateLimitDecision(bool Allowed, int Limit, int Remaining, int ResetSeconds);
