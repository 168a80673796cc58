namespace Verging.SharedKernel.Fetching;

/// <summary>
/// Downloads a customer-supplied URL (a job's target_video_url, vision's image_url) on the server, through an
/// SSRF guard: only http/https, every resolved address of every hop checked, connections made to the checked
/// address only, redirects re-checked, size cap and timeout. <c>field</c> is the request field the URL came
/// from; every user-facing message names it.
/// </summary>
public interface IRemoteMediaFetcher
{
    /// <summary>
    /// Downloads <paramref name="url"/> to <paramref name="destinationPath"/>, at most <paramref name="maxBytes"/>
    /// (and never more than the configured cap). Throws <see cref="RemoteFetchRefusedException"/> when the URL or an
    /// address it leads to is not allowed, <see cref="RemoteFetchFailedException"/> for network and HTTP errors,
    /// the size cap and the timeout. Leaves no partial file behind.
    /// </summary>
    Task<FetchedFile> FetchAsync(Uri url, string field, string destinationPath, long maxBytes, CancellationToken cancellation);

    /// <summary>As <see cref="FetchAsync"/>, into memory: for small media (an image) that is used at once.</summary>
    Task<FetchedBytes> FetchBytesAsync(Uri url, string field, long maxBytes, CancellationToken cancellation);

    /// <summary>
    /// The cheap pre-check an endpoint runs before it accepts work: scheme, credentials and the addresses the
    /// host resolves to right now (a host that does not resolve is refused too). Opens no connection. Throws only
    /// <see cref="RemoteFetchRefusedException"/>, whose message already names the field.
    /// </summary>
    Task CheckAsync(Uri url, string field, CancellationToken cancellation);
}

/// <param name="Path">Where the body was written.</param>
/// <param name="Bytes">Its size.</param>
/// <param name="ContentType">The media type the server declared (not trusted: sniff or probe the file).</param>
public sealed record FetchedFile(string Path, long Bytes, string? ContentType);

/// <param name="Body">The whole body.</param>
/// <param name="ContentType">The media type the server declared (not trusted: sniff the bytes).</param>
public sealed record FetchedBytes(byte[] Body, string? ContentType);

/// <summary>The URL is not allowed (scheme, credentials, or an address that is private, loopback, ...). The message is user-facing.</summary>
public sealed class RemoteFetchRefusedException(string message) : Exception(message);

/// <summary>The URL was allowed but fetching it failed (network, HTTP status, size cap, timeout). The message is user-facing.</summary>
public sealed class RemoteFetchFailedException(string message, Exception? inner = null) : Exception(message, inner);
