using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Scalar.AspNetCore;
using Verging.Api.Hosting.OpenApi;
using Verging.SharedKernel.Blobs;

namespace Verging.Api.Hosting;

/// <summary>The OpenAPI document at <c>/openapi/v1.json</c>, generated from the endpoints, and a browsable page at <c>/docs</c>.</summary>
internal static class OpenApiSetup
{
    public static WebApplicationBuilder AddVergingOpenApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenApi("v1", options =>
        {
            options.AddDocumentTransformer((document, context, _) =>
            {
                // The configured public origin, else relative to wherever the document was fetched from: never
                // the request's Host header, which a client (or a cache in front) could make point elsewhere.
                var origin = context.ApplicationServices.GetRequiredService<IOptions<BlobOptions>>().Value.PublicBaseUrl;
                document.Servers = [new OpenApiServer { Url = string.IsNullOrEmpty(origin) ? "/" : origin.TrimEnd('/') }];
                document.Info = new OpenApiInfo
                {
                    Title = "Verging API",
                    Version = "v1",
                    Description = "Credits-billed AI API. Authenticate with 'Authorization: ApiKey vrg_sk_...'.",
                };
                OperationRules.AddComponents(document);
                return Task.CompletedTask;
            });
            options.AddOperationTransformer(OperationRules.ApplyAsync);
            options.AddSchemaTransformer(ValidatorSchemaRules.ApplyAsync);
        });
        return builder;
    }

    public static void MapVergingDocs(this WebApplication app)
    {
        // Only v1 exists: another name falls through to the JSON 404 every unknown route gets.
        app.MapOpenApi("/openapi/v1.json").AllowAnonymous();
        app.MapScalarApiReference("/docs", o => o.WithTitle("Verging API").WithOpenApiRoutePattern("/openapi/{documentName}.json")).AllowAnonymous();
    }
}
