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
            var length = end < 0 ? contentType.Length : end;
            // Media types are ASCII; nothing is allocated unless one has a capital letter.
            if (contentType.AsSpan(0, length).ContainsAnyInRange('A', 'Z'))
            {
                context.Request.ContentType = contentType[..length].ToLowerInvariant() + contentType[length..];
            }
        }

        return next(context);
    });
}
