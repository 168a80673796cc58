using System.Security.Claims;
using Marten;
using Verging.SharedKernel;
using Wolverine.Http;

namespace Verging.Identity.ApiKeys;

public sealed record ApiKeyValidity(bool Valid, Guid KeyId, Guid AccountId, string Status, string Prefix, DateTimeOffset? ExpiresAt);

public static class ValidateApiKeyEndpoint
{
    /// <summary>Reaching this endpoint at all proves the key is valid: authentication refuses every other case with 401.</summary>
    [WolverinePost("/api/v1/api-keys/validate", Name = "ValidateApiKey")]
    public static async Task<ApiKeyValidity> Post(ClaimsPrincipal user, IQuerySession session, TimeProvider clock)
    {
        var caller = Caller.From(user);
        var key = await session.LoadAsync<ApiKey>(caller.ApiKeyId);
        return new ApiKeyValidity(
            true, caller.ApiKeyId, caller.AccountId, key?.Status(clock.GetUtcNow()) ?? "active", (key?.Prefix ?? "vrg_sk_") + "…", key?.ExpiresAt);
    }
}
