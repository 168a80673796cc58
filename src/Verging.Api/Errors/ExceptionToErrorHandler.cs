using Microsoft.AspNetCore.Diagnostics;
using Verging.SharedKernel;

namespace Verging.Api.Errors;

/// <summary>
/// Last line of defence: an exception becomes an error in the public format. Only
/// <see cref="ApiErrorException"/> and Kestrel's own request errors say what happened; anything else
/// is a 500/50000 with a trace id and never a stack trace.
/// </summary>
internal sealed class ExceptionToErrorHandler(ILogger<ExceptionToErrorHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (httpContext.Response.HasStarted)
        {
            return false;
        }

        ApiError error;
        switch (exception)
        {
            case ApiErrorException api:
                error = api.Error;
                break;
            case BadHttpRequestException bad:
                error = PublicErrorWriter.Translate(httpContext, bad.StatusCode, null, bad.Message);
                break;
            case OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested:
                // The client went away; nobody reads this response.
                httpContext.Response.StatusCode = 499;
                return true;
            default:
                logger.LogError(exception, "Unhandled exception on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
                error = new ApiError(500, ErrorCodes.InternalError, $"Internal server error (trace id {httpContext.TraceIdentifier})");
                break;
        }

        httpContext.Response.StatusCode = error.Status;
        await ApiError.WriteBodyAsync(httpContext.Response, error);
        return true;
    }
}
