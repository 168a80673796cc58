using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Verging.SharedKernel;

namespace Verging.Api.Errors;

/// <summary>
/// Replaces ASP.NET Core's ProblemDetails output everywhere (Wolverine's JSON errors, status code
/// pages for 404/405/415, the exception handler) with the public error format
/// <c>{"error_code", "message", "upstream_error"}</c>.
/// </summary>
internal sealed partial class PublicErrorWriter : IProblemDetailsService
{
    public const string BodyTooLargeItem = "verging.body_too_large";

    public async ValueTask WriteAsync(ProblemDetailsContext context) => await TryWriteAsync(context);

    public async ValueTask<bool> TryWriteAsync(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.HttpContext;
        if (http.Response.HasStarted)
        {
            return false;
        }

        var error = Translate(http, context.ProblemDetails.Status ?? http.Response.StatusCode, context.ProblemDetails.Title, context.ProblemDetails.Detail);
        http.Response.StatusCode = error.Status;
        await ApiError.WriteBodyAsync(http.Response, error);
        return true;
    }

    internal static ApiError Translate(HttpContext http, int status, string? title, string? detail)
    {
        if (http.Items.ContainsKey(BodyTooLargeItem))
        {
            return new ApiError(413, ErrorCodes.PayloadTooLarge, (string)http.Items[BodyTooLargeItem]!);
        }

        var request = http.Request;
        var message = status switch
        {
            404 => http.GetEndpoint() is null ? $"No route matches {request.Method} {request.Path}" : detail ?? "Not found",
            405 => $"Method {request.Method} is not allowed on {request.Path}",
            406 => "The Accept header must allow application/json",
            415 => "Unsupported media type: send Content-Type: application/json",
            400 when title == "Invalid JSON format" => DescribeJsonError(detail),
            400 => detail ?? "Bad request: the request body could not be read",
            _ => detail ?? title ?? ReasonPhrases.GetReasonPhrase(status),
        };

        return new ApiError(status, ErrorCodes.ForStatus(status), message);
    }

    // System.Text.Json messages name .NET types; keep only where the problem is.
    private static string DescribeJsonError(string? detail)
    {
        if (detail is null)
        {
            return "Malformed JSON in request body";
        }

        var path = JsonPath().Match(detail);
        return path.Success
            ? $"Malformed JSON in request body at {path.Groups[1].Value}: wrong type or syntax"
            : "Malformed JSON in request body";
    }

    [GeneratedRegex(@"Path: (\S+)")]
    private static partial Regex JsonPath();
}
