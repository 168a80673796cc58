using Verging.SharedKernel;
using Verging.SharedKernel.Http;

namespace Verging.Api.Hosting;

/// <summary>
/// Two rules for every query parameter, before any endpoint binds one:
/// <list type="bullet">
/// <item>One value each (lists are comma-separated, as job_ids is): binding silently used the first of
/// <c>?status=failed&amp;status=completed</c> and dropped the rest.</item>
/// <item>No NUL (<c>%00</c>): PostgreSQL cannot take it in text, and a command failing on it can leave its
/// pooled Npgsql connection answering the next command with the wrong message ("unexpected backend
/// message DataRow", seen with Npgsql 10.0.3 after a NUL worker_id), a 500 for an unrelated request.</item>
/// </list>
/// </summary>
internal static class QueryParameterCheck
{
    public static IApplicationBuilder UseCheckedQueryParameters(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (!context.Request.QueryString.HasValue)
        {
            return next(context);
        }

        foreach (var (name, values) in context.Request.Query)
        {
            if (values.Count > 1)
            {
                return ApiError.BadRequest($"{ClientText.Echo(name)}: given more than once; give it once (lists are comma-separated)").ExecuteAsync(context);
            }

            if (name.Contains('\0') || values.ToString().Contains('\0'))
            {
                return ApiError.BadRequest($"{ClientText.Echo(name)}: must not contain NUL (%00)").ExecuteAsync(context);
            }
        }

        return next(context);
    });
}
