using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Verging.Api.Hosting.OpenApi;

/// <summary>
/// Every operation names how it is authenticated (an API key; the admin or worker token under /admin and
/// /worker; nothing for signed file URLs, health and webhooks) and what its errors look like.
/// </summary>
internal static class OperationRules
{
    public const string ApiKey = "ApiKey";
    public const string AdminToken = "AdminToken";
    public const string WorkerToken = "WorkerToken";
    public const string Error = "Error";

    public static Task ApplyAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellation)
    {
        var path = context.Description.RelativePath ?? string.Empty;
        var scheme = path.StartsWith("admin/", StringComparison.Ordinal) ? AdminToken
            : path.StartsWith("worker/", StringComparison.Ordinal) ? WorkerToken
            : path.StartsWith("api/v1/webhooks/", StringComparison.Ordinal) ? null // signed by the payment provider
            : context.Description.ActionDescriptor.EndpointMetadata.OfType<IAllowAnonymous>().Any() ? null
            : ApiKey;
        operation.Security = scheme is null
            ? []
            : [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, context.Document)] = [] }];

        HandReadInputs.Apply(operation, context);
        if (operation.RequestBody is OpenApiRequestBody body
            && context.Description.ActionDescriptor.EndpointMetadata.OfType<Verging.SharedKernel.Http.OptionalJsonBodyAttribute>().Any())
        {
            body.Required = false; // every field has a default: no body at all is fine
        }

        operation.Responses ??= [];
        operation.Responses.Remove("404");
        DropOpaqueAnswers(operation.Responses);
        operation.Responses["default"] = new OpenApiResponse
        {
            Description = "An error: 400 (bad input, the message names the field), 401, 402 (insufficient credits), 404, 409, 413, 415, 422, 429 (rate limited, see Retry-After), 502 (the provider failed), 503",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = new OpenApiSchemaReference(Error, context.Document) },
            },
        };
        return Task.CompletedTask;
    }

    /// <summary>
    /// An endpoint that returns IResult is listed with a 200 whose schema is IResult itself, which describes
    /// nothing (and is wrong next to a declared 201). Such a 200 goes when another success is declared; else it
    /// stays without a schema.
    /// </summary>
    private static void DropOpaqueAnswers(OpenApiResponses responses)
    {
        foreach (var (status, response) in responses.ToList())
        {
            if (response.Content?.Values.Any(m => m.Schema is OpenApiSchemaReference { Reference.Id: "IResult" }) != true)
            {
                continue;
            }

            var declaredElsewhere = responses.Keys.Any(k => k != status && k.StartsWith('2'));
            if (declaredElsewhere)
            {
                responses.Remove(status);
            }
            else
            {
                responses[status] = new OpenApiResponse { Description = response.Description };
            }
        }
    }

    /// <summary>The error body and the three ways to authenticate, as components the operations refer to.</summary>
    public static void AddComponents(OpenApiDocument document)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[Error] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { "error_code", "message", "upstream_error" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["error_code"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Description = "HTTP status × 100 (+1 for insufficient credits: 40001)" },
                ["message"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["upstream_error"] = new OpenApiSchema { Type = JsonSchemaType.Object | JsonSchemaType.Null, Description = "The AI provider's own error, when it failed" },
            },
        };
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[ApiKey] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = "Authorization",
            Description = "The header value is 'ApiKey vrg_sk_...'",
        };
        document.Components.SecuritySchemes[AdminToken] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http, Scheme = "bearer", Description = "VERGING_ADMIN_TOKEN (the admin API exists only when it is set)",
        };
        document.Components.SecuritySchemes[WorkerToken] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http, Scheme = "bearer", Description = "Jobs:WorkerToken (the worker API exists only when it is set)",
        };
    }
}
