using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Verging.Api.Errors;
using Verging.Jobs;

namespace Verging.Api.Hosting;

/// <summary>Every error leaves in the public format: exceptions, empty error statuses, oversize bodies, the token-gated APIs.</summary>
internal static class ErrorHandlingSetup
{
    /// <summary>The server-wide cap; endpoints set their own, lower limits (RequestBodyLimit).</summary>
    public const long ServerBodyCapBytes = 64L * 1024 * 1024;

    public static WebApplicationBuilder AddVergingErrorHandling(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IProblemDetailsService, PublicErrorWriter>();
        builder.Services.AddExceptionHandler<ExceptionToErrorHandler>();
        builder.Services.Replace(ServiceDescriptor.Singleton(typeof(ILogger<>), typeof(ClientJsonErrorLogger<>)));
        builder.Services.Configure<KestrelServerOptions>(k => k.Limits.MaxRequestBodySize = ServerBodyCapBytes);
        return builder;
    }

    public static void UseVergingErrorHandling(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<TokenGate>(new PathString("/admin"), app.Configuration["VERGING_ADMIN_TOKEN"] ?? app.Configuration["Admin:Token"] ?? string.Empty, "admin");
        app.UseMiddleware<TokenGate>(new PathString("/worker"), app.Services.GetRequiredService<IOptions<JobsOptions>>().Value.WorkerToken ?? string.Empty, "worker");
    }

    public static void UseVergingBodyLimits(this WebApplication app) =>
        app.UseMiddleware<RequestBodyLimit>(app.Configuration.GetValue("Http:MaxJsonBodyBytes", RequestBodyLimit.DefaultLimitBytes));
}
