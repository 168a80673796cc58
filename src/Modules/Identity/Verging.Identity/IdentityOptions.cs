namespace Verging.Identity;

/// <summary>Settings of the Identity module (configuration section <c>Identity</c>).</summary>
public sealed class IdentityOptions
{
    /// <summary>
    /// How long a validated key is trusted from memory. Revocations reach every instance at once
    /// through PostgreSQL NOTIFY; this bounds the staleness if a notification is ever missed (ADR 0005).
    /// </summary>
    public TimeSpan KeyCacheLifetime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often last_used_at values collected in memory are written, in one batch.</summary>
    public TimeSpan LastUsedFlushInterval { get; set; } = TimeSpan.FromSeconds(10);
}
