using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Verging.SharedKernel;
using Verging.SharedKernel.Http;
using Wolverine.Http;

namespace Verging.Credits.Balance;

public sealed record CreditHistoryPoint(DateTimeOffset AsOf, long Balance, long Frozen, long Available, long EventsReplayed);

public static class GetCreditHistoryEndpoint
{
    /// <summary>
    /// The caller's credits as they were at <c>as_of</c>, computed by replaying the ledger stream up
    /// to that instant: the audit replay the product promises, available to every customer.
    /// </summary>
    [WolverineGet("/api/v1/credits/history", Name = "GetCreditHistory")]
    public static async Task<IResult> Get(ClaimsPrincipal user, IQuerySession session, TimeProvider clock, [FromQuery(Name = "as_of")] string? asOf)
    {
        if (!IsoTime.TryParse(asOf, out var instant))
        {
            return ApiError.BadRequest("as_of: required, an ISO-8601 timestamp such as 2026-03-20T10:30:00Z");
        }

        instant = instant.ToUniversalTime();
        if (instant > clock.GetUtcNow())
        {
            return ApiError.BadRequest("as_of: must not be in the future");
        }

        var events = await session.Events.FetchStreamAsync(Caller.From(user).AccountId, timestamp: instant);
        Ledger.Ledger? state = null;
        foreach (var e in events)
        {
            state = Ledger.Ledger.Fold(state, e.Data);
        }

        return Results.Json(state is null
            ? new CreditHistoryPoint(instant, 0, 0, 0, 0)
            : new CreditHistoryPoint(instant, state.Balance, state.Frozen, state.Available, events.Count));
    }
}
