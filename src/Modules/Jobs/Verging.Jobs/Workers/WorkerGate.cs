using Microsoft.AspNetCore.Http;
using Verging.SharedKernel;
using Verging.SharedKernel.Http;

namespace Verging.Jobs.Workers;

/// <summary>
/// The worker API exists only when Jobs:WorkerToken is set (404 otherwise, like the admin API);
/// every call needs <c>Authorization: Bearer &lt;token&gt;</c>, compared in constant time.
/// </summary>
public static class WorkerGate
{
    public static IResult? Refuse(HttpContext http, string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return ApiError.NotFound($"No route matches {http.Request.Method} {http.Request.Path}");
        }

        if (!BearerToken.Matches(http.Request.Headers.Authorization.ToString(), token))
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return ApiError.Unauthorized("Invalid or missing worker token");
        }

        return null;
    }
}
