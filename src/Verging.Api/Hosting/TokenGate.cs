using Verging.SharedKernel;
using Verging.SharedKernel.Http;

namespace Verging.Api.Hosting;

/// <summary>
/// Guards an API that exists only when its token is configured: <c>/admin</c> (VERGING_ADMIN_TOKEN) and
/// <c>/worker</c> (Jobs:WorkerToken). Without the token every path under the prefix is 404, whatever
/// the method or body (routing never sees it, so there is no 405 to give the API away); with one, every
/// call needs <c>Authorization: Bearer &lt;token&gt;</c>, compared in constant time, before its body
/// is read.
/// </summary>
internal sealed class TokenGate(RequestDelegate next, PathString prefix, string? token, string tokenName)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return next(context);
        }

        if (string.IsNullOrEmpty(token))
        {
            return ApiError.NotFound($"No route matches {context.Request.Method} {context.Request.Path}").ExecuteAsync(context);
        }

        if (!BearerToken.Matches(context.Request.Headers.Authorization.ToString(), token))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return ApiError.Unauthorized($"Invalid or missing {tokenName} token").ExecuteAsync(context);
        }

        return next(context);
    }
}
