using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Verging.SharedKernel;
using Verging.SharedKernel.Http;
using Wolverine.Http;

namespace Verging.Credits.Transactions;

public sealed record TransactionView(
    long Id, string Type, long Amount, long FrozenChange, long BalanceAfter, long FrozenAfter, long AvailableAfter,
    Guid? ReservationId, string? Purpose, string? Reason, DateTimeOffset CreatedAt);

public sealed record TransactionPage(IReadOnlyList<TransactionView> Transactions, long Total, int Page, int PageSize);

public static class ListTransactionsEndpoint
{
    /// <summary>The caller's ledger entries, newest first, from the projected read model.</summary>
    [WolverineGet("/api/v1/credits/transactions", Name = "ListCreditTransactions")]
    public static async Task<IResult> Get(
        ClaimsPrincipal user, IQuerySession session,
        [FromQuery(Name = "page")] string? page, [FromQuery(Name = "page_size")] string? pageSize,
        [FromQuery(Name = "type")] string? type, [FromQuery(Name = "from")] string? from, [FromQuery(Name = "to")] string? to)
    {
        var problems = new List<string>();
        var pageNumber = QueryParameters.WholeNumber(page, "page", 1, 1, 1_000_000, problems);
        var size = QueryParameters.WholeNumber(pageSize, "page_size", 20, 1, 100, problems);
        var fromTime = QueryParameters.Time(from, "from", problems);
        var toTime = QueryParameters.Time(to, "to", problems);
        if (type is not null && !LedgerEntry.Types.Contains(type))
        {
            problems.Add($"type: must be one of {string.Join(", ", LedgerEntry.Types)}");
        }

        if (problems.Count > 0)
        {
            return ApiError.BadRequest(string.Join("; ", problems));
        }

        var accountId = Caller.From(user).AccountId;
        var query = session.Query<LedgerEntry>().Where(e => e.AccountId == accountId);
        if (type is not null)
        {
            query = query.Where(e => e.Type == type);
        }

        if (fromTime is { } f)
        {
            query = query.Where(e => e.CreatedAt >= f);
        }

        if (toTime is { } t)
        {
            query = query.Where(e => e.CreatedAt < t);
        }

        var total = await query.CountAsync();
        var rows = await query.OrderByDescending(e => e.Id).Skip((pageNumber - 1) * size).Take(size).ToListAsync();
        return Results.Json(new TransactionPage(
            rows.Select(e => new TransactionView(e.Id, e.Type, e.Amount, e.FrozenChange, e.BalanceAfter, e.FrozenAfter, e.AvailableAfter,
                e.ReservationId, e.Purpose, e.Reason, e.CreatedAt)).ToList(),
            total, pageNumber, size));
    }
}
