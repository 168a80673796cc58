using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Verging.SharedKernel;
using Verging.Usage.Recording;
using Wolverine.Http;

namespace Verging.Usage.Queries;

/// <summary>The figures of one group (or of the whole range): AI requests and job attempts together.</summary>
public sealed record UsageFigures(
    long Requests, long AiRequests, long JobAttempts, long Succeeded, long Failed, long CreditsConsumed,
    long InputTokens, long OutputTokens, double? LatencyP50Ms, double? LatencyP95Ms);

/// <summary>One group of a summary: a UTC day (yyyy-MM-dd), a service type or an API key id.</summary>
public sealed record UsageGroup(
    string Key, long Requests, long AiRequests, long JobAttempts, long Succeeded, long Failed, long CreditsConsumed,
    long InputTokens, long OutputTokens, double? LatencyP50Ms, double? LatencyP95Ms);

public sealed record UsageSummary(DateTimeOffset From, DateTimeOffset To, string GroupBy, IReadOnlyList<UsageGroup> Groups, UsageFigures Totals);

public static class GetUsageSummaryEndpoint
{
    /// <summary>
    /// Request counts, credits, tokens and p50/p95 latency per day, service or API key over
    /// [from, to) (default: the last 30 days), for AI requests and job attempts of the caller's account.
    /// </summary>
    [WolverineGet("/api/v1/usage/summary", Name = "GetUsageSummary")]
    public static async Task<IResult> Get(
        ClaimsPrincipal user, NpgsqlDataSource dataSource, TimeProvider clock, HttpContext http,
        [FromQuery(Name = "from")] string? from, [FromQuery(Name = "to")] string? to,
        [FromQuery(Name = "group_by")] string? groupBy, [FromQuery(Name = "api_key_id")] string? apiKeyId)
    {
        var problems = new List<string>();
        var request = UsageParameters.ParseSummary(from, to, groupBy, apiKeyId, clock.GetUtcNow(), problems);
        if (request is null)
        {
            return ApiError.BadRequest(string.Join("; ", problems));
        }

        var summary = await SummarizeAsync(dataSource, Caller.From(user).AccountId, request, http.RequestAborted);
        return Results.Json(summary);
    }

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 1) : null;

    /// <summary>A day as yyyy-MM-dd, an API key id or a service type, as text.</summary>
    private static string KeyText(object key) => key switch
    {
        DateTime day => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        DateOnly day => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        Guid id => id.ToString(),
        _ => Convert.ToString(key, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty,
    };

    internal static async Task<UsageSummary> SummarizeAsync(NpgsqlDataSource dataSource, Guid accountId, UsageSummaryRequest request, CancellationToken cancellation)
    {
        var key = request.GroupBy switch
        {
            "service" => "service_type",
            "api_key" => "api_key_id",
            _ => "(created_at at time zone 'UTC')::date",
        };

        // grouping sets: the groups and the totals of the whole range in one index-only scan; one
        // percentile_cont over an array sorts each group's latencies once for both percentiles.
        var sql = $"""
            select {key} as key, grouping({key}) as is_total, count(*),
                   count(*) filter (where kind = '{UsageRecord.AiKind}'),
                   count(*) filter (where kind = '{UsageRecord.JobKind}'),
                   count(*) filter (where status = '{UsageRecord.Success}'),
                   coalesce(sum(credits_consumed), 0)::bigint, coalesce(sum(input_tokens), 0)::bigint, coalesce(sum(output_tokens), 0)::bigint,
                   percentile_cont(array[0.5, 0.95]) within group (order by latency_ms)
            from {UsageTables.Records}
            where account_id = $1 and created_at >= $2 and created_at < $3 {(request.ApiKeyId is null ? string.Empty : "and api_key_id = $4")}
            group by grouping sets (({key}), ())
            order by is_total, key
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        // A month of a busy account is tens of thousands of latencies to sort: in memory, not on disk.
        await using (var memory = new NpgsqlCommand("set local work_mem = '32MB'", connection, transaction))
        {
            await memory.ExecuteNonQueryAsync(cancellation);
        }

        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = accountId });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = request.From });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = request.To });
        if (request.ApiKeyId is { } apiKey)
        {
            command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = apiKey });
        }

        var groups = new List<UsageGroup>();
        var totals = new UsageFigures(0, 0, 0, 0, 0, 0, 0, 0, null, null);
        await using (var reader = await command.ExecuteReaderAsync(cancellation))
        {
            while (await reader.ReadAsync(cancellation))
            {
                var percentiles = reader.IsDBNull(9) ? null : reader.GetFieldValue<double?[]>(9);
                var figures = new UsageFigures(
                    reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(2) - reader.GetInt64(5),
                    reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8), Round(percentiles?[0]), Round(percentiles?[1]));
                if (reader.GetInt32(1) == 1)
                {
                    totals = figures;
                    continue;
                }

                groups.Add(new UsageGroup(KeyText(reader.GetValue(0)), figures.Requests, figures.AiRequests, figures.JobAttempts, figures.Succeeded,
                    figures.Failed, figures.CreditsConsumed, figures.InputTokens, figures.OutputTokens, figures.LatencyP50Ms, figures.LatencyP95Ms));
            }
        }

        await transaction.CommitAsync(cancellation);
        return new UsageSummary(request.From, request.To, request.GroupBy, groups, totals);
    }
}
