using System.Security.Cryptography;
using System.Text;
using Verging.SharedKernel;

namespace Verging.Api.Admin;

/// <summary>
/// Guards <c>/admin</c>: without a configured admin token (<c>VERGING_ADMIN_TOKEN</c>) the whole
/// admin API does not exist (404); with one, every call needs <c>Authorization: Bearer &lt;token&gt;</c>,
/// compared in constant time.
/// </summary>
internal sealed class AdminGate(RequestDelegate next, string? adminToken)
{
    private readonly byte[]? _expected = string.IsNullOrEmpty(adminToken) ? null : Encoding.UTF8.GetBytes("Bearer " + adminToken);

    public Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/admin", StringComparison.OrdinalIgnoreCase))
        {
            return next(context);
        }

        if (_expected is null)
        {
            return ApiError.NotFound($"No route matches {context.Request.Method} {context.Request.Path}").ExecuteAsync(context);
        }

        var presented = Encoding.UTF8.GetBytes(context.Request.Headers.Authorization.ToString());
        if (!CryptographicOperations.FixedTimeEquals(presented, _expected))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return ApiError.Unauthorized("Invalid or missing admin token").ExecuteAsync(context);
        }

        return next(context);
    }
}
