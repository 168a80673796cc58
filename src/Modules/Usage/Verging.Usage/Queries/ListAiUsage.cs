using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Verging.SharedKernel;
using Wolverine.Http;

namespace Verging.Usage.Queries;

public static class ListAiUsageEndpoint
{
    /// <summary>
    /// The caller's AI proxy usage, newest first, as the reference shows it; <c>from</c>, <c>to</c> and
    /// <c>api_key_id</c> narrow it. With <c>format=csv</c> (or <c>Accept: text/csv</c>) every matching
    /// record is streamed as CSV instead of one page.
    /// </summary>
    [WolverineGet("/api/v1/ai/usage", Name = "ListAiUsage")]
    public static async Task<IResult> Get(
        ClaimsPrincipal user, UsageReader reader, HttpContext http,
        [FromQuery(Name = "service_type")] string? serviceType, [FromQuery(Name = "page")] string? page,
        [FromQuery(Name = "page_size")] string? pageSize, [FromQuery(Name = "from")] string? from, [FromQuery(Name = "to")] string? to,
        [FromQuery(Name = "api_key_id")] string? apiKeyId, [FromQuery(Name = "format")] string? format)
    {
        var problems = new List<string>();
        var request = UsageParameters.ParseList(
            serviceType, page, pageSize, from, to, apiKeyId, format, http.Request.Headers.Accept.ToString(), problems);
        if (request is null)
        {
            return ApiError.BadRequest(string.Join("; ", problems));
        }

        var filter = new UsageFilter(Caller.From(user).AccountId, request.ServiceType, request.From, request.To, request.ApiKeyId);
        if (request.Csv)
        {
            return new CsvExport(reader, filter);
        }

        return Results.Json(await reader.PageAsync(filter, request.Page, request.PageSize, http.RequestAborted));
    }

    /// <summary>Streams the export straight from the database reader to the response body.</summary>
    private sealed class CsvExport(UsageReader reader, UsageFilter filter) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = 200;
            response.ContentType = UsageCsv.ContentType;
            response.Headers.ContentDisposition = "attachment; filename=\"usage.csv\"";
            var cancellation = httpContext.RequestAborted;

            await using var writer = new StreamWriter(response.Body, new UTF8Encoding(false), 64 * 1024);
            await writer.WriteAsync(UsageCsv.Header + "\r\n");
            var line = new StringBuilder(256);
            await reader.ExportAsync(filter, async (record, model, apiKeyId) =>
            {
                line.Clear();
                UsageCsv.AppendLine(line, record, model, apiKeyId);
                // Buffered by the writer: the body is written (and flushed to the client) 64 KiB at a time.
                await writer.WriteAsync(line, cancellation);
            }, cancellation);
            await writer.FlushAsync(cancellation);
        }
    }
}
