namespace Verging.Jobs.Fetching;

/// <summary>
/// Downloads a customer-supplied URL (target_video_url) on the server, through an SSRF guard:
/// only http/https, every resolved address of every hop checked, connections made to the checked
/// address only, redirects re-checked, size cap and timeout.
/// </summary>
public interface IRemoteMediaFetcher
{
    /// <summary>
    /// Downloads <paramref name="url"/> to <paramref name="destinationPath"/>, at most <paramref name="maxBytes"/>
    /// (and never more than the configured cap). Throws <see cref="RemoteFetchRefusedException"/> when the URL or an
    /// address it leads to is not allowed, <see cref="RemoteFetchFailedException"/> for network and HTTP errors,
    /// the size cap and the timeout.
    /// </summary>
    Task<FetchedFile> FetchAsync(Uri url, string destinationPath, long maxBytes, CancellationToken cancellation);

    /// <summary>
    /// The cheap pre-check the create endpoint runs before a job exists: scheme, credentials and the addresses the
    /// host resolves to right now (a host that does not resolve is refused too). Opens no connection. Throws only
    /// <see cref="RemoteFetchRefusedException"/>, whose message already names target_video_url.
    /// </summary>
    Task CheckAsync(Uri url, CancellationToken cancellation);
}

/// <param name="Path">Where the body was written.</param>
/// <param name="Bytes">Its size.</param>
/// <param name="ContentType">The media type the server declared (not trusted: sniff or probe the file).</param>
public sealed record FetchedFile(string Path, long Bytes, string? ContentType);

/// <summary>The URL is not allowed (scheme, credentials, or an address that is private, loopback, ...). The message is user-facing.</summary>
public sealed class RemoteFetchRefusedException(string message) : Exception(message);

/// <summary>The URL was allowed but fetching it failed (network, HTTP status, size cap, timeout). The message is user-facing.</summary>
public sealed class RemoteFetchFailedException(string message, Exception? inner = null) : Exception(message, inner);
