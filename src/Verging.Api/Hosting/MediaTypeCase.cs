namespace Verging.Api.Hosting;

/// <summary>
/// Media types are case-insensitive (RFC 9110, 8.3.1), but the JSON endpoints compared the
/// Content-Type header as written: <c>application/JSON</c> was a 415. This lower-cases the
/// type/subtype before anything reads it, and never the parameters (a multipart boundary is
/// case-sensitive).
/// </summary>
internal static class MediaTypeCase
{
    public static IApplicationBuilder UseCaseInsensitiveMediaTypes(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (context.Request.ContentType is { } contentType)
        {
            var end = contentType.IndexOf(';');
            var mediaType = end < 0 ? contentType : contentType[..end];
            if (mediaType.Any(char.IsUpper))
            {
                context.Request.ContentType = mediaType.ToLowerInvariant() + contentType[mediaType.Length..];
            }
        }

        return next(context);
    });
}
