using Microsoft.AspNetCore.Http.Features;
using Verging.SharedKernel.Http;

namespace Verging.Api.Hosting;

/// <summary>
/// Gives an endpoint marked <see cref="OptionalJsonBodyAttribute"/> an empty JSON object when the request
/// carries no body (<c>curl -X POST</c> with no <c>-d</c>): Wolverine's JSON reader would otherwise answer 400
/// "Malformed JSON" for a request whose every field has a default. Runs after routing, so only marked endpoints pay.
/// </summary>
internal static class OptionalJsonBody
{
    private static readonly byte[] EmptyObject = "{}"u8.ToArray();

    public static IApplicationBuilder UseOptionalJsonBodies(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<OptionalJsonBodyAttribute>() is not null && HasNoBody(context.Request))
        {
            context.Request.Body = new MemoryStream(EmptyObject, writable: false);
            context.Request.ContentLength = EmptyObject.Length;
            context.Request.ContentType = "application/json";
        }

        return next(context);
    });

    private static bool HasNoBody(HttpRequest request) =>
        request.ContentLength == 0
        || (request.ContentLength is null && request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false);
}
