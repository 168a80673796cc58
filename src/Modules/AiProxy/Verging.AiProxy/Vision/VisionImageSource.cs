using Verging.AiProxy.Providers;
using Verging.SharedKernel;
using Verging.SharedKernel.Fetching;
using Verging.SharedKernel.Media;

namespace Verging.AiProxy.Vision;

/// <summary>
/// Turns vision's <c>image_url</c> into the image itself, downloaded here through the SSRF guard, so the
/// provider only ever receives bytes. Were the URL forwarded, a self-hosted provider (vLLM, Ollama, LiteLLM)
/// would fetch it from inside our network unchecked; fetched here, the URL gets the same checks as a job's
/// target_video_url, the image is typed by content like an upload, and the sandbox can describe it.
/// </summary>
public sealed class VisionImageSource(IRemoteMediaFetcher fetcher)
{
    public const string Field = "image_url";

    /// <summary>The image of <paramref name="image"/>, fetched if it is only a URL. Throws <see cref="VisionImageException"/> with the 400 to answer.</summary>
    public async Task<VisionImage> ResolveAsync(VisionImage image, CancellationToken cancellation)
    {
        if (image.Bytes is not null)
        {
            return image;
        }

        FetchedBytes fetched;
        try
        {
            fetched = await fetcher.FetchBytesAsync(new Uri(image.Url!), Field, VisionEndpoints.MaxImageBytes, cancellation);
        }
        catch (Exception e) when (e is RemoteFetchRefusedException or RemoteFetchFailedException)
        {
            throw new VisionImageException(ApiError.BadRequest(e.Message));
        }

        var type = ContentSniffer.ImageType(fetched.Body)
            ?? throw new VisionImageException(ApiError.BadRequest($"{Field}: not a png, jpeg, gif or webp image"));
        return image with { Bytes = fetched.Body, MediaType = ContentSniffer.MediaType(type) };
    }
}

/// <summary>The image a vision request names cannot be used; <see cref="Error"/> is the client's 400.</summary>
public sealed class VisionImageException(ApiError error) : Exception(error.Message)
{
    public ApiError Error { get; } = error;
}
