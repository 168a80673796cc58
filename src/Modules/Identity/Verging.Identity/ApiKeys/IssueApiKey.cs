namespace Verging.Identity.ApiKeys;

/// <summary>Makes a new key for an account: the plain key (shown once) and what is stored.</summary>
public static class IssueApiKey
{
    public static (string PlainKey, ApiKey Stored) For(Guid accountId, string name, DateTimeOffset now, DateTimeOffset? expiresAt)
    {
        var plain = ApiKeyFormat.Generate();
        var stored = new ApiKey(
            Guid.CreateVersion7(now), accountId, name, ApiKeyFormat.DisplayPrefix(plain), ApiKeyFormat.Hash(plain),
            now, expiresAt, RevokedAt: null, LastUsedAt: null);
        return (plain, stored);
    }
}
