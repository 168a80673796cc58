using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Verging.SharedKernel;

/// <summary>
/// The one error shape of the public API: <c>{"error_code", "message", "upstream_error"}</c>.
/// Endpoints return it as an <see cref="IResult"/>; the host renders framework errors
/// (bad JSON, unknown routes, exceptions) through the same writer.
/// </summary>
public sealed record ApiError(int Status, int ErrorCode, string Message, JsonNode? UpstreamError = null) : IResult
{
    public static ApiError BadRequest(string message) => new(400, ErrorCodes.BadRequest, message);
    public static ApiError Unauthorized(string message) => new(401, ErrorCodes.Unauthorized, message);
    public static ApiError NotFound(string message) => new(404, ErrorCodes.NotFound, message);
    public static ApiError Conflict(string message) => new(409, ErrorCodes.Conflict, message);
    public static ApiError ServiceUnavailable(string message) => new(503, ErrorCodes.ServiceUnavailable, message);

    public static ApiError InsufficientCredits(long required, long available) =>
        new(402, ErrorCodes.InsufficientCredits, $"Insufficient credits. Required: {required}, available: {available}");

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.StatusCode = Status;
        return WriteBodyAsync(httpContext.Response, this);
    }

    /// <summary>Writes the error body (status already set) as <c>application/json</c>.</summary>
    public static async Task WriteBodyAsync(HttpResponse response, ApiError error)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(error);
        response.ContentType = "application/json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(response.Body);
        writer.WriteStartObject();
        writer.WriteNumber("error_code", error.ErrorCode);
        writer.WriteString("message", error.Message);
        writer.WritePropertyName("upstream_error");
        if (error.UpstreamError is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            error.UpstreamError.WriteTo(writer);
        }

        writer.WriteEndObject();
        await writer.FlushAsync(response.HttpContext.RequestAborted);
    }
}
