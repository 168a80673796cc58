using System.Security.Claims;
using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Verging.Identity.Contracts;
using Verging.SharedKernel;
using Verging.SharedKernel.Http;
using Verging.SharedKernel.Validation;
using Wolverine;
using Wolverine.Http;

namespace Verging.Identity.ApiKeys;

/// <summary>Body of <c>POST /api/v1/api-keys</c>.</summary>
public sealed record CreateApiKeyRequest(string? Name, DateTimeOffset? ExpiresAt);

/// <summary>The new key. <see cref="ApiKey"/> is the full key and is never shown again.</summary>
public sealed record CreatedApiKey(Guid Id, string Name, string Prefix, string ApiKey, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

public sealed class CreateApiKeyValidator : AbstractValidator<CreateApiKeyRequest>
{
    public CreateApiKeyValidator(TimeProvider clock)
    {
        RuleFor(r => r.Name).MaximumLength(100).Must(v => StoredText.Problem(v) is null).WithMessage(r => StoredText.Problem(r.Name)!);
        RuleFor(r => r.ExpiresAt)
            .Must(at => at is null || at > clock.GetUtcNow())
            .WithMessage("must be in the future");
    }
}

public static class CreateApiKeyEndpoint
{
    public const int MaxActiveKeysPerAccount = 50;

    // First half of the advisory lock's key: "API key creation" (ASCII "VKEY"); the second is the account's hash.
    private const int KeyCreationLock = 0x564B4559;

    [WolverinePost("/api/v1/api-keys", Name = "CreateApiKey")]
    [ProducesResponseType<CreatedApiKey>(StatusCodes.Status201Created)]
    [OptionalJsonBody]
    public static async Task<IResult> Post(
        CreateApiKeyRequest request, ClaimsPrincipal user, IDocumentSession session, IMessageBus bus, TimeProvider clock, HttpContext http)
    {
        var caller = Caller.From(user);
        var now = clock.GetUtcNow();
        // One creation per account at a time (on any instance): the count below and the insert commit in one
        // transaction that holds this lock, so concurrent creations cannot all count 49 and end at 53.
        await session.BeginTransactionAsync(http.RequestAborted);
        await session.QueryAsync<int>("select 1 from (select pg_advisory_xact_lock(?, ?)) locked",
            http.RequestAborted, KeyCreationLock, caller.AccountId.GetHashCode());
        // Active as the list shows it: neither revoked nor expired (an expired key cannot be used either).
        var active = await session.Query<ApiKey>()
            .CountAsync(k => k.AccountId == caller.AccountId && k.RevokedAt == null && (k.ExpiresAt == null || k.ExpiresAt > now));
        if (active >= MaxActiveKeysPerAccount)
        {
            return ApiError.Conflict($"An account may have at most {MaxActiveKeysPerAccount} active API keys; delete one first");
        }

        var name = string.IsNullOrWhiteSpace(request.Name) ? $"key-{now:yyyyMMdd-HHmmss}" : request.Name.Trim();
        var (plain, stored) = IssueApiKey.For(caller.AccountId, name, now, request.ExpiresAt?.ToUniversalTime());
        session.Store(stored);
        await bus.PublishAsync(new ApiKeyCreated(stored.Id, stored.AccountId, stored.Prefix, now));

        return Results.Json(
            new CreatedApiKey(stored.Id, stored.Name, stored.Prefix + "…", plain, stored.CreatedAt, stored.ExpiresAt),
            statusCode: StatusCodes.Status201Created);
    }
}
