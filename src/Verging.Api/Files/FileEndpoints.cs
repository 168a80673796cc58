using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Verging.SharedKernel;
using Verging.SharedKernel.Blobs;

namespace Verging.Api.Files;

/// <summary>
/// <c>GET /files/{key}?expires&amp;sig</c>: serves a stored file to whoever holds a valid, unexpired
/// signed URL (no API key: these URLs are handed to browsers and players).
/// </summary>
internal static class FileEndpoints
{
    public static IServiceCollection AddVergingBlobs(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<BlobOptions>(configuration.GetSection("Blobs"));
        services.Configure<S3BlobOptions>(configuration.GetSection(S3BlobOptions.Section));
        // Chosen when the store is first needed, from the bound options, so settings supplied late
        // (test hosts, environment) still decide: a bucket means S3, otherwise local disk.
        services.AddSingleton<IBlobStore>(sp => sp.GetRequiredService<IOptions<S3BlobOptions>>().Value.Enabled
            ? ActivatorUtilities.CreateInstance<S3BlobStore>(sp)
            : ActivatorUtilities.CreateInstance<LocalDiskBlobStore>(sp));
        services.AddSingleton<BlobUrlSigner>();
        return services;
    }

    // HEAD lets a player or download manager learn a file's type and size without fetching it.
    public static void MapVergingFiles(this WebApplication app) =>
        app.MapMethods(BlobUrlSigner.RoutePrefix + "{**key}", [HttpMethods.Get, HttpMethods.Head], async (string? key, string? expires, string? sig, HttpContext http, BlobUrlSigner signer, IBlobStore store) =>
        {
            // "/files/" names no file at all (a required key would make it a 400 about the request body).
            if (string.IsNullOrEmpty(key))
            {
                return ApiError.NotFound("No file named: the URL ends at /files/");
            }

            if (!signer.IsValid(key, expires, sig))
            {
                return (IResult)new ApiError(403, ErrorCodes.Forbidden, "This file URL is invalid or has expired");
            }

            var file = await store.OpenAsync(key, http.RequestAborted);
            if (file is not { } f)
            {
                return ApiError.NotFound("File not found (it may have been removed after its retention period)");
            }

            if (HttpMethods.IsHead(http.Request.Method))
            {
                // Answered here rather than left to the server to drop the body: the file stays unread.
                await using (f.Content)
                {
                    http.Response.ContentType = f.ContentType;
                    http.Response.ContentLength = f.Content.Length;
                    http.Response.Headers.AcceptRanges = f.Content.CanSeek ? "bytes" : "none";
                    return Results.Empty;
                }
            }

            if (RangeRefusal(http, f.Content) is { } refusal)
            {
                await f.Content.DisposeAsync();
                return refusal;
            }

            if (!f.Content.CanSeek)
            {
                // Ranges need a seekable stream (local disk); a forward-only one (S3) still tells its
                // length, so players and download bars know the size rather than getting chunked bytes.
                http.Response.ContentLength = f.Content.Length;
            }

            return Results.Stream(f.Content, f.ContentType, enableRangeProcessing: true);
        }).AllowAnonymous().ExcludeFromDescription();

    /// <summary>
    /// Ranges are served by the framework; some cases are answered here. A unit other than bytes ("items=0-5")
    /// or any If-Range is ignored, as RFC 9110 asks, and the whole file is sent (the framework would read it as
    /// bytes, and does not check If-Range without a validator). A
    /// byte range that starts past the end is the 416 the framework sends, with the error body every other
    /// refusal has rather than none.
    /// </summary>
    private static ApiError? RangeRefusal(HttpContext http, Stream content)
    {
        var header = http.Request.Headers.Range;
        if (header.Count == 0)
        {
            return null;
        }

        // If-Range names a version the range is only wanted from; files carry no ETag or date to match it
        // against, so it never matches and the whole file is the answer (RFC 9110, 13.1.5).
        if (!RangeHeaderValue.TryParse(header.ToString(), out var range) || !range.Unit.Equals("bytes", StringComparison.OrdinalIgnoreCase)
            || http.Request.Headers.IfRange.Count > 0)
        {
            http.Request.Headers.Remove(HeaderNames.Range);
            return null;
        }

        if (!content.CanSeek || range.Ranges.Any(r => r.From is null ? r.To > 0 : r.From < content.Length))
        {
            return null;
        }

        http.Response.Headers.ContentRange = $"bytes */{content.Length}";
        return new ApiError(416, ErrorCodes.RangeNotSatisfiable, $"Range: the file has {content.Length} bytes; no range asked for starts within them");
    }
}
