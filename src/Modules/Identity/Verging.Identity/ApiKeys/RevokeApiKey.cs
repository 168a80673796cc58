using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Verging.Identity.Authentication;
using Verging.Identity.Contracts;
using Verging.SharedKernel;
using Wolverine;
using Wolverine.Http;

namespace Verging.Identity.ApiKeys;

public sealed record RevokedApiKey(Guid Id, string Status, DateTimeOffset RevokedAt);

public static class RevokeApiKeyEndpoint
{
    /// <summary>
    /// Revokes one of the caller's keys, permanently. Another account's key id is a 404, exactly like
    /// an unknown id, so ids cannot be probed; so is an id that is not a UUID at all (a route constraint would
    /// answer a bare "Not found" that names nothing). Revoking twice returns the first revocation.
    /// </summary>
    [WolverineDelete("/api/v1/api-keys/{id}", Name = "DeleteApiKey")]
    [ProducesResponseType<RevokedApiKey>(StatusCodes.Status200OK)]
    public static async Task<IResult> Delete(
        string id, ClaimsPrincipal user, IDocumentSession session, IMessageBus bus, ApiKeyValidator validator, TimeProvider clock)
    {
        var caller = Caller.From(user);
        var key = Guid.TryParse(id, out var keyId) ? await session.LoadAsync<ApiKey>(keyId) : null;
        if (key is null || key.AccountId != caller.AccountId)
        {
            return ApiError.NotFound($"API key {id} not found");
        }

        if (key.RevokedAt is { } already)
        {
            return Results.Json(new RevokedApiKey(key.Id, "revoked", already));
        }

        var now = clock.GetUtcNow();
        session.Store(key with { RevokedAt = now });

        // Sent on commit only, to every instance (this one included): they drop the key from their caches.
        session.QueueSqlCommand("select pg_notify(?, ?)", ApiKeyRevocationListener.Channel, key.Hash);
        await bus.PublishAsync(new ApiKeyRevoked(key.Id, key.AccountId, now));
        validator.Evict(key.Hash);

        return Results.Json(new RevokedApiKey(key.Id, "revoked", now));
    }
}
