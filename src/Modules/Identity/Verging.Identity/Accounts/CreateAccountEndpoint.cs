using FluentValidation;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Verging.Identity.Contracts;
using Verging.SharedKernel;
using Verging.SharedKernel.Validation;
using Wolverine;
using Wolverine.Http;

namespace Verging.Identity.Accounts;

/// <summary>Body of <c>POST /admin/v1/accounts</c>.</summary>
public sealed record CreateAccountRequest(string? Email, long? Credits);

public sealed record CreatedAccount(Guid AccountId, Guid ApiKeyId, string ApiKey);

public sealed class CreateAccountRequestValidator : AbstractValidator<CreateAccountRequest>
{
    public CreateAccountRequestValidator()
    {
        RuleFor(r => r.Email).NotEmpty().MaximumLength(254).EmailAddress().Must(v => StoredText.Problem(v) is null).WithMessage(r => StoredText.Problem(r.Email)!);
        RuleFor(r => r.Credits).InclusiveBetween(0, 1_000_000_000).When(r => r.Credits is not null);
    }
}

public static class CreateAccountEndpoint
{
    /// <summary>Admin only (the host's admin gate checks the bearer token before routing gets here).</summary>
    [WolverinePost("/admin/v1/accounts", Name = "AdminCreateAccount")]
    [ProducesResponseType<CreatedAccount>(StatusCodes.Status201Created)]
    public static async Task<IResult> Post(CreateAccountRequest request, IMessageBus bus)
    {
        var outcome = await bus.InvokeAsync<OpenAccountOutcome>(new OpenAccount(request.Email!, request.Credits ?? 0));
        if (outcome.Error is not null)
        {
            return outcome.Error;
        }

        // The account is committed; its ledger (and opening credits) too before the answer, so a balance read
        // right after the 201 shows them. AccountOpened, already in the outbox, would open it moments later.
        await bus.InvokeAsync(new OpenAccountLedger(outcome.AccountId, request.Credits ?? 0));
        return Results.Json(new CreatedAccount(outcome.AccountId, outcome.ApiKeyId, outcome.ApiKey), statusCode: StatusCodes.Status201Created);
    }
}
