namespace Verging.Identity.Contracts;

/// <summary>
/// Published by Identity (through the outbox) when an account is opened. Credits listens and opens
/// the account's ledger, granting <paramref name="InitialCredits"/> when it is above zero.
/// </summary>
/// <param name="AccountId">The new account.</param>
/// <param name="Email">The account's e-mail address.</param>
/// <param name="InitialCredits">Credits to grant on opening (0 for none).</param>
/// <param name="OpenedAt">When the account was opened (UTC).</param>
public sealed record AccountOpened(Guid AccountId, string Email, long InitialCredits, DateTimeOffset OpenedAt);

/// <summary>
/// Sent (invoked) by Identity's account creation to have the account's ledger opened, with its opening credits,
/// before the creation is answered, so the new account's balance reads right at once. Handled by Credits exactly
/// like <see cref="AccountOpened"/> (which still follows through the outbox, and then changes nothing): Identity
/// names what it needs without knowing the Credits module.
/// </summary>
/// <param name="AccountId">The new account.</param>
/// <param name="InitialCredits">Credits to grant on opening (0 for none).</param>
public sealed record OpenAccountLedger(Guid AccountId, long InitialCredits);

/// <summary>Published by Identity when an API key is created. No listener needs it yet; it feeds audit trails.</summary>
/// <param name="ApiKeyId">The key's id (never the key itself).</param>
/// <param name="AccountId">The account the key belongs to.</param>
/// <param name="Prefix">The displayable prefix, such as <c>vrg_sk_AbCd</c>.</param>
/// <param name="CreatedAt">When the key was created (UTC).</param>
public sealed record ApiKeyCreated(Guid ApiKeyId, Guid AccountId, string Prefix, DateTimeOffset CreatedAt);

/// <summary>Published by Identity when an API key is revoked; the key stops working at once.</summary>
/// <param name="ApiKeyId">The revoked key.</param>
/// <param name="AccountId">The account the key belonged to.</param>
/// <param name="RevokedAt">When it was revoked (UTC).</param>
public sealed record ApiKeyRevoked(Guid ApiKeyId, Guid AccountId, DateTimeOffset RevokedAt);
