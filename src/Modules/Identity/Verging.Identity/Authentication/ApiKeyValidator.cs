using System.Collections.Concurrent;
using Marten;
using Microsoft.Extensions.Options;
using Verging.Identity.Accounts;
using Verging.Identity.ApiKeys;
using Verging.SharedKernel;

namespace Verging.Identity.Authentication;

/// <summary>
/// Checks a presented API key: format and checksum first (no I/O), then an in-memory cache of
/// recently validated keys keyed by hash, then the database. Revocation evicts the cache entry at
/// once on this instance and, through <see cref="ApiKeyRevocationListener"/>, on every other one.
/// </summary>
public sealed class ApiKeyValidator(IDocumentStore store, TimeProvider clock, IOptions<IdentityOptions> options, LastUsedTracker lastUsed)
{
    private sealed record CachedKey(Caller Caller, DateTimeOffset? ExpiresAt, DateTimeOffset CachedAt);

    private readonly ConcurrentDictionary<string, CachedKey> _cache = new(StringComparer.Ordinal);

    public async ValueTask<ApiKeyValidationResult> ValidateAsync(string presentedKey, CancellationToken cancellation)
    {
        if (!ApiKeyFormat.IsWellFormed(presentedKey))
        {
            return ApiKeyValidationResult.Refused("Invalid API key format");
        }

        var hash = ApiKeyFormat.Hash(presentedKey);
        var now = clock.GetUtcNow();

        if (_cache.TryGetValue(hash, out var cached) && now - cached.CachedAt < options.Value.KeyCacheLifetime)
        {
            if (cached.ExpiresAt is { } expiry && expiry <= now)
            {
                _cache.TryRemove(hash, out _);
                return ApiKeyValidationResult.Refused("API key has expired");
            }

            lastUsed.Touch(cached.Caller.ApiKeyId, now);
            return ApiKeyValidationResult.Valid(cached.Caller, cached.ExpiresAt);
        }

        await using var session = store.QuerySession();
        var key = await session.Query<ApiKey>().FirstOrDefaultAsync(k => k.Hash == hash, cancellation);

        // The lookup is by hash; comparing again in constant time costs nothing and keeps a
        // timing side channel out of any future lookup strategy.
        if (key is null || !FixedTimeEquals(key.Hash, hash))
        {
            return ApiKeyValidationResult.Refused("Invalid API key");
        }

        switch (key.Status(now))
        {
            case "revoked":
                return ApiKeyValidationResult.Refused("API key has been revoked");
            case "expired":
                return ApiKeyValidationResult.Refused("API key has expired");
        }

        var account = await session.LoadAsync<Account>(key.AccountId, cancellation);
        if (account is null || account.Status != AccountStatus.Active)
        {
            return ApiKeyValidationResult.Refused("Account is not active");
        }

        var caller = new Caller(key.AccountId, key.Id);
        _cache[hash] = new CachedKey(caller, key.ExpiresAt, now);
        lastUsed.Touch(key.Id, now);
        return ApiKeyValidationResult.Valid(caller, key.ExpiresAt);
    }

    /// <summary>Forgets a key at once (revocation on this instance, or a NOTIFY from another).</summary>
    public void Evict(string keyHash) => _cache.TryRemove(keyHash, out _);

    /// <summary>Forgets every key, when revocation notices may have been missed.</summary>
    public void EvictAll() => _cache.Clear();

    private static bool FixedTimeEquals(string a, string b) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.ASCII.GetBytes(a), System.Text.Encoding.ASCII.GetBytes(b));
}
