using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Verging.SharedKernel;
using Verging.SharedKernel.Blobs;
using Verging.SharedKernel.Http;
using Verging.SharedKernel.Media;
using Wolverine.Http;

namespace Verging.Jobs.Api;

public sealed record UploadResponse(string FileId, string Url, DateTimeOffset ExpiresAt, long Size, string ContentType);

/// <summary>
/// POST /api/v1/uploads: the reference's "uploaded to CDN first", working locally. Stores a video or
/// image in the blob store and returns a signed, expiring URL to pass as target_video_url; such a
/// URL is read straight from the store when the job runs.
/// </summary>
public static class UploadEndpoint
{
    private const long RequestLimit = 500L * 1024 * 1024 + (64 * 1024);

    [WolverinePost("/api/v1/uploads", Name = "UploadFile")]
    [ProducesResponseType<UploadResponse>(StatusCodes.Status200OK)]
    [RequestSizeLimit(RequestLimit)]
    public static async Task<IResult> Post(HttpContext http, IBlobStore blobs, BlobUrlSigner signer, IOptions<JobsOptions> options)
    {
        var (form, error) = await MultipartInput.ReadAsync(http);
        if (error is not null)
        {
            return error;
        }

        var file = form!.Files.GetFile("file");
        if (file is null || file.Length == 0)
        {
            return ApiError.BadRequest("file: required, the video or image to upload");
        }

        if (file.Length > options.Value.MaxUploadBytes)
        {
            return new ApiError(413, ErrorCodes.PayloadTooLarge, $"file: larger than the {options.Value.MaxUploadBytes / (1024 * 1024)} MB limit");
        }

        await using var content = file.OpenReadStream();
        var head = new byte[16];
        var read = await content.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, http.RequestAborted);
        var (extension, mediaType) = Classify(head.AsSpan(0, read));
        if (extension is null)
        {
            return new ApiError(415, ErrorCodes.UnsupportedMediaType, "file: not a video (mp4, mov, webm, mpeg) or image (jpg, png, webp)");
        }

        content.Position = 0;
        var stored = await blobs.PutAsync("uploads", extension, content, mediaType!, http.RequestAborted);
        var (url, expiresAt) = signer.SignedUrl(http.Request, stored.Key);
        return Results.Json(new UploadResponse(stored.Key, url, expiresAt, stored.Size, stored.ContentType));
    }

    /// <summary>By the file's first bytes only.</summary>
    private static (string? Extension, string? MediaType) Classify(ReadOnlySpan<byte> head)
    {
        switch (ContentSniffer.ImageType(head))
        {
            case "jpeg": return ("jpg", "image/jpeg");
            case "png": return ("png", "image/png");
            case "webp": return ("webp", "image/webp");
        }

        return ContentSniffer.AudioType(head) switch
        {
            "mp4" => ("mp4", "video/mp4"),
            "webm" => ("webm", "video/webm"),
            "mpeg" => ("mpg", "video/mpeg"),
            _ => (null, null),
        };
    }
}
