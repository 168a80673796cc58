using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;

namespace Verging.SharedKernel.Fetching;

/// <summary>
/// The SSRF guard. Every hop's host is resolved once here and every address checked; the HTTP handler's
/// ConnectCallback then connects only to those checked addresses (it never resolves), so a DNS answer that
/// changes between check and connect (rebinding) cannot redirect the connection. Redirects are followed by hand
/// and checked like the first URL. No proxy is used: HTTP_PROXY would otherwise connect on our behalf unchecked.
/// </summary>
internal sealed class GuardedRemoteMediaFetcher(IOptions<RemoteFetchOptions> options, IHostAddressResolver resolver, IAddressConnector connector)
    : IRemoteMediaFetcher
{
    private const int BufferSize = 81920;

    private RemoteFetchOptions Options => options.Value;

    public async Task CheckAsync(Uri url, string field, CancellationToken cancellation)
    {
        try
        {
            await CheckedAddressesAsync(url, field, cancellation);
        }
        catch (RemoteFetchFailedException e)
        {
            // Before any work is accepted, a host that does not resolve is an obviously bad URL (400), not a server fault.
            throw new RemoteFetchRefusedException(e.Message);
        }
    }

    public async Task<FetchedFile> FetchAsync(Uri url, string field, string destinationPath, long maxBytes, CancellationToken cancellation)
    {
        try
        {
            await using var file = new FileStream(destinationPath, FileMode.Create, FileAccess.Write, FileShare.None, BufferSize, useAsync: true);
            var (total, contentType) = await DownloadAsync(url, field, file, maxBytes, cancellation);
            return new FetchedFile(destinationPath, total, contentType);
        }
        catch (Exception)
        {
            File.Delete(destinationPath); // refused, failed or given up: leave no partial download behind
            throw;
        }
    }

    public async Task<FetchedBytes> FetchBytesAsync(Uri url, string field, long maxBytes, CancellationToken cancellation)
    {
        using var body = new MemoryStream();
        var (_, contentType) = await DownloadAsync(url, field, body, maxBytes, cancellation);
        return new FetchedBytes(body.ToArray(), contentType);
    }

    private async Task<(long Bytes, string? ContentType)> DownloadAsync(Uri url, string field, Stream destination, long maxBytes, CancellationToken cancellation)
    {
        var cap = Math.Min(maxBytes, Options.MaxBytes);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(Options.Timeout);
        var pinned = new ConcurrentDictionary<string, IPAddress[]>(StringComparer.OrdinalIgnoreCase);
        using var handler = CreateHandler(pinned);
        using var client = new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        try
        {
            var current = url;
            for (var redirects = 0; ; redirects++)
            {
                pinned[PinKey(current)] = await CheckedAddressesAsync(current, field, timeout.Token);
                using var request = new HttpRequestMessage(HttpMethod.Get, current);
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                if (IsRedirect(response.StatusCode) && response.Headers.Location is { } location)
                {
                    if (redirects >= Options.MaxRedirects)
                    {
                        throw new RemoteFetchFailedException($"{field} redirected more than {Options.MaxRedirects} times");
                    }

                    current = location.IsAbsoluteUri ? location : new Uri(current, location);
                    continue;
                }

                if (!response.IsSuccessStatusCode)
                {
                    throw new RemoteFetchFailedException($"{field} answered HTTP {(int)response.StatusCode}");
                }

                var total = await CopyBodyAsync(response, destination, cap, field, timeout.Token);
                return (total, response.Content.Headers.ContentType?.MediaType);
            }
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new RemoteFetchFailedException($"{field} took longer than {Options.Timeout.TotalSeconds:0.##} s to download");
        }
        catch (HttpRequestException e)
        {
            throw new RemoteFetchFailedException($"{field} could not be fetched ({Describe(e)})", e);
        }
        catch (IOException e)
        {
            throw new RemoteFetchFailedException($"{field} could not be fetched (the connection broke)", e);
        }
    }

    private async Task<IPAddress[]> CheckedAddressesAsync(Uri url, string field, CancellationToken cancellation)
    {
        if (AddressPolicy.CheckUrl(url, field) is { } urlRefusal)
        {
            throw new RemoteFetchRefusedException(urlRefusal);
        }

        IPAddress[] addresses;
        if (AddressPolicy.LiteralAddress(url) is { } literal)
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await resolver.ResolveAsync(url.IdnHost, cancellation);
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or ArgumentException)
            {
                throw new RemoteFetchFailedException($"{field}: the host name could not be resolved", e);
            }
        }

        if (addresses.Length == 0)
        {
            throw new RemoteFetchFailedException($"{field}: the host name could not be resolved");
        }

        // All of them: a client may connect to any address of the answer, so one bad address refuses the host.
        foreach (var address in addresses)
        {
            if (AddressPolicy.CheckAddress(address, Options.AllowLoopback, field) is { } refusal)
            {
                throw new RemoteFetchRefusedException(refusal);
            }
        }

        return addresses;
    }

    private SocketsHttpHandler CreateHandler(ConcurrentDictionary<string, IPAddress[]> pinned) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = Options.Timeout,
        ConnectCallback = async (context, cancellation) =>
        {
            // Defence in depth: a host the guard did not check has no entry, and nothing here resolves names.
            if (!pinned.TryGetValue(PinKey(context.DnsEndPoint.Host, context.DnsEndPoint.Port), out var addresses))
            {
                throw new HttpRequestException(HttpRequestError.ConnectionError, "connection to an unchecked host refused");
            }

            Exception? last = null;
            foreach (var address in addresses)
            {
                try
                {
                    return await connector.ConnectAsync(address, context.DnsEndPoint.Port, cancellation);
                }
                catch (System.Net.Sockets.SocketException e)
                {
                    last = e;
                }
            }

            throw new HttpRequestException(HttpRequestError.ConnectionError, "connection failed", last);
        },
    };

    // The handler asks ConnectCallback for (request host, port); brackets of IPv6 literals are dropped on both sides.
    private static string PinKey(Uri url) => PinKey(url.IdnHost, url.Port);

    private static string PinKey(string host, int port) => $"{host.Trim('[', ']')}:{port}";

    private static async Task<long> CopyBodyAsync(HttpResponseMessage response, Stream destination, long cap, string field, CancellationToken cancellation)
    {
        if (response.Content.Headers.ContentLength > cap)
        {
            throw new RemoteFetchFailedException($"{field} is larger than the {cap} bytes allowed");
        }

        var total = 0L;
        await using var body = await response.Content.ReadAsStreamAsync(cancellation);
        var buffer = new byte[BufferSize];
        int read;
        while ((read = await body.ReadAsync(buffer, cancellation)) > 0)
        {
            total += read;
            if (total > cap)
            {
                // The declared length lied or was absent: stop reading at the cap, keep nothing.
                throw new RemoteFetchFailedException($"{field} is larger than the {cap} bytes allowed");
            }

            await destination.WriteAsync(buffer.AsMemory(0, read), cancellation);
        }

        return total;
    }

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static string Describe(HttpRequestException e) => e.HttpRequestError switch
    {
        HttpRequestError.NameResolutionError => "the host name could not be resolved",
        HttpRequestError.ConnectionError => "the connection failed",
        HttpRequestError.SecureConnectionError => "the TLS handshake failed",
        HttpRequestError.ResponseEnded => "the server closed the connection",
        _ => "the server's answer was not understood",
    };
}
