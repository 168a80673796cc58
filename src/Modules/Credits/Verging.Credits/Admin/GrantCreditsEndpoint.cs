using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Verging.Credits.Contracts;
using Verging.Credits.Ledger;
using Verging.Credits.Writer;
using Verging.SharedKernel;
using Verging.SharedKernel.Validation;
using Wolverine.Http;

namespace Verging.Credits.Admin;

/// <summary>Body of <c>POST /admin/v1/accounts/{id}/grants</c>.</summary>
public sealed record GrantRequest(long Credits, string? Reason);

/// <summary>Body of <c>POST /admin/v1/accounts/{id}/adjustments</c>: a signed correction.</summary>
public sealed record AdjustmentRequest(long Credits, string? Reason);

public sealed record LedgerChangeResponse(Guid AccountId, long Applied, long Balance, long Available, bool Repeated);

public sealed class GrantRequestValidator : AbstractValidator<GrantRequest>
{
    public GrantRequestValidator()
    {
        RuleFor(r => r.Credits).InclusiveBetween(1, 1_000_000_000);
        RuleFor(r => r.Reason).NotEmpty().MaximumLength(500).Must(v => StoredText.Problem(v) is null).WithMessage(r => StoredText.Problem(r.Reason)!);
    }
}

public sealed class AdjustmentRequestValidator : AbstractValidator<AdjustmentRequest>
{
    public AdjustmentRequestValidator()
    {
        RuleFor(r => r.Credits).NotEqual(0).InclusiveBetween(-1_000_000_000, 1_000_000_000);
        RuleFor(r => r.Reason).NotEmpty().MaximumLength(500).Must(v => StoredText.Problem(v) is null).WithMessage(r => StoredText.Problem(r.Reason)!);
    }
}

public static class GrantCreditsEndpoint
{
    /// <summary>
    /// Admin grant. An <c>Idempotency-Key</c> header makes a retried grant a no-op that answers the
    /// same; without one every call grants.
    /// </summary>
    [WolverinePost("/admin/v1/accounts/{id}/grants", Name = "AdminGrantCredits")]
    [ProducesResponseType<LedgerChangeResponse>(StatusCodes.Status201Created)]
    public static async Task<IResult> Post(Guid id, GrantRequest request, HttpRequest http, IQuerySession session, LedgerWriter writer)
    {
        if (await session.LoadAsync<Ledger.Ledger>(id) is null)
        {
            return ApiError.NotFound($"Account {id} not found");
        }

        var grantId = OperationKey("grant", id, http);
        var outcome = await writer.SubmitAsync<GrantOutcome>(id, new GrantCredits(id, request.Credits, request.Reason!, grantId));
        var ledger = await session.LoadAsync<Ledger.Ledger>(id);
        return Results.Json(new LedgerChangeResponse(id, outcome.Repeated ? 0 : request.Credits, outcome.Balance, ledger?.Available ?? 0, outcome.Repeated),
            statusCode: outcome.Repeated ? 200 : 201);
    }

    /// <summary>Admin correction, positive or negative; a negative one never takes held credits.</summary>
    [WolverinePost("/admin/v1/accounts/{id}/adjustments", Name = "AdminAdjustCredits")]
    [ProducesResponseType<LedgerChangeResponse>(StatusCodes.Status201Created)]
    public static async Task<IResult> Adjust(Guid id, AdjustmentRequest request, HttpRequest http, IQuerySession session, LedgerWriter writer)
    {
        if (await session.LoadAsync<Ledger.Ledger>(id) is null)
        {
            return ApiError.NotFound($"Account {id} not found");
        }

        var outcome = await writer.SubmitAsync<LedgerOperationOutcome>(id,
            new AdjustCredits(id, request.Credits, request.Reason!, OperationKey("adjustment", id, http)));
        return Results.Json(new LedgerChangeResponse(id, outcome.Applied, outcome.Balance, outcome.Available, outcome.Repeated),
            statusCode: outcome.Repeated ? 200 : 201);
    }

    private static string OperationKey(string kind, Guid accountId, HttpRequest http) =>
        http.Headers.TryGetValue("Idempotency-Key", out var key) && !string.IsNullOrWhiteSpace(key)
            ? $"{kind}:{accountId}:{key}"
            : $"{kind}:{Guid.CreateVersion7()}";
}
