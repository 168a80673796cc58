using System.Globalization;
using Microsoft.Net.Http.Headers;
using Verging.SharedKernel.Http;

namespace Verging.Usage.Queries;

/// <summary>Which usage records: always one account's, optionally narrowed.</summary>
public sealed record UsageFilter(Guid AccountId, string? ServiceType, DateTimeOffset? From, DateTimeOffset? To, Guid? ApiKeyId);

/// <summary>A valid <c>GET /api/v1/ai/usage</c> request (everything but the account).</summary>
public sealed record UsageListRequest(string? ServiceType, int Page, int PageSize, DateTimeOffset? From, DateTimeOffset? To, Guid? ApiKeyId, bool Csv);

/// <summary>A valid <c>GET /api/v1/usage/summary</c> request.</summary>
public sealed record UsageSummaryRequest(DateTimeOffset From, DateTimeOffset To, string GroupBy, Guid? ApiKeyId);

/// <summary>
/// Parses the query strings of the usage endpoints: every problem is collected into one 400/40000
/// message, and nothing is silently clamped (a page_size of 101 is an error, not 100).
/// </summary>
public static class UsageParameters
{
    public static readonly IReadOnlyList<string> AiServiceTypes = ["imagegen", "chat", "tts", "stt", "vision"];
    public static readonly IReadOnlyList<string> Groupings = ["day", "service", "api_key"];
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    /// <summary>Summaries cover the last 30 days unless told otherwise.</summary>
    public static readonly TimeSpan DefaultSummaryRange = TimeSpan.FromDays(30);

    public static UsageListRequest? ParseList(
        string? serviceType, string? page, string? pageSize, string? from, string? to, string? apiKeyId, string? format, string? accept,
        List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        if (serviceType is not null && !AiServiceTypes.Contains(serviceType))
        {
            problems.Add($"service_type: must be one of {string.Join(", ", AiServiceTypes)}");
        }

        var pageNumber = QueryParameters.WholeNumber(page, "page", 1, 1, int.MaxValue, problems);
        var size = QueryParameters.WholeNumber(pageSize, "page_size", DefaultPageSize, 1, MaxPageSize, problems);
        var (fromTime, toTime) = ParseRange(from, to, problems);
        var key = ParseGuid(apiKeyId, "api_key_id", problems);
        var csv = format switch
        {
            null => WantsCsv(accept),
            "json" => false,
            "csv" => true,
            _ => Problem(problems, "format: must be json or csv"),
        };

        return problems.Count > 0 ? null : new UsageListRequest(serviceType, pageNumber, size, fromTime, toTime, key, csv);
    }

    public static UsageSummaryRequest? ParseSummary(string? from, string? to, string? groupBy, string? apiKeyId, DateTimeOffset now, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var (fromTime, toTime) = ParseRange(from, to, problems);
        var grouping = groupBy ?? "day";
        if (!Groupings.Contains(grouping))
        {
            problems.Add($"group_by: must be one of {string.Join(", ", Groupings)}");
        }

        var key = ParseGuid(apiKeyId, "api_key_id", problems);
        if (problems.Count > 0)
        {
            return null;
        }

        var end = toTime ?? now;
        var start = fromTime ?? end - DefaultSummaryRange;
        if (start >= end)
        {
            problems.Add("from: must be before to");
            return null;
        }

        return new UsageSummaryRequest(start, end, grouping, key);
    }

    /// <summary>True when the client asked for CSV by content negotiation (and did not prefer JSON).</summary>
    /// <summary>
    /// CSV when the Accept header prefers text/csv to application/json: by quality (q), then by order. A type at
    /// q=0 is refused, an absent one counts as not wanted; no header, or one that cannot be parsed, means JSON.
    /// </summary>
    public static bool WantsCsv(string? accept)
    {
        if (string.IsNullOrEmpty(accept) || !MediaTypeHeaderValue.TryParseList([accept], out var types))
        {
            return false;
        }

        var (csv, csvAt) = Preference(types, "text/csv");
        var (json, jsonAt) = Preference(types, "application/json");
        return csv > 0 && (csv > json || (csv == json && csvAt < jsonAt));
    }

    private static (double Quality, int Position) Preference(IList<MediaTypeHeaderValue> types, string mediaType)
    {
        for (var i = 0; i < types.Count; i++)
        {
            if (types[i].MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase))
            {
                return (types[i].Quality ?? 1.0, i);
            }
        }

        return (0, int.MaxValue);
    }

    private static (DateTimeOffset? From, DateTimeOffset? To) ParseRange(string? from, string? to, List<string> problems)
    {
        var fromTime = QueryParameters.Time(from, "from", problems);
        var toTime = QueryParameters.Time(to, "to", problems);
        if (fromTime is { } f && toTime is { } t && f >= t)
        {
            problems.Add("from: must be before to");
        }

        return (fromTime, toTime);
    }

    private static Guid? ParseGuid(string? raw, string name, List<string> problems)
    {
        if (raw is null)
        {
            return null;
        }

        if (!Guid.TryParse(raw, out var value))
        {
            problems.Add($"{name}: must be an API key id");
            return null;
        }

        return value;
    }

    private static bool Problem(List<string> problems, string problem)
    {
        problems.Add(problem);
        return false;
    }
}
