using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Verging.Api.Hosting;

/// <summary>The OpenAPI document at <c>/openapi/v1.json</c>, generated from the endpoints, and a browsable page at <c>/docs</c>.</summary>
internal static class OpenApiSetup
{
    public static WebApplicationBuilder AddVergingOpenApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenApi("v1", options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Verging API",
                Version = "v1",
                Description = "Credits-billed AI API. Authenticate with 'Authorization: ApiKey vrg_sk_...'.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["ApiKey"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = "Authorization",
                Description = "ApiKey vrg_sk_...",
            };
            return Task.CompletedTask;
        }));
        return builder;
    }

    public static void MapVergingDocs(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapScalarApiReference("/docs", o => o.WithTitle("Verging API").WithOpenApiRoutePattern("/openapi/{documentName}.json")).AllowAnonymous();
    }
}
