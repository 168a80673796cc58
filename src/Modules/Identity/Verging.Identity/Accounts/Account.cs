namespace Verging.Identity.Accounts;

public static class AccountStatus
{
    public const string Active = "active";
    public const string Suspended = "suspended";
}

/// <summary>A customer account. Keys and credits hang off its <see cref="Id"/>.</summary>
public sealed record Account(Guid Id, string Email, DateTimeOffset CreatedAt, string Status);
