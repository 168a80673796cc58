using Microsoft.AspNetCore.Server.Kestrel.Core;
using Verging.Api.Admin;
using Verging.Api.Errors;

namespace Verging.Api.Hosting;

/// <summary>Every error leaves in the public format: exceptions, empty error statuses, oversize bodies.</summary>
internal static class ErrorHandlingSetup
{
    /// <summary>The server-wide cap; endpoints set their own, lower limits (RequestBodyLimit).</summary>
    public const long ServerBodyCapBytes = 64L * 1024 * 1024;

    public static WebApplicationBuilder AddVergingErrorHandling(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IProblemDetailsService, PublicErrorWriter>();
        builder.Services.AddExceptionHandler<ExceptionToErrorHandler>();
        builder.Services.Configure<KestrelServerOptions>(k => k.Limits.MaxRequestBodySize = ServerBodyCapBytes);
        return builder;
    }

    public static void UseVergingErrorHandling(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<AdminGate>(app.Configuration["VERGING_ADMIN_TOKEN"] ?? app.Configuration["Admin:Token"] ?? string.Empty);
    }

    public static void UseVergingBodyLimits(this WebApplication app) =>
        app.UseMiddleware<RequestBodyLimit>(app.Configuration.GetValue("Http:MaxJsonBodyBytes", RequestBodyLimit.DefaultLimitBytes));
}
