using Verging.Api.Errors;
using Verging.SharedKernel;

namespace Verging.Api.Hosting;

/// <summary>
/// Every query parameter of the API takes one value (lists are comma-separated, as job_ids is), but
/// binding silently used the first of <c>?status=failed&amp;status=completed</c> and dropped the rest.
/// A parameter given more than once is a 400 naming it.
/// </summary>
internal static class RepeatedQueryCheck
{
    public static IApplicationBuilder UseSingleValuedQueryParameters(this IApplicationBuilder app) => app.Use((context, next) =>
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
        }

        return next(context);
    });
}
