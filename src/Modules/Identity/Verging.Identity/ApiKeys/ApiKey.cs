namespace Verging.Identity.ApiKeys;

/// <summary>
/// A stored API key: never the key itself, only its SHA-256 <see cref="Hash"/> and a displayable
/// <see cref="Prefix"/>. Immutable: a change is a new version of the document.
/// </summary>
public sealed record ApiKey(
    Guid Id,
    Guid AccountId,
    string Name,
    string Prefix,
    string Hash,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt,
    DateTimeOffset? LastUsedAt)
{
    public string Status(DateTimeOffset now) =>
        RevokedAt is not null ? "revoked" : ExpiresAt is { } expiry && expiry <= now ? "expired" : "active";
}
