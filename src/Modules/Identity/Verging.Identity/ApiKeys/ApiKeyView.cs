namespace Verging.Identity.ApiKeys;

/// <summary>A key as the owner sees it in lists: the prefix, never the key or its hash.</summary>
public sealed record ApiKeyView(
    Guid Id,
    string Name,
    string Prefix,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset? ExpiresAt)
{
    public static ApiKeyView From(ApiKey key, DateTimeOffset now, DateTimeOffset? unflushedUse)
    {
        var lastUsed = unflushedUse is { } pending && (key.LastUsedAt is null || pending > key.LastUsedAt) ? pending : key.LastUsedAt;
        return new ApiKeyView(key.Id, key.Name, key.Prefix + "…", key.Status(now), key.CreatedAt, lastUsed, key.ExpiresAt);
    }
}
