using Verging.SharedKernel;
using Verging.SharedKernel.Http;

namespace Verging.Api.Admin;

/// <summary>
/// Guards <c>/admin</c>: without a configured admin token (<c>VERGING_ADMIN_TOKEN</c>) the whole
/// admin API does not exist (404); with one, every call needs <c>Authorization: Bearer &lt;token&gt;</c>,
/// compared in constant time.
/// </summary>
internal sealed class AdminGate(RequestDelegate next, string? adminToken)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/admin", StringComparison.OrdinalIgnoreCase))
        {
            return next(context);
        }

        if (string.IsNullOrEmpty(adminToken))
        {
            return ApiError.NotFound($"No route matches {context.Request.Method} {context.Request.Path}").ExecuteAsync(context);
        }

        if (!BearerToken.Matches(context.Request.Headers.Authorization.ToString(), adminToken))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return ApiError.Unauthorized("Invalid or missing admin token").ExecuteAsync(context);
        }

        return next(context);
    }
}
