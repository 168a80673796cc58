using FluentValidation;
using Marten;
using Verging.Identity.ApiKeys;
using Verging.Identity.Contracts;
using Verging.SharedKernel;
using Verging.SharedKernel.Validation;
using Wolverine;

namespace Verging.Identity.Accounts;

/// <summary>Opens an account with a first API key; used by the admin API and the <c>accounts create</c> CLI command.</summary>
public sealed record OpenAccount(string Email, long Credits);

/// <summary>The opened account and its first key (shown once), or the error that prevented it.</summary>
public sealed record OpenAccountOutcome(Guid AccountId, Guid ApiKeyId, string ApiKey, ApiError? Error = null);

public sealed class OpenAccountValidator : AbstractValidator<OpenAccount>
{
    public OpenAccountValidator()
    {
        RuleFor(c => c.Email).NotEmpty().MaximumLength(254).EmailAddress().Must(v => StoredText.Problem(v) is null).WithMessage(c => StoredText.Problem(c.Email)!);
        RuleFor(c => c.Credits).InclusiveBetween(0, 1_000_000_000);
    }
}

public static class OpenAccountHandler
{
    public static async Task<OpenAccountOutcome> Handle(
        OpenAccount command, IDocumentSession session, IMessageBus bus, TimeProvider clock, CancellationToken cancellation)
    {
        var validation = await new OpenAccountValidator().ValidateAsync(command, cancellation);
        if (!validation.IsValid)
        {
            return Failed(ApiError.BadRequest(string.Join("; ", validation.Errors.Select(e => e.ErrorMessage))));
        }

        var email = command.Email.Trim().ToLowerInvariant();
        if (await session.Query<Account>().AnyAsync(a => a.Email == email, cancellation))
        {
            return Failed(ApiError.Conflict($"An account with e-mail {email} already exists"));
        }

        var now = clock.GetUtcNow();
        var account = new Account(Guid.CreateVersion7(now), email, now, AccountStatus.Active);
        var (plain, key) = IssueApiKey.For(account.Id, "default", now, expiresAt: null);
        session.Store(account);
        session.Store(key);

        // Through the outbox: committed with the account or not at all. Credits opens the ledger.
        await bus.PublishAsync(new AccountOpened(account.Id, email, command.Credits, now));
        await bus.PublishAsync(new ApiKeyCreated(key.Id, account.Id, key.Prefix, now));

        return new OpenAccountOutcome(account.Id, key.Id, plain);
    }

    private static OpenAccountOutcome Failed(ApiError error) => new(Guid.Empty, Guid.Empty, string.Empty, error);
}
