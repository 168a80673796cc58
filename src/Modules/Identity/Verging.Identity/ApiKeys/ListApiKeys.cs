using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Verging.Identity.Authentication;
using Verging.SharedKernel;
using Wolverine.Http;

namespace Verging.Identity.ApiKeys;

public sealed record ApiKeyList(IReadOnlyList<ApiKeyView> ApiKeys);

public static class ListApiKeysEndpoint
{
    /// <summary>The caller's keys, newest first; revoked keys only with <c>include_revoked=true</c>.</summary>
    [WolverineGet("/api/v1/api-keys", Name = "ListApiKeys")]
    public static async Task<ApiKeyList> Get(
        ClaimsPrincipal user, IQuerySession session, LastUsedTracker lastUsed, TimeProvider clock,
        [FromQuery(Name = "include_revoked")] bool? includeRevoked)
    {
        var caller = Caller.From(user);
        var now = clock.GetUtcNow();
        var query = session.Query<ApiKey>().Where(k => k.AccountId == caller.AccountId);
        if (includeRevoked != true)
        {
            query = query.Where(k => k.RevokedAt == null);
        }

        var keys = await query.OrderByDescending(k => k.CreatedAt).ToListAsync();
        return new ApiKeyList(keys.Select(k => ApiKeyView.From(k, now, lastUsed.Pending(k.Id))).ToList());
    }
}
