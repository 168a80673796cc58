using Verging.SharedKernel;
using Verging.SharedKernel.Http;

namespace Verging.Api.Hosting;

/// <summary>
/// No endpoint decompresses request bodies, so a body sent with <c>Content-Encoding: gzip</c> (or any
/// coding but identity) was read as raw bytes and failed as "Malformed JSON" or a broken multipart
/// form. It is a 415 naming the coding instead, with <c>Accept-Encoding: identity</c> saying what is
/// accepted (RFC 9110, 15.5.16).
/// </summary>
internal static class ContentEncodingCheck
{
    public static IApplicationBuilder UseIdentityContentEncodingOnly(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var coding = context.Request.Headers.ContentEncoding.ToString().Trim();
        if (coding.Length == 0 || coding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            return next(context);
        }

        context.Response.Headers.AcceptEncoding = "identity";
        return new ApiError(415, ErrorCodes.UnsupportedMediaType,
            $"Content-Encoding {ClientText.Echo(coding)} is not supported: send the request body uncompressed").ExecuteAsync(context);
    });
}
