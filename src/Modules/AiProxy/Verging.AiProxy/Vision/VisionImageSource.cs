using Verging.AiProxy.Providers;
using Verging.SharedKernel;
using Verging.SharedKernel.Blobs;
using Verging.SharedKernel.Fetching;
using Verging.SharedKernel.Media;

namespace Verging.AiProxy.Vision;

/// <summary>
/// Turns vision's <c>image_url</c> into the image itself, downloaded here through the SSRF guard, so the
/// provider only ever receives bytes. Were the URL forwarded, a self-hosted provider (vLLM, Ollama, LiteLLM)
/// would fetch it from inside our network unchecked; fetched here, the URL gets the same checks as a job's
/// target_video_url, the image is typed by content like an upload, and the sandbox can describe it.
/// </summary>
public sealed class VisionImageSource(IRemoteMediaFetcher fetcher, BlobUrlSigner signer, IBlobStore blobs)
{
    public const string Field = "image_url";

    /// <summary>The image of <paramref name="image"/>, fetched if it is only a URL. Throws <see cref="VisionImageException"/> with the 400 to answer.</summary>
    public async Task<VisionImage> ResolveAsync(VisionImage image, CancellationToken cancellation)
    {
        if (image.Bytes is not null)
        {
            return image;
        }

        var url = new Uri(image.Url!);
        // A signed URL of our own (an upload, a generated image) is read from the store, as jobs do: no HTTP
        // request to ourselves, which the guard would refuse on a loopback or private address anyway.
        var body = signer.KeyFromOwnUrl(url) is { } key ? await ReadOwnAsync(key, cancellation) : await FetchAsync(url, cancellation);
        var type = ContentSniffer.ImageType(body)
            ?? throw new VisionImageException(ApiError.BadRequest($"{Field}: not a png, jpeg, gif or webp image"));
        if (ImageHeader.Read(body, Field, out var unreadable) is null)
        {
            throw new VisionImageException(ApiError.BadRequest(unreadable!));
        }

        return image with { Bytes = body, MediaType = ContentSniffer.MediaType(type) };
    }

    private async Task<byte[]> FetchAsync(Uri url, CancellationToken cancellation)
    {
        try
        {
            return (await fetcher.FetchBytesAsync(url, Field, VisionEndpoints.MaxImageBytes, cancellation)).Body;
        }
        catch (Exception e) when (e is RemoteFetchRefusedException or RemoteFetchFailedException)
        {
            throw new VisionImageException(ApiError.BadRequest(e.Message));
        }
    }

    private async Task<byte[]> ReadOwnAsync(string key, CancellationToken cancellation)
    {
        var opened = await blobs.OpenAsync(key, cancellation)
            ?? throw new VisionImageException(ApiError.BadRequest($"{Field}: the file no longer exists (it may have been removed after its retention period)"));
        await using var content = opened.Content;
        // Both stores know a file's length (local disk, S3's Content-Length): check it before reading anything.
        if (content.Length > VisionEndpoints.MaxImageBytes)
        {
            throw new VisionImageException(ApiError.BadRequest($"{Field} is larger than the {VisionEndpoints.MaxImageBytes} bytes allowed"));
        }

        using var copy = new MemoryStream((int)content.Length);
        await content.CopyToAsync(copy, cancellation);
        return copy.ToArray();
    }
}

/// <summary>The image a vision request names cannot be used; <see cref="Error"/> is the client's 400.</summary>
public sealed class VisionImageException(ApiError error) : Exception(error.Message)
{
    public ApiError Error { get; } = error;
}
