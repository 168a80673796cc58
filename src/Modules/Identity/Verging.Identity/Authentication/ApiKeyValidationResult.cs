using Verging.SharedKernel;

namespace Verging.Identity.Authentication;

/// <summary>Outcome of checking a presented key: the caller, or why it was refused.</summary>
public sealed record ApiKeyValidationResult(Caller? Caller, string? Failure, DateTimeOffset? ExpiresAt = null)
{
    public static ApiKeyValidationResult Valid(Caller caller, DateTimeOffset? expiresAt) => new(caller, null, expiresAt);
    public static ApiKeyValidationResult Refused(string why) => new(null, why);
}
